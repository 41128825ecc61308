package exercise

import "testing"

// TestExercise1 grades the size samples: the same three Dockerfiles (built
// once, shared by symlink) with the sizes measured here; with compressed
// sizes written down instead; and with a shell-form CMD on scratch, which
// never starts.
func TestExercise1(t *testing.T) {
	gradeSamples(t, "1", []sample{
		{dir: "good"},
		{dir: "wrong-sizes", failed: []string{"Dockerfile.slim size"}, hint: "size_bytes is ImageInspect's Size"},
		{dir: "wrong-shell-form", failed: []string{"Dockerfile.scratch serves"}, hint: "shell-form CMD"},
	})
}
