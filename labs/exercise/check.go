package exercise

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Check is one verdict on a hand-in: the shape of container-structure-test's
// result. Measured is the number or fact the verdict rests on, something
// that could have come out the other way; Hint names the lab README section
// that explains a failure.
type Check struct {
	Name     string `json:"name"`
	Pass     bool   `json:"pass"`
	Measured string `json:"measured"`
	// Value is the check's number, when it has one (ms, bytes ...).
	Value    *float64 `json:"value,omitempty"`
	Evidence string   `json:"evidence,omitempty"`
	Hint     string   `json:"hint,omitempty"`
}

// Grade is what grading one hand-in found.
type Grade struct {
	Exercise int     `json:"exercise"`
	Title    string  `json:"title"`
	Path     string  `json:"path"`
	Checks   []Check `json:"checks"`
	// Notes are shown beside the checks and decide nothing: the lab's and
	// the course's numbers, doctor and lint findings.
	Notes []string `json:"notes,omitempty"`
	// Images are the images grading built, for a caller that removes them.
	Images []string `json:"images,omitempty"`
}

// Pass reports whether there were checks and every one passed.
func (g *Grade) Pass() bool {
	if len(g.Checks) == 0 {
		return false
	}
	for _, c := range g.Checks {
		if !c.Pass {
			return false
		}
	}
	return true
}

// Failed lists the names of the checks that failed.
func (g *Grade) Failed() []string {
	var out []string
	for _, c := range g.Checks {
		if !c.Pass {
			out = append(out, c.Name)
		}
	}
	return out
}

// add appends a check.
func (g *Grade) add(name string, pass bool, measured, evidence, hint string) *Check {
	c := Check{Name: name, Pass: pass, Measured: measured, Evidence: evidence}
	if !pass {
		c.Hint = hint
	}
	g.Checks = append(g.Checks, c)
	return &g.Checks[len(g.Checks)-1]
}

// Check returns the check named name, nil if there is none.
func (g *Grade) Check(name string) *Check {
	for i := range g.Checks {
		if g.Checks[i].Name == name {
			return &g.Checks[i]
		}
	}
	return nil
}

func (g *Grade) note(format string, a ...any) { g.Notes = append(g.Notes, fmt.Sprintf(format, a...)) }

// WriteText prints a grade for a person.
func WriteText(w io.Writer, g *Grade) {
	passed := len(g.Checks) - len(g.Failed())
	verdict := "PASS"
	if !g.Pass() {
		verdict = "FAIL"
	}
	fmt.Fprintf(w, "exercise %d, %s: %s (%d of %d checks passed) — %s\n", g.Exercise, g.Title, verdict, passed, len(g.Checks), g.Path)
	for _, c := range g.Checks {
		mark := "pass"
		if !c.Pass {
			mark = "FAIL"
		}
		fmt.Fprintf(w, "  %s  %s: %s\n", mark, c.Name, c.Measured)
		if c.Evidence != "" {
			fmt.Fprintf(w, "        evidence: %s\n", c.Evidence)
		}
		if c.Hint != "" {
			fmt.Fprintf(w, "        hint: %s\n", c.Hint)
		}
	}
	if len(g.Notes) > 0 {
		fmt.Fprintln(w, "  notes:")
		for _, n := range g.Notes {
			fmt.Fprintf(w, "    %s\n", strings.ReplaceAll(n, "\n", "\n    "))
		}
	}
}

// WriteJSON prints a grade as one JSON document.
func WriteJSON(w io.Writer, g *Grade) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		*Grade
		Pass bool `json:"pass"`
	}{g, g.Pass()})
}
