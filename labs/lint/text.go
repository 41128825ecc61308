package lint

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// WriteText writes findings for a person: a compiler-style first line
// (path:line: severity id: message), then why, the lab and its records.
// A rule's why is printed at its first finding only.
func WriteText(w io.Writer, results []*Result) {
	told := map[string]bool{}
	for _, r := range results {
		notes := r.Notes
		for _, f := range r.Findings {
			for len(notes) > 0 && notes[0].Line <= f.Line {
				fmt.Fprintf(w, "%s:%d: note: %s\n", r.Path, notes[0].Line, notes[0].Text)
				notes = notes[1:]
			}
			rule, _ := RuleByID(f.Rule)
			fmt.Fprintf(w, "%s:%d: %s %s: %s\n", r.Path, f.Line, f.Severity, f.Rule, rule.Title)
			fmt.Fprintf(w, "    %s\n", f.Message)
			if told[f.Rule] {
				fmt.Fprintf(w, "    why (lab %s): as for %s above\n", f.Lab, f.Rule)
			} else {
				for _, line := range wrap("why (lab "+f.Lab+"): "+f.Why, 96) {
					fmt.Fprintf(w, "    %s\n", line)
				}
				told[f.Rule] = true
			}
			for _, e := range f.Records {
				fmt.Fprintf(w, "    record %s\n", e.line())
			}
		}
		for _, n := range notes {
			fmt.Fprintf(w, "%s:%d: note: %s\n", r.Path, n.Line, n.Text)
		}
		fmt.Fprintf(w, "%s: %s\n", r.Path, summary(r))
	}
}

func (e Evidence) line() string {
	if e.Missing {
		return fmt.Sprintf("%s/%s: none in the results", e.Lab, e.Variant)
	}
	s := fmt.Sprintf("%s/%s: %s", e.Lab, e.Variant, e.Outcome)
	if e.Evidence != "" {
		s += " — " + e.Evidence
	}
	if e.Image != "" {
		s += " [" + e.Image
		if e.Standin {
			s += ", stand-in"
		}
		s += "]"
	}
	return s
}

func summary(r *Result) string {
	n := map[Severity]int{}
	for _, f := range r.Findings {
		n[f.Severity]++
	}
	var parts []string
	for _, s := range []Severity{SevError, SevWarning, SevInfo} {
		if n[s] > 0 {
			word := string(s)
			if n[s] > 1 && s != SevInfo {
				word += "s"
			}
			parts = append(parts, fmt.Sprintf("%d %s", n[s], word))
		}
	}
	out := "no findings"
	if len(parts) > 0 {
		out = strings.Join(parts, ", ")
	}
	if len(r.Ignored) > 0 {
		out += fmt.Sprintf(" (%d ignored)", len(r.Ignored))
	}
	return out
}

// wrap breaks s into lines of at most width characters, at spaces.
func wrap(s string, width int) []string {
	var lines []string
	var cur strings.Builder
	for _, w := range strings.Fields(s) {
		if cur.Len() > 0 && cur.Len()+1+len(w) > width {
			lines = append(lines, cur.String())
			cur.Reset()
		}
		if cur.Len() > 0 {
			cur.WriteByte(' ')
		}
		cur.WriteString(w)
	}
	if cur.Len() > 0 {
		lines = append(lines, cur.String())
	}
	return lines
}

// WriteJSON writes every result as one JSON document: {"files": [...]}.
func WriteJSON(w io.Writer, results []*Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		Files []*Result `json:"files"`
	}{results})
}

// WriteRules lists the rules, for `baselab lint --rules`.
func WriteRules(w io.Writer) {
	for _, r := range rules {
		fmt.Fprintf(w, "%s  %-7s  %-7s  %s\n", r.ID, r.Severity, r.Lab, r.Title)
	}
}
