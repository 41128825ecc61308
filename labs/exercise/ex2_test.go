package exercise

import (
	"testing"

	"github.com/baselab/baselab/labs/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestExercise2 grades the DNS samples under the lab's race fault: glibc
// with single-request passes; musl ignores single-request and stalls; musl
// with timeout:0 is fast because it sends nothing, and every lookup fails.
func TestExercise2(t *testing.T) {
	gs := gradeSamples(t, "2", []sample{
		{dir: "good"},
		{dir: "wrong-single-request", failed: []string{"no stall"}, hint: "musl ignores"},
		{dir: "wrong-timeout-0", failed: []string{"lookups succeed"}, hint: "timeout:0"},
	})
	// The stall is musl's retry interval, timeout/attempts = 5 s / 2
	// (src/network/res_msend.c), as the DNS lab predicts it; the tolerance
	// is the lab's stall tolerance (400 ms), measured there.
	want, _, known := dns.Predict("musl-1.2.5", "race", "single-request")
	require.True(t, known)
	assert.Equal(t, 2500.0, want)
	if g := gs["wrong-single-request"]; g != nil {
		c := g.Check("no stall")
		require.NotNil(t, c.Value)
		assert.InDelta(t, want, *c.Value, 400, "musl's stall with single-request")
	}
	if g := gs["good"]; g != nil {
		c := g.Check("no stall")
		require.NotNil(t, c.Value)
		assert.Less(t, *c.Value, dns.FastMs)
	}
}
