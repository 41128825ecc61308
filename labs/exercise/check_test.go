package exercise

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestGradePassesOnlyWithChecks: a grade with no checks says nothing, so it
// is not a pass; one failed check fails it; the JSON carries the verdict.
func TestGradePassesOnlyWithChecks(t *testing.T) {
	g := &Grade{Exercise: 2}
	assert.False(t, g.Pass(), "no checks")
	g.add("builds", true, "x", "", "never shown")
	assert.True(t, g.Pass())
	assert.Empty(t, g.Check("builds").Hint, "a passing check carries no hint")
	g.add("no stall", false, "p95 2563 ms", "", "labs/dns/README.md#what-it-means")
	assert.False(t, g.Pass())
	assert.Equal(t, []string{"no stall"}, g.Failed())

	var b bytes.Buffer
	require.NoError(t, WriteJSON(&b, g))
	var got struct {
		Pass   bool `json:"pass"`
		Checks []Check
	}
	require.NoError(t, json.Unmarshal(b.Bytes(), &got))
	assert.False(t, got.Pass)
	require.Len(t, got.Checks, 2)
	assert.Equal(t, "labs/dns/README.md#what-it-means", got.Checks[1].Hint)
}
