package exercise

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/labs/claims"
	"github.com/baselab/baselab/labs/lab"
	"github.com/baselab/baselab/labs/recommend"
)

const ex5Hint = "labs/claims/README.md#description"

// scenario is one of the course's five, as `baselab recommend` asks it.
type scenario struct {
	N    int
	Text string
	In   recommend.Input
}

// scenarios are the course's, with the requirements it gives each.
var scenarios = []scenario{
	{1, "Python ML (TensorFlow, NumPy, Pandas): fast pip install", recommend.Input{Lang: "python", NativeDeps: true}},
	{2, "Node.js API, pure JS: minimal size, fast startup", recommend.Input{Lang: "node", Size: "high"}},
	{3, "Java Spring Boot: debugging in production", recommend.Input{Lang: "java", NeedShell: true}},
	{4, "Go microservice making HTTPS calls: minimal CVEs, smallest size", recommend.Input{Lang: "go", HTTPS: true, Size: "high", Regulatory: true}},
	{5, "legacy PHP, many extensions: compatibility, reasonable size", recommend.Input{Lang: "php", NativeDeps: true}},
}

func choose() Exercise {
	return Exercise{N: 5, Title: "choose a base", Load: loadChoose, Show: `Exercise 5: choose the right base image (course: "Choose the Right Base
Image"; labs: every lab; baselab recommend walks the same tree).

Task: for each of the course's five scenarios, choose a base and justify it.
  1 Python ML with TensorFlow/NumPy/Pandas   2 Node.js API, pure JS, small
  3 Java Spring Boot, debug in production    4 Go service making HTTPS calls
  5 legacy PHP with many extensions

Hand in a folder with answer.yaml:
  scenarios:
    - scenario: 1
      base: python-slim          # a catalog key (baselab fixtures list)
      reasons:
        - text: glibc wheels crash on musl
          claims: [glibc-wheels-crash-on-alpine]  # labs/claims/course.yaml

Checked per scenario against baselab recommend: the same base passes; a
different base passes when a claim you cite holds on a record of that base,
measured now on containers (claims are run with their lab cells). Every
claim you cite must hold. Each answer shows recommend's reasons and the
records behind yours.`}
}

type chooseAnswer struct {
	Scenarios []struct {
		Scenario int    `yaml:"scenario"`
		Base     string `yaml:"base"`
		Reasons  []struct {
			Text   string   `yaml:"text"`
			Claims []string `yaml:"claims"`
		} `yaml:"reasons"`
	} `yaml:"scenarios"`
}

// choice is one scenario's answer.
type choice struct {
	sc     scenario
	base   images.Key
	claims []string
	rec    recommend.Recommendation
}

type chooseHandIn struct {
	dir     string
	choices []choice
	course  *claims.File
}

func loadChoose(dir string) (HandIn, error) {
	if err := folder(dir); err != nil {
		return nil, err
	}
	var a chooseAnswer
	if err := readAnswer(dir, &a); err != nil {
		return nil, err
	}
	p := filepath.Join(dir, AnswerFile)
	course, err := recommend.Course()
	if err != nil {
		return nil, err
	}
	known := map[string]bool{}
	for _, c := range course.Claims {
		known[c.ID] = true
	}
	h := &chooseHandIn{dir: dir, course: course}
	seen := map[int]bool{}
	for _, s := range a.Scenarios {
		if s.Scenario < 1 || s.Scenario > len(scenarios) || seen[s.Scenario] {
			return nil, fmt.Errorf("%s: scenario %d: want each of 1 to %d once", p, s.Scenario, len(scenarios))
		}
		seen[s.Scenario] = true
		spec, err := images.Lookup(images.Key(s.Base))
		if err != nil {
			return nil, fmt.Errorf("%s: scenario %d: base: %w", p, s.Scenario, err)
		}
		ch := choice{sc: scenarios[s.Scenario-1], base: spec.Key}
		for _, r := range s.Reasons {
			for _, id := range r.Claims {
				if !known[id] {
					return nil, fmt.Errorf("%s: scenario %d: no claim %q in labs/claims/course.yaml (`baselab claims course` lists them)", p, s.Scenario, id)
				}
				if !slices.Contains(ch.claims, id) {
					ch.claims = append(ch.claims, id)
				}
			}
		}
		if ch.rec, err = recommend.Recommend(ch.sc.In); err != nil {
			return nil, fmt.Errorf("recommend scenario %d: %w", s.Scenario, err)
		}
		h.choices = append(h.choices, ch)
	}
	if len(seen) != len(scenarios) {
		return nil, fmt.Errorf("%s: answer all %d scenarios (%d given)", p, len(scenarios), len(seen))
	}
	sort.Slice(h.choices, func(i, j int) bool { return h.choices[i].sc.N < h.choices[j].sc.N })
	return h, nil
}

func (h *chooseHandIn) Grade(ctx context.Context, env *lab.Env) (*Grade, error) {
	g := &Grade{Exercise: 5, Title: "choose a base", Path: h.dir}
	// Every claim any answer cites, measured once: one lab run per lab.
	byID := map[string]claims.Claim{}
	for _, c := range h.course.Claims {
		byID[c.ID] = c
	}
	cited := &claims.File{Name: "exercise 5"}
	for _, ch := range h.choices {
		for _, id := range ch.claims {
			if !slices.ContainsFunc(cited.Claims, func(c claims.Claim) bool { return c.ID == id }) {
				cited.Claims = append(cited.Claims, byID[id])
			}
		}
	}
	verdict := map[string]claims.Verdict{}
	if len(cited.Claims) > 0 {
		recs, err := claims.Run(ctx, env, claims.Plan(cited))
		if err != nil && len(recs) == 0 {
			return nil, fmt.Errorf("measure the claims cited: %w", err)
		}
		for _, v := range claims.Evaluate(cited, recs) {
			verdict[v.Claim.ID] = v
		}
	}
	for _, ch := range h.choices {
		gradeChoice(g, ch, byID, verdict)
	}
	return g, nil
}

// gradeChoice judges one scenario: recommend's base, or a different one
// backed by a claim that holds on a record of it; every cited claim must hold.
func gradeChoice(g *Grade, ch choice, byID map[string]claims.Claim, verdict map[string]claims.Verdict) {
	name := fmt.Sprintf("scenario %d", ch.sc.N)
	var recReasons []string
	for _, r := range ch.rec.Reasons {
		for _, id := range r.Evidence {
			recReasons = append(recReasons, fmt.Sprintf("%s (%s/%s)", id, byID[id].Lab, byID[id].Variant))
		}
	}
	evidence := fmt.Sprintf("%s; recommend: %s (catalog key %s), because %s", ch.sc.Text, ch.rec.Image, ch.rec.Base, strings.Join(recReasons, ", "))
	var refuted, backing, unjudged []string
	for _, id := range ch.claims {
		v := verdict[id]
		line := fmt.Sprintf("%s: %s, %s", id, strings.ToUpper(string(v.Status)), v.Line())
		if e := v.Evidence(); e != "" {
			line += " [" + e + "]"
		}
		evidence += "; you cite " + line
		switch v.Status {
		case claims.Holds:
			if v.Record != nil && v.Record.Base == string(ch.base) || v.Baseline != nil && v.Baseline.Base == string(ch.base) {
				backing = append(backing, id)
			}
		case claims.Refuted:
			refuted = append(refuted, id)
		default:
			unjudged = append(unjudged, fmt.Sprintf("%s (%s)", id, v.Status))
		}
	}
	same := string(ch.base) == ch.rec.Base
	switch {
	case len(refuted) > 0:
		g.add(name, false, fmt.Sprintf("%s, but the labs refute what you cite: %s", ch.base, strings.Join(refuted, ", ")), evidence,
			ex5Hint+": a refuted claim is a reason that did not survive measurement; the evidence says what was measured")
	case same:
		g.add(name, true, fmt.Sprintf("%s, as baselab recommend chooses", ch.base), evidence, "")
	case len(backing) > 0:
		g.add(name, true, fmt.Sprintf("%s, not recommend's %s, backed by a record of %s: %s", ch.base, ch.rec.Base, ch.base, strings.Join(backing, ", ")), evidence, "")
	default:
		why := "cite a claim (labs/claims/course.yaml) that holds on a record of " + string(ch.base)
		if len(unjudged) > 0 {
			why += "; not judged here: " + strings.Join(unjudged, ", ")
		}
		g.add(name, false, fmt.Sprintf("%s, not recommend's %s, and no lab record of %s backs it", ch.base, ch.rec.Base, ch.base), evidence,
			ex5Hint+": "+why+"; `baselab recommend` says why it picks "+ch.rec.Base)
	}
}
