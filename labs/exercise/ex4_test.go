package exercise

import "testing"

// TestExercise4 grades the scratch samples against the scratch lab's HTTPS
// server and its CA made for the run: the CA is added to the bundle the
// image carries, so an image without one fails HTTPS; a cgo build names a
// loader scratch does not have.
func TestExercise4(t *testing.T) {
	gradeSamples(t, "4", []sample{
		{dir: "good"},
		{dir: "wrong-no-ca", failed: []string{"CA bundle", "HTTPS"}, hint: "scratch/README.md#symptom-cause-fix"},
		{dir: "wrong-cgo", failed: []string{"static", "HTTPS", "time zone"}, hint: "scratch/README.md#symptom-cause-fix"},
	})
}
