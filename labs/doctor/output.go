package doctor

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/baselab/baselab/harness/junit"
)

// WriteText writes the table a person reads: one block per face, worst
// first, each finding with its file, evidence and lab.
func WriteText(w io.Writer, reports ...*Report) {
	for _, r := range reports {
		fmt.Fprintf(w, "%s (%s, %s): %d files, %d ELF; %d errors, %d warnings\n",
			r.Image, short(r.ID), libcName(r.Libc), r.Files, r.ELF, r.Errors(), len(r.Findings)-r.Errors())
		face := ""
		for _, f := range r.Findings {
			if f.Face != face {
				face = f.Face
				fmt.Fprintf(w, "\n  %s\n", face)
			}
			where := f.File
			if where == "" {
				where = "(image config)"
			}
			fmt.Fprintf(w, "    %-7s %s\n            will show: %s\n            because:   %s\n", f.Severity, where, f.Text, f.Evidence)
			if f.Lab != "" {
				fmt.Fprintf(w, "            lab:       baselab run %s\n", f.Lab)
			}
			if f.Confirm != "" {
				fmt.Fprintf(w, "            run:       %s\n", f.Confirm)
			}
		}
		if len(r.Findings) == 0 {
			fmt.Fprintln(w, "  nothing the labs reproduce is waiting in this image")
		}
	}
}

func libcName(l string) string {
	if l == "" {
		return "no C library"
	}
	return l
}

func short(id string) string {
	id = strings.TrimPrefix(id, "sha256:")
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// WriteJSON writes the reports as one JSON array.
func WriteJSON(w io.Writer, reports ...*Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(reports)
}

// checks in README order: the JUnit cases.
var checks = []string{CheckLoader, CheckLibrary, CheckSymbol, CheckSemantics, CheckPython, CheckCA, CheckZone, CheckUser, CheckInterpreter, CheckDNS}

// WriteJUnit writes one suite per image, one case per check: a check with
// an error finding fails; warnings pass with their findings in system-out.
func WriteJUnit(w io.Writer, name string, reports ...*Report) error {
	all := junit.Suites{Name: name}
	for _, r := range reports {
		all.Suites = append(all.Suites, junitSuite(r))
	}
	return junit.Write(w, all)
}

// junitSuite is one image's suite: a case per check.
func junitSuite(r *Report) junit.Suite {
	s := junit.Suite{Name: r.Image}
	for _, c := range checks {
		tc := junit.Case{Classname: r.Image, Name: c}
		var errs, warns []string
		for _, f := range r.Findings {
			if f.Check != c {
				continue
			}
			line := fmt.Sprintf("%s: %s (%s)", orConfig(f.File), f.Text, f.Evidence)
			if f.Confirm != "" {
				line += "; --confirm " + f.Confirm
			}
			if f.Severity == SevError {
				errs = append(errs, line)
			} else {
				warns = append(warns, line)
			}
		}
		if len(errs) > 0 {
			tc.Failure = &junit.Problem{Type: string(SevError), Message: errs[0], Text: strings.Join(errs, "\n")}
		}
		if len(warns) > 0 {
			tc.SystemOut = "warning " + strings.Join(warns, "\nwarning ")
		}
		s.Cases = append(s.Cases, tc)
	}
	return s
}

func orConfig(f string) string {
	if f == "" {
		return "(image config)"
	}
	return f
}
