package lint

import (
	"fmt"
	"io"
	"strings"

	"github.com/baselab/baselab/harness/junit"
)

// JUnit for CI: one suite per Dockerfile, one test case per rule. A rule
// with an error finding fails (the run's exit status is 1 for the same
// reason); warnings and infos pass with their findings in system-out, so
// that a CI page shows them without turning red; a rule switched off with
// --ignore is skipped.

// WriteJUnit writes the results as JUnit XML.
func WriteJUnit(w io.Writer, results []*Result, ignoreFlag []string) error {
	off := set(ignoreFlag...)
	all := junit.Suites{Name: "baselab lint"}
	for _, res := range results {
		suite := junit.Suite{Name: res.Path}
		for _, r := range rules {
			tc := junit.Case{Classname: res.Path, Name: r.ID + " " + r.Title}
			var errs, others []string
			first := ""
			for _, f := range res.Findings {
				if f.Rule != r.ID {
					continue
				}
				line := fmt.Sprintf("line %d: %s", f.Line, f.Message)
				for _, e := range f.Records {
					line += "\n  record " + e.line()
				}
				if f.Severity == SevError {
					if first == "" {
						first = line
					}
					errs = append(errs, line)
				} else {
					others = append(others, string(f.Severity)+" "+line)
				}
			}
			switch {
			case off[r.ID]:
				tc.Skipped = &junit.Skip{Message: "--ignore " + r.ID}
			case len(errs) > 0:
				tc.Failure = &junit.Problem{Type: string(SevError), Message: strings.SplitN(first, "\n", 2)[0],
					Text: strings.Join(errs, "\n") + "\n\nwhy (lab " + r.Lab + "): " + r.Why}
			}
			if len(others) > 0 {
				tc.SystemOut = strings.Join(others, "\n") + "\n\nwhy (lab " + r.Lab + "): " + r.Why
			}
			suite.Cases = append(suite.Cases, tc)
		}
		all.Suites = append(all.Suites, suite)
	}
	return junit.Write(w, all)
}
