// Package lint is `baselab lint`: it reads a Dockerfile with BuildKit's own
// parser and flags what the labs show breaking — a glibc build copied into
// a musl stage, a cgo binary on scratch, a scratch image with no CA bundle,
// zoneinfo or passwd, a resolv.conf "fix" that musl ignores — beside the
// course's advice on tags, pins, build tools and root. Every finding names
// the lab that reproduces it and, given a results folder, the record that
// shows it.
//
// The rules are in rules.go, what they read of a Dockerfile in parse.go and
// facts.go, the checks in check*.go, the output formats in text.go,
// sarif.go and junit.go, the command in cli.go.
package lint

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/baselab/baselab/harness/record"
)

// Options say how to read a Dockerfile.
type Options struct {
	// BuildArgs are --build-arg values: they resolve ARGs in FROM lines,
	// as a build would. A value may be a catalog key (python-alpine).
	BuildArgs map[string]string
	// Target is the stage whose image is judged (docker build --target);
	// "" is the last stage.
	Target string
	// Context is the build context. When set, the files a COPY takes from
	// it are read: whether a program is static, which interpreter it names,
	// how a Go binary was built, what a copied resolv.conf says.
	Context fs.FS
	// Ignore are rule ids not to report.
	Ignore []string
	// Records are lab results (harness/record); each finding then shows the
	// records of the cells its rule cites.
	Records []record.Record
}

// Result is what linting one Dockerfile found.
type Result struct {
	Path     string      `json:"path"`
	Stages   []StageInfo `json:"stages"`
	Findings []Finding   `json:"findings"`
	// Ignored are findings an --ignore or a "# baselab-ignore:" comment
	// silenced, kept so that a report can say so.
	Ignored []Finding `json:"ignored,omitempty"`
	Notes   []Note    `json:"notes,omitempty"`
}

// StageInfo is what the linter understood of a FROM line.
type StageInfo struct {
	Index int    `json:"index"`
	Name  string `json:"name,omitempty"`
	Line  int    `json:"line"`
	From  string `json:"from"`
	// Base is the image after ARG substitution, or the stage it builds on.
	Base  string `json:"base,omitempty"`
	Libc  Libc   `json:"libc,omitempty"`
	Kind  Kind   `json:"kind,omitempty"`
	How   string `json:"how,omitempty"`
	Final bool   `json:"final,omitempty"`
}

// Finding is one rule's hit.
type Finding struct {
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	Line     int      `json:"line"`
	EndLine  int      `json:"end_line,omitempty"`
	Stage    string   `json:"stage,omitempty"`
	Message  string   `json:"message"`
	Lab      string   `json:"lab"`
	Why      string   `json:"why"`
	// Cites are the lab cells that show it; Records what the results
	// folder holds for them (with Options.Records).
	Cites   []Ref      `json:"cites"`
	Records []Evidence `json:"records,omitempty"`

	comments []string // the comments above the instruction: inline ignores
}

// Evidence is a lab record behind a finding.
type Evidence struct {
	Lab      string `json:"lab"`
	Variant  string `json:"variant"`
	Outcome  string `json:"outcome,omitempty"`
	Evidence string `json:"evidence,omitempty"`
	Image    string `json:"image,omitempty"`
	Standin  bool   `json:"standin,omitempty"`
	// Missing: the results hold no record of this cell.
	Missing bool `json:"missing,omitempty"`
}

// Note is something a person should know that is not a finding: a stage
// the linter could not judge, and what would let it.
type Note struct {
	Line int    `json:"line"`
	Text string `json:"text"`
}

// Errors counts the error findings.
func (r *Result) Errors() int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity == SevError {
			n++
		}
	}
	return n
}

// Lint reads one Dockerfile. A Dockerfile BuildKit refuses is a
// *ParseError, with the parser's line.
func Lint(name string, src []byte, opts Options) (*Result, error) {
	for _, id := range opts.Ignore {
		if _, ok := RuleByID(id); !ok {
			return nil, fmt.Errorf("--ignore %s: no such rule (baselab lint --rules lists them)", id)
		}
	}
	f, err := parse(name, src, opts.BuildArgs)
	if err != nil {
		return nil, err
	}
	final := f.stages[len(f.stages)-1]
	if opts.Target != "" {
		final = nil
		for _, s := range f.stages {
			if s.name == strings.ToLower(opts.Target) {
				final = s
			}
		}
		if final == nil {
			return nil, fmt.Errorf("--target %s: %s has no such stage", opts.Target, name)
		}
	}
	byRef := func(ref string) *stage { return f.stageRef(ref) }
	for _, s := range f.stages {
		s.facts = readFacts(s, byRef, opts.Context)
	}
	res := &Result{Path: name, Notes: f.notes}
	for _, s := range f.stages {
		base := s.base.Ref
		if s.base.Stage != "" {
			base = "stage " + s.base.Stage
		}
		res.Stages = append(res.Stages, StageInfo{Index: s.index, Name: s.name, Line: s.line, From: s.from,
			Base: base, Libc: s.base.Libc, Kind: s.base.Kind, How: s.base.How, Final: s == final})
	}
	c := &checker{f: f, final: final, opts: opts}
	c.run()
	res.Notes = append(res.Notes, c.notes...)
	ignored := set(opts.Ignore...)
	for _, fd := range c.findings {
		if ignored[fd.Rule] || inlineIgnored(fd) {
			res.Ignored = append(res.Ignored, fd)
			continue
		}
		res.Findings = append(res.Findings, fd)
	}
	if res.Findings == nil {
		res.Findings = []Finding{} // JSON readers get a list, not null
	}
	attach(res.Findings, opts.Records)
	sort.SliceStable(res.Findings, func(i, j int) bool {
		if res.Findings[i].Line != res.Findings[j].Line {
			return res.Findings[i].Line < res.Findings[j].Line
		}
		return res.Findings[i].Rule < res.Findings[j].Rule
	})
	sort.SliceStable(res.Notes, func(i, j int) bool { return res.Notes[i].Line < res.Notes[j].Line })
	return res, nil
}

// stageRef resolves a COPY --from value: a stage name, or a stage's index.
func (f *file) stageRef(ref string) *stage {
	for _, s := range f.stages {
		if s.name != "" && s.name == strings.ToLower(ref) {
			return s
		}
		if fmt.Sprint(s.index) == ref {
			return s
		}
	}
	return nil
}

// inlineIgnored: a "# baselab-ignore: BL001 BL011" comment directly above
// the instruction (above FROM for a finding about the whole stage).
func inlineIgnored(fd Finding) bool {
	for _, c := range fd.comments {
		rest, ok := strings.CutPrefix(strings.TrimSpace(c), "baselab-ignore:")
		if !ok {
			continue
		}
		for _, id := range strings.FieldsFunc(rest, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
			if strings.EqualFold(id, fd.Rule) {
				return true
			}
		}
	}
	return false
}

// attach fills each finding's Records from the results: for each cell it
// cites, the last record of it (the latest run).
func attach(fs []Finding, rs []record.Record) {
	if rs == nil {
		return
	}
	for i := range fs {
		for _, ref := range fs[i].Cites {
			var hit *record.Record
			for j := range rs {
				if rs[j].Lab != ref.Lab {
					continue
				}
				if ok, _ := path.Match(ref.Variant, rs[j].Variant); ok {
					hit = &rs[j]
					if ref.Variant == "*" {
						break
					}
				}
			}
			if hit == nil {
				fs[i].Records = append(fs[i].Records, Evidence{Lab: ref.Lab, Variant: ref.Variant, Missing: true})
				continue
			}
			fs[i].Records = append(fs[i].Records, Evidence{Lab: hit.Lab, Variant: hit.Variant, Outcome: hit.Outcome,
				Evidence: hit.Evidence, Image: hit.Image, Standin: hit.Standin})
		}
	}
}
