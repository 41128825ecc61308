package lint

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// JUnit for CI: one suite per Dockerfile, one test case per rule. A rule
// with an error finding fails (the run's exit status is 1 for the same
// reason); warnings and infos pass with their findings in system-out, so
// that a CI page shows them without turning red; a rule switched off with
// --ignore is skipped.

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Classname string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Type    string `xml:"type,attr"`
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

// WriteJUnit writes the results as JUnit XML.
func WriteJUnit(w io.Writer, results []*Result, ignoreFlag []string) error {
	off := set(ignoreFlag...)
	all := junitSuites{Name: "baselab lint"}
	for _, res := range results {
		suite := junitSuite{Name: res.Path}
		for _, r := range rules {
			tc := junitCase{Classname: res.Path, Name: r.ID + " " + r.Title}
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
				tc.Skipped = &junitSkipped{Message: "--ignore " + r.ID}
				suite.Skipped++
			case len(errs) > 0:
				tc.Failure = &junitFailure{Type: string(SevError), Message: strings.SplitN(first, "\n", 2)[0],
					Text: strings.Join(errs, "\n") + "\n\nwhy (lab " + r.Lab + "): " + r.Why}
				suite.Failures++
			}
			if len(others) > 0 {
				tc.SystemOut = strings.Join(others, "\n") + "\n\nwhy (lab " + r.Lab + "): " + r.Why
			}
			suite.Tests++
			suite.Cases = append(suite.Cases, tc)
		}
		all.Tests += suite.Tests
		all.Failures += suite.Failures
		all.Skipped += suite.Skipped
		all.Suites = append(all.Suites, suite)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(all); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
