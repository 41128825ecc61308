package claims

import (
	"fmt"
	"io"
	"strings"

	"github.com/baselab/baselab/harness/junit"
	"github.com/baselab/baselab/harness/record"
)

// Summary counts verdicts.
type Summary struct{ Holds, Refuted, CouldNotMeasure, NotJudged int }

// Summarize counts verdicts.
func Summarize(vs []Verdict) Summary {
	var s Summary
	for _, v := range vs {
		switch v.Status {
		case Holds:
			s.Holds++
		case Refuted:
			s.Refuted++
		case NotJudged:
			s.NotJudged++
		default:
			s.CouldNotMeasure++
		}
	}
	return s
}

// OK reports whether every claim holds.
func (s Summary) OK() bool { return s.Refuted == 0 && s.CouldNotMeasure == 0 && s.NotJudged == 0 }

// Line is the verdict in one line: the measured number against the bound,
// and the cell it came from.
func (v Verdict) Line() string {
	c := v.Claim
	if v.Status == CouldNotMeasure {
		return "could not measure: " + v.Why
	}
	m := c.Measure
	if c.Ratio() {
		m = fmt.Sprintf("%s of %s ÷ %s", c.Measure, v.Record.Variant, v.Baseline.Variant)
	}
	s := fmt.Sprintf("%s = %s%s (bound %s", m, v.Measured(), unitNote(c.Measure, v.Value, c.Ratio()), c.Bound)
	if c.Of == "any" {
		s += ", any of"
	} else if v.Matched > 1 {
		s += ", all of"
	}
	if v.Matched > 1 {
		s += fmt.Sprintf(" %d records", v.Matched)
	}
	s += ")"
	if c.Ratio() {
		s += fmt.Sprintf(" = %s / %s", measuredOf(*v.Record, c.Measure), measuredOf(*v.Baseline, c.Measure))
	}
	if v.Status == NotJudged {
		s += "; not judged: " + v.Why
	}
	return s
}

// unitNote adds a readable size to a byte count.
func unitNote(field string, v float64, ratio bool) string {
	if ratio || !strings.HasSuffix(field, "_bytes") || v != v {
		return ""
	}
	switch {
	case v >= 1e9:
		return fmt.Sprintf(" (%.2f GB)", v/1e9)
	case v >= 1e6:
		return fmt.Sprintf(" (%.2f MB)", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf(" (%.1f kB)", v/1e3)
	}
	return ""
}

func measuredOf(r record.Record, field string) string {
	n, w, ok, _ := measure(flatten(r), field)
	switch {
	case !ok:
		return "?"
	case w != "":
		return w
	}
	return fmtNum(n)
}

// Evidence names the record(s) behind a verdict: lab/variant, image, libc,
// stand-in.
func (v Verdict) Evidence() string {
	if v.Record == nil {
		return ""
	}
	s := recordText(*v.Record)
	if v.Baseline != nil {
		s += "; baseline " + recordText(*v.Baseline)
	}
	return s
}

func recordText(r record.Record) string {
	libc := r.Libc
	if libc == "" {
		libc = "libc not recorded"
	}
	s := fmt.Sprintf("%s/%s on %s (%s", r.Lab, r.Variant, orDash(r.Image), libc)
	if r.Standin {
		s += ", stand-in"
	}
	s += fmt.Sprintf(") outcome %s, %d/%d ok", orDash(r.Outcome), r.OK, r.Tries)
	return s
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// WriteText prints a verdict per claim — the verdict, the claim, the
// number against the bound and the record behind it — and a summary.
func WriteText(w io.Writer, f *File, vs []Verdict) Summary {
	for i, v := range vs {
		word := map[Status]string{Holds: "HOLDS", Refuted: "REFUTED", CouldNotMeasure: "COULD NOT MEASURE", NotJudged: "NOT JUDGED OFFLINE (stand-in)"}[v.Status]
		fmt.Fprintf(w, "%-8s %s: %s\n", word, v.Claim.Label(i), v.Claim.Text)
		fmt.Fprintf(w, "         %s\n", v.Line())
		if e := v.Evidence(); e != "" {
			fmt.Fprintf(w, "         %s\n", e)
		}
	}
	s := Summarize(vs)
	fmt.Fprintf(w, "%s: %d claims: %d hold, %d refuted, %d could not be measured, %d not judged offline\n", f.Name, len(vs), s.Holds, s.Refuted, s.CouldNotMeasure, s.NotJudged)
	return s
}

// WriteJUnit writes the verdicts as JUnit XML: a suite per file, a test
// case per claim; a refuted claim is a failure, a claim that could not be
// measured an error, one not judged offline skipped.
func WriteJUnit(w io.Writer, f *File, vs []Verdict) error {
	suite := junit.Suite{Name: f.Name}
	for i, v := range vs {
		c := v.Claim
		tc := junit.Case{Name: c.Label(i) + ": " + c.Text, Classname: "baselab.claims." + c.Lab}
		body := strings.TrimSpace(strings.Join([]string{v.Line(), v.Evidence(), sourceText(c)}, "\n"))
		switch v.Status {
		case Refuted:
			tc.Failure = &junit.Problem{Message: v.Line(), Type: "refuted", Text: body}
		case CouldNotMeasure:
			tc.Error = &junit.Problem{Message: v.Line(), Type: "could-not-measure", Text: body}
		case NotJudged:
			tc.Skipped = &junit.Skip{Message: v.Line(), Type: "not-judged-offline"}
			tc.SystemOut = body
		default:
			tc.SystemOut = body
		}
		suite.Cases = append(suite.Cases, tc)
	}
	return junit.Write(w, junit.Suites{Name: "baselab claims", Suites: []junit.Suite{suite}})
}

func sourceText(c Claim) string {
	var parts []string
	if c.Source != "" {
		parts = append(parts, "source: "+c.Source)
	}
	if c.Note != "" {
		parts = append(parts, "note: "+c.Note)
	}
	return strings.Join(parts, "\n")
}
