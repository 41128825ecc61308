package lab

import (
	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/harness/record"
)

// Kind is what a record field holds, so that a claim's bound can be checked
// against it before anything runs.
type Kind uint8

const (
	Num  Kind = iota // a number (or null: nothing was measured)
	Str              // a word or text
	Bool             // true or false
	List             // a list or a map: compared by its length
)

func (k Kind) String() string {
	return [...]string{"a number", "a word", "true or false", "a list (compared by its length)"}[k]
}

// Field is one record field a lab declares: its name in results.jsonl, what
// it holds and what it means.
type Field struct {
	Name    string
	Kind    Kind
	Meaning string
	// Measures is the image property the field measures, when a stand-in
	// may not reproduce it (images.PropSize ...): a claim on it over a
	// stand-in that lacks it is not judged offline.
	Measures images.Property
}

// Common are the fields every lab writes (the result record's common part).
var Common = []Field{
	{"lab", Str, "the lab's name", ""},
	{"variant", Str, "the cell's name within the lab", ""},
	{"base", Str, "the catalog key (or image) the cell ran on", ""},
	{"image", Str, "ref@digest (registry) or ref@id (stand-in)", ""},
	{"standin", Bool, "the image is an offline stand-in built here, not the registry image", ""},
	{"libc", Str, "the C library of the image", ""},
	{"started", Str, "when the cell started (RFC 3339)", ""},
	{"tries", Num, "how many times the cell's action ran", ""},
	{"ok", Num, "tries that worked", ""},
	{"failed", Num, "tries the software under test failed", ""},
	{"p50_ms", Num, "median time of a try, in ms (null: nothing was timed)", ""},
	{"p95_ms", Num, "95th percentile time of a try, in ms", ""},
	{"max_ms", Num, "slowest try, in ms", ""},
	{"outcome", Str, "a short machine word for what happened", ""},
	{"detail", Str, "what a person reads", ""},
	{"evidence", Str, "the error text, exit code or signal seen", ""},
	{"errors", List, "the lab's own failures (exec, container start, engine, cancelled); a record with any has outcome error and backs no verdict", ""},
	{"standin_lacks", List, "what the stand-in does not reproduce of the registry image (size, package-database, package-manager): claims on those are not judged offline", ""},
}

// FieldKind says what lab l's field holds; ok is false for a field neither
// common nor declared by the lab.
func (l Lab) FieldKind(name string) (Kind, bool) {
	for _, fs := range [][]Field{Common, l.Fields} {
		for _, f := range fs {
			if f.Name == name {
				return f.Kind, true
			}
		}
	}
	return 0, false
}

// The outcome words several labs share. A lab's own words (segfault,
// x509-unknown-authority, stall ...) are declared in its package.
const (
	// Works: the software did what it should.
	Works = "works"
	// ExecNotFound: the runtime could not exec the program (its file or its
	// ELF interpreter is missing).
	ExecNotFound = "exec-not-found"
	// Unexpected: none of the lab's words fit; the evidence says what it was.
	Unexpected = "unexpected"
	// Error: the lab itself failed (not the software under test); such a
	// record backs no verdict.
	Error = record.OutcomeError
	// Inconclusive: the lab measured, but the distance from the line that
	// separates two verdicts was inside the noise the run measured beside
	// it; such a record backs no verdict (record.OutcomeInconclusive).
	Inconclusive = record.OutcomeInconclusive
)
