// Package claims turns statements about base images into pass/fail
// evidence. A claims file (YAML) lists claims; each names a lab cell, a
// measure of its record and a bound:
//
//	name: course
//	claims:
//	  - id: musl-parallel
//	    claim: musl sends A and AAAA in parallel from one port
//	    source: the course's musl/glibc table ("DNS resolver: Parallel")
//	    lab: dns
//	    variant: alpine/race/none/none    # path.Match pattern on variants
//	    measure: p95_ms                   # any field of the lab's records
//	    bound: ">= 1000"                  # < <= > >= == != VALUE [UNIT], or "within P% of VALUE"
//
// Optional keys: where (exact field values the records must have: {fault:
// race, resolver: musl}), base/fault/options (shorthands for where), of
// (all, the default: every matching record must satisfy the bound; any: one
// is enough), image and probe (a user's own image and lookup command, for
// the dns lab's --image/--probe), flags (other lab flags, by name), note,
// and baseline — a second cell: the claim then bounds the ratio
// measure(cell) / measure(baseline), e.g. "single-request makes alpine
// under race at least 5× faster" is bound "< 0.2" against the cell without
// options.
//
// A file is checked whole before anything runs (Load); Plan says which
// labs and variants its claims need; Evaluate judges records.
package claims

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strings"

	"github.com/baselab/baselab/dnsfaker"
	"github.com/baselab/baselab/labs"
	"github.com/baselab/baselab/labs/lab"
	"github.com/spf13/pflag"
	"go.yaml.in/yaml/v3"
)

// File is a parsed, checked claims file.
type File struct {
	Name   string  `yaml:"name"`
	Claims []Claim `yaml:"claims"`
	// Path is where it was read from.
	Path string `yaml:"-"`
}

// Cell selects records: a lab, a variant pattern and field values.
type Cell struct {
	Lab     string            `yaml:"lab"`
	Variant string            `yaml:"variant"`
	Where   map[string]string `yaml:"where"`
	Base    string            `yaml:"base"`
	Fault   string            `yaml:"fault"`
	Options *string           `yaml:"options"`
	Image   string            `yaml:"image"`
	Probe   string            `yaml:"probe"`
	Flags   map[string]string `yaml:"flags"`
}

// Claim is one statement with the cell that verifies or refutes it.
type Claim struct {
	ID      string `yaml:"id"`
	Text    string `yaml:"claim"`
	Source  string `yaml:"source"`
	Note    string `yaml:"note"`
	Cell    `yaml:",inline"`
	Measure string `yaml:"measure"`
	Bound   string `yaml:"bound"`
	Of      string `yaml:"of"`
	// Baseline, when set, makes the claim a ratio: measure(cell) /
	// measure(baseline). Unset keys come from the claim's cell.
	Baseline *Cell `yaml:"baseline"`

	bound Bound
}

// Label names a claim in messages: its id, or its position.
func (c Claim) Label(i int) string {
	if c.ID != "" {
		return c.ID
	}
	return fmt.Sprintf("#%d", i+1)
}

// Ratio reports whether the claim compares two cells.
func (c Claim) Ratio() bool { return c.Baseline != nil }

// baselineCell is the baseline with the claim's cell filling what it leaves out.
func (c Claim) baselineCell() Cell {
	b := *c.Baseline
	if b.Lab == "" {
		b.Lab = c.Lab
	}
	if b.Image == "" {
		b.Image = c.Image
	}
	if b.Probe == "" {
		b.Probe = c.Probe
	}
	if b.Flags == nil {
		b.Flags = c.Flags
	}
	return b
}

// filters is the cell's where with its shorthands folded in.
func (c Cell) filters() map[string]string {
	m := map[string]string{}
	for k, v := range c.Where {
		m[k] = v
	}
	if c.Base != "" {
		m["base"] = c.Base
	}
	if c.Fault != "" {
		m["fault"] = c.Fault
	}
	if c.Options != nil {
		m["options"] = *c.Options
	}
	return m
}

// labFlags are the lab flags a cell sets: its flags, plus image and probe.
func (c Cell) labFlags() map[string]string {
	m := map[string]string{}
	for k, v := range c.Flags {
		m[k] = v
	}
	if c.Image != "" {
		m["image"] = c.Image
	}
	if c.Probe != "" {
		m["probe"] = c.Probe
	}
	return m
}

// Problem is one thing wrong with a claims file: the claim and what.
type Problem struct {
	File, Claim, What string
}

func (p Problem) Error() string {
	if p.Claim == "" {
		return fmt.Sprintf("%s: %s", p.File, p.What)
	}
	return fmt.Sprintf("%s: claim %s: %s", p.File, p.Claim, p.What)
}

// Problems is every problem found in a file, one per line.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.Error()
	}
	return strings.Join(lines, "\n")
}

// Load reads and checks a claims file: a path, or the name of a shipped
// file (see Shipped). Every problem is reported, each naming its claim.
func Load(name string) (*File, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		if sb, sname, ok := Shipped(name); ok && errors.Is(err, os.ErrNotExist) {
			return Parse(bytes.NewReader(sb), sname)
		}
		return nil, fmt.Errorf("read claims: %w", err)
	}
	return Parse(bytes.NewReader(b), name)
}

// Parse reads and checks a claims file. Unknown keys are errors: a typo
// must not turn a claim into one that checks nothing.
func Parse(r io.Reader, name string) (*File, error) {
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	var f File
	if err := dec.Decode(&f); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, Problems{{File: name, What: "empty file: want a list under claims:"}}
		}
		return nil, Problems{{File: name, What: strings.ReplaceAll(err.Error(), "\n", "; ")}}
	}
	f.Path = name
	if f.Name == "" {
		f.Name = strings.TrimSuffix(path.Base(name), path.Ext(name))
	}
	if ps := f.check(); len(ps) > 0 {
		return nil, ps
	}
	return &f, nil
}

func (f *File) check() Problems {
	var ps Problems
	if len(f.Claims) == 0 {
		return Problems{{File: f.Path, What: "no claims: want a list under claims:"}}
	}
	seen := map[string]bool{}
	for i := range f.Claims {
		c := &f.Claims[i]
		bad := func(format string, args ...any) {
			ps = append(ps, Problem{File: f.Path, Claim: c.Label(i), What: fmt.Sprintf(format, args...)})
		}
		if c.ID != "" {
			if seen[c.ID] {
				bad("the id is used twice")
			}
			seen[c.ID] = true
		}
		if c.Text == "" {
			bad("no claim: say what is claimed, in words")
		}
		for _, p := range checkCell(c.Cell) {
			bad("%s", p)
		}
		if c.Measure == "" {
			bad("no measure: name a field of the lab's records (%s)", fieldsOf(c.Lab))
		}
		mk, known := fieldKind(c.Lab, c.Measure)
		if c.Measure != "" && c.Lab != "" && !known {
			bad("unknown measure %q: lab %s's records have no such field (numbers: %s)", c.Measure, c.Lab, fieldsOf(c.Lab))
		}
		b, err := ParseBound(c.Bound, c.Measure, c.Ratio())
		switch {
		case err != nil:
			bad("%v", err)
		case known && b.IsWord && (mk == lab.Num || mk == lab.List):
			bad("bound %q compares %s, %s, with a word", c.Bound, c.Measure, mk)
		case known && !b.IsWord && (mk == lab.Str || mk == lab.Bool):
			bad("bound %q compares %s, %s, with a number", c.Bound, c.Measure, mk)
		case c.Ratio() && b.IsWord:
			bad("a ratio claim needs a numeric bound, not %q", c.Bound)
		}
		c.bound = b
		switch c.Of {
		case "":
			c.Of = "all"
		case "all", "any":
		default:
			bad("of %q: want all (every matching record) or any (at least one)", c.Of)
		}
		if c.Ratio() {
			bc := c.baselineCell()
			for _, p := range checkCell(bc) {
				bad("baseline: %s", p)
			}
			if bc.Lab != c.Lab {
				if _, ok := fieldKind(bc.Lab, c.Measure); !ok && bc.Lab != "" {
					bad("baseline: lab %s's records have no field %q", bc.Lab, c.Measure)
				}
			}
		}
	}
	return ps
}

// checkCell checks a cell against the labs there are: its lab, its fields,
// its faults, its flags.
func checkCell(c Cell) []string {
	var out []string
	if c.Lab == "" {
		return append(out, "no lab: name the lab whose records verify the claim")
	}
	l, err := labs.Get(c.Lab)
	if err != nil {
		return append(out, err.Error())
	}
	if c.Variant != "" {
		if _, err := path.Match(c.Variant, ""); err != nil {
			out = append(out, fmt.Sprintf("variant %q is not a valid pattern: %v", c.Variant, err))
		}
	}
	keys := make([]string, 0, len(c.filters()))
	for k := range c.filters() {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if _, ok := fieldKind(c.Lab, k); !ok {
			out = append(out, fmt.Sprintf("where: unknown field %q for lab %s", k, c.Lab))
		}
	}
	if c.Lab == "dns" {
		out = append(out, checkFaults(c)...)
	}
	flags := c.labFlags()
	if len(flags) > 0 {
		fs := pflag.NewFlagSet(l.Name, pflag.ContinueOnError)
		fs.SetOutput(io.Discard)
		if l.Config != nil {
			l.Config.Bind(fs)
		}
		names := make([]string, 0, len(flags))
		for k := range flags {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			if fs.Lookup(k) == nil {
				out = append(out, fmt.Sprintf("lab %s has no flag --%s (its flags: %s)", c.Lab, k, flagNames(fs)))
				continue
			}
			if err := fs.Set(k, flags[k]); err != nil {
				out = append(out, fmt.Sprintf("flag --%s=%q: %v", k, flags[k], err))
			}
		}
	}
	return out
}

func flagNames(fs *pflag.FlagSet) string {
	var names []string
	fs.VisitAll(func(f *pflag.Flag) { names = append(names, f.Name) })
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// checkFaults checks every fault a dns cell names — in where, in its
// variant (<base>/<fault>/<options>/<flags>, image/<fault>/<options>) and in
// its --faults flag — with dnsfaker's own parser.
func checkFaults(c Cell) []string {
	var faults []string
	if f, ok := c.filters()["fault"]; ok {
		faults = append(faults, f)
	}
	parts := strings.Split(c.Variant, "/")
	switch {
	case len(parts) == 4:
		faults = append(faults, parts[1])
	case len(parts) == 3 && parts[0] == "image":
		faults = append(faults, parts[1])
	}
	if v, ok := c.Flags["faults"]; ok {
		faults = append(faults, strings.Split(v, ",")...)
	}
	var out []string
	for _, f := range faults {
		if strings.ContainsAny(f, "*?[") {
			continue
		}
		if _, err := dnsfaker.ParseFault(f); err != nil {
			out = append(out, err.Error())
		}
	}
	return out
}

// SetImage points every claim that names a user's image (and its baseline)
// at ref instead, as CI does with the image it just built; it returns how
// many claims it changed.
func (f *File) SetImage(ref string) int {
	n := 0
	for i := range f.Claims {
		c := &f.Claims[i]
		if c.Image != "" {
			c.Image = ref
			n++
		}
		if c.Baseline != nil && c.Baseline.Image != "" {
			c.Baseline.Image = ref
		}
	}
	return n
}
