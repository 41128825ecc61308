package exercise

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestExercise5 grades the answer files against baselab recommend, the
// claims they cite measured on containers: a different base backed by a
// record of it passes; one "backed" by another base's record fails; a claim
// the labs refute fails its scenario.
func TestExercise5(t *testing.T) {
	gs := gradeSamples(t, "5", []sample{
		{dir: "good"},
		{dir: "wrong-unbacked", failed: []string{"scenario 1"}, hint: "holds on a record of python-alpine"},
		{dir: "wrong-refuted", failed: []string{"scenario 4"}, hint: "did not survive measurement"},
	})
	if g := gs["good"]; g != nil {
		assert.Contains(t, g.Check("scenario 4").Measured, "backed by a record of distroless-static")
		assert.Contains(t, g.Check("scenario 1").Measured, "as baselab recommend chooses")
	}
	if g := gs["wrong-refuted"]; g != nil {
		// The evidence carries what the DNS lab measured.
		assert.Contains(t, g.Check("scenario 4").Evidence, "single-request-fixes-alpine: REFUTED")
	}
}
