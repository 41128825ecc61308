package exercise

import "testing"

// TestExercise3 grades the rankings against the surface lab's reading of
// the same images: numbers that are not what the image holds fail that
// base; right numbers in the wrong order fail the ranking.
func TestExercise3(t *testing.T) {
	gradeSamples(t, "3", []sample{
		{dir: "good"},
		{dir: "wrong-numbers", failed: []string{"slim numbers"}, hint: "surface/README.md#what-it-measures-per-base"},
		{dir: "wrong-order", failed: []string{"ranking"}, hint: "a shell is what an intruder reaches for first"},
	})
}
