package claims

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// FuzzParse feeds the claims parser arbitrary bytes, seeded with the shipped
// files and their near misses: it must never panic, every rejection must be
// a Problems list that names the file, and an accepted file must parse the
// same way twice (the checks read no state but the file).
func FuzzParse(f *testing.F) {
	for _, name := range []string{"course.yaml", "example-migration.yaml"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(b[:len(b)/2])
		f.Add(bytes.ReplaceAll(b, []byte("lab:"), []byte("lab: nosuchlab\n  x:")))
	}
	for _, s := range []string{"", "claims:", "claims: [", "claims:\n- {}", "name: x\nclaims:\n- id: a\n  lab: dns\n  text: t\n  expect: {}\n",
		"\x00\xff", "claims: !!binary AAAA", "&a [*a]"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		file, err := Parse(bytes.NewReader(b), "fuzz.yaml")
		if err != nil {
			ps, ok := err.(Problems)
			if !ok {
				t.Fatalf("rejection is %T, want Problems: %v", err, err)
			}
			if len(ps) == 0 || !strings.Contains(err.Error(), "fuzz.yaml") {
				t.Fatalf("rejection does not name the file: %q", err)
			}
			return
		}
		if file == nil {
			t.Fatal("no error and no file")
		}
		again, err := Parse(bytes.NewReader(b), "fuzz.yaml")
		if err != nil || len(again.Claims) != len(file.Claims) {
			t.Fatalf("second parse differs: %v, %d vs %d claims", err, len(again.Claims), len(file.Claims))
		}
	})
}
