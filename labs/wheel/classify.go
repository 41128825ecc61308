package wheel

import (
	"encoding/json"
	"fmt"
	"path"
	"strings"

	"github.com/baselab/baselab/harness/record"
	"github.com/baselab/baselab/harness/run"
	"github.com/baselab/baselab/labs/lab"
)

// The wheel lab's own outcomes; it also uses lab.Works, lab.ExecNotFound
// and lab.Unexpected.
const (
	// ModuleNotFound: CPython found the package but no extension file with a
	// suffix it loads.
	ModuleNotFound = "module-not-found"
	// ImportError: the extension was found and dlopen failed.
	ImportError = "import-error"
	// Segfault: the process died of SIGSEGV.
	Segfault = "segfault"
)

// Classify reads one container run the way the wheel lab does: the
// outcome, and the line that shows it. It holds a user's own image (`docker
// run` of an app that imports its extensions) to the same words.
func Classify(res run.Result) (outcome, evidence string) {
	t := classify(res)
	return t.outcome, t.evidence
}

// try is one run of a cell's container, classified.
type try struct {
	outcome, evidence, detail string
	exitCode                  int
	signal                    string
	// steps are app.py's lines by step: how far the process got.
	steps map[string]appLine
}

// appLine is one line app.py prints.
type appLine struct {
	Step        string   `json:"step"`
	MS          float64  `json:"ms"`
	Version     string   `json:"version"`
	DlopenFlags *int     `json:"dlopenflags"`
	ExtSuffixes []string `json:"ext_suffixes"`
	Files       []string `json:"package_files"`
	File        string   `json:"file"`
	BuiltFor    string   `json:"built_for"`
	Describe    string   `json:"describe"`
	Label       string   `json:"label"`
}

// classify turns one container run into an outcome and the line that
// shows it: CPython's last traceback line, the signal, or the engine's (or
// runc's) refusal to exec the program.
func classify(res run.Result) try {
	t := try{exitCode: res.ExitCode, signal: res.Signal, steps: map[string]appLine{}}
	var plain []string
	for _, line := range lines(res.Stdout) {
		var l appLine
		if strings.HasPrefix(line, "{") && json.Unmarshal([]byte(line), &l) == nil && l.Step != "" {
			t.steps[l.Step] = l
		} else {
			plain = append(plain, line)
		}
	}
	errLines := lines(res.Stderr)
	last := ""
	if len(errLines) > 0 {
		last = errLines[len(errLines)-1]
	}
	switch {
	case !res.Started:
		t.evidence = res.StartError
		if run.ExecNotFound(res.StartError) {
			t.outcome, t.detail = lab.ExecNotFound, "the engine could not exec the container's program"
		} else {
			t.outcome, t.detail = lab.Unexpected, "the container did not start"
		}
	case res.Signal == "SIGSEGV":
		t.outcome = Segfault
		t.evidence = fmt.Sprintf("exit %d (SIGSEGV), nothing on stderr", res.ExitCode)
		if last != "" {
			t.evidence = fmt.Sprintf("exit %d (SIGSEGV): %s", res.ExitCode, last)
		}
		t.detail = "the process died before the import finished"
		if imp, ok := t.steps["import"]; ok {
			t.detail = fmt.Sprintf("the import worked (%s, built for %s); the process died in the call",
				path.Base(imp.File), imp.BuiltFor)
		}
	case strings.HasPrefix(last, "ModuleNotFoundError:"):
		t.outcome, t.evidence = ModuleNotFound, last
		t.detail = "CPython found the package but no extension file with a suffix it loads"
	case strings.HasPrefix(last, "ImportError:"):
		t.outcome, t.evidence = ImportError, last
		t.detail = "the extension was found and dlopen failed"
	case res.ExitCode != 0 && run.ExecNotFound(last):
		t.outcome, t.evidence = lab.ExecNotFound, last
		t.detail = fmt.Sprintf("the container started and runc's exec of its program failed (exit %d)", res.ExitCode)
	case res.ExitCode == 0:
		if call, ok := t.steps["call"]; ok {
			imp := t.steps["import"]
			t.outcome = lab.Works
			t.evidence = fmt.Sprintf("exit 0: describe(2) = %q", call.Describe)
			t.detail = fmt.Sprintf("imported %s (built for %s) in %.1f ms; label(2) = %q",
				path.Base(imp.File), imp.BuiltFor, imp.MS, call.Label)
		} else if len(t.steps) == 0 && len(plain) > 0 {
			t.outcome, t.evidence = lab.Works, "exit 0: "+plain[len(plain)-1]
			t.detail = "the program ran"
		} else {
			t.outcome, t.evidence = lab.Unexpected, "exit 0 without the call's output"
		}
	default:
		t.outcome = lab.Unexpected
		t.evidence = fmt.Sprintf("exit %d: %s", res.ExitCode, last)
	}
	return t
}

// record sets on r how the run ended and what app.py said before it did.
func (t try) record(r *record.Record) {
	r.Set("exit_code", t.exitCode)
	r.Set("signal", t.signal)
	if py, ok := t.steps["python"]; ok {
		r.Set("python", py.Version)
		if py.DlopenFlags != nil {
			r.Set("dlopenflags", *py.DlopenFlags)
		}
		r.Set("ext_suffixes", py.ExtSuffixes)
		r.Set("package_files", py.Files)
	}
	if imp, ok := t.steps["import"]; ok {
		r.Set("import_ms", imp.MS)
		r.Set("loaded", imp.File)
		r.Set("built_for", imp.BuiltFor)
	}
	// The call's results mean something only when the run got through it.
	if call, ok := t.steps["call"]; ok && t.outcome == lab.Works {
		r.Set("describe", call.Describe)
		r.Set("label", call.Label)
		r.Set("call_ms", call.MS)
	}
}

func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimRight(l, "\r "); strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}
