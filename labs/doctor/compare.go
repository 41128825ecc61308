package doctor

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/baselab/baselab/harness/engine"
	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/harness/junit"
	"github.com/baselab/baselab/labs/lab"
	"github.com/baselab/baselab/labs/surface"
)

// Side is one image of a comparison: doctor's report and the surface.
type Side struct {
	Report   *Report  `json:"doctor"`
	Size     int64    `json:"size_bytes"`
	Layers   int      `json:"layers"`
	Packages int      `json:"packages"`
	DB       string   `json:"package_db"`
	Shells   []string `json:"shells"`
	Managers []string `json:"package_managers"`
	Setuid   []string `json:"setuid"`
	User     string   `json:"user"`
}

// Comparison is a migration from Old to New in one page.
type Comparison struct {
	Old Side `json:"old"`
	New Side `json:"new"`
	// Breaks are NEW's findings OLD did not have (same check, face and
	// file); Fixes OLD's that NEW has not.
	Breaks []Finding `json:"breaks"`
	Fixes  []Finding `json:"fixes"`
	// Probe and DNS: with --probe, the user's lookup command and the DNS
	// lab's faults run with it on both images.
	Probe string     `json:"probe,omitempty"`
	DNS   []ProbeRow `json:"dns,omitempty"`
}

// DNSWorse counts the faults under which NEW's lookups are worse.
func (c *Comparison) DNSWorse() int {
	n := 0
	for _, r := range c.DNS {
		if r.Worse {
			n++
		}
	}
	return n
}

// NewErrors counts the error findings NEW brings.
func (c *Comparison) NewErrors() int {
	n := 0
	for _, f := range c.Breaks {
		if f.Severity == SevError {
			n++
		}
	}
	return n
}

// Compare loads both images and sets them side by side.
func Compare(ctx context.Context, eng *engine.Engine, oldRef, newRef string) (*Comparison, error) {
	var sides [2]Side
	for i, ref := range []string{oldRef, newRef} {
		im, err := Load(ctx, eng, ref)
		if err != nil {
			return nil, err
		}
		s, err := side(im)
		if err != nil {
			return nil, err
		}
		sides[i] = s
	}
	return compareSides(sides[0], sides[1]), nil
}

func side(im *Image) (Side, error) {
	f, err := surface.Read(im.FS)
	if err != nil {
		return Side{}, fmt.Errorf("read surface of %s: %w", im.Ref, err)
	}
	s := Side{Report: Diagnose(im), Size: im.Size, Layers: im.Layers, Packages: len(f.Packages), DB: f.DB,
		Setuid: nonNil(f.Setuid), User: im.Config.User, Shells: []string{}, Managers: []string{}}
	for _, p := range f.Shells {
		s.Shells = append(s.Shells, p.Label())
	}
	for _, p := range f.Managers {
		s.Managers = append(s.Managers, p.Label())
	}
	return s, nil
}

func compareSides(old, new Side) *Comparison {
	key := func(f Finding) string { return f.Check + "|" + f.Face + "|" + f.File }
	had := map[string]bool{}
	for _, f := range old.Report.Findings {
		had[key(f)] = true
	}
	has := map[string]bool{}
	c := &Comparison{Old: old, New: new, Breaks: []Finding{}, Fixes: []Finding{}}
	for _, f := range new.Report.Findings {
		has[key(f)] = true
		if !had[key(f)] {
			c.Breaks = append(c.Breaks, f)
		}
	}
	for _, f := range old.Report.Findings {
		if !has[key(f)] {
			c.Fixes = append(c.Fixes, f)
		}
	}
	return c
}

// maxListed keeps the summary short enough for a pull-request comment.
const maxListed = 10

// WriteMarkdown writes the summary.
func WriteMarkdown(w io.Writer, c *Comparison) {
	o, n := c.Old, c.New
	fmt.Fprintf(w, "### baselab compare: `%s` → `%s`\n\n", o.Report.Image, n.Report.Image)
	if e := c.NewErrors(); e > 0 {
		fmt.Fprintf(w, "**NEW breaks %d thing(s) OLD did not** (exit 1).\n\n", e)
	} else {
		fmt.Fprintf(w, "NEW brings no error finding OLD did not have.\n\n")
	}
	if d := c.DNSWorse(); d > 0 {
		fmt.Fprintf(w, "**NEW's lookups are worse under %d of the DNS lab's faults** (exit 1).\n\n", d)
	}
	fmt.Fprintf(w, "| | OLD | NEW |\n|---|---|---|\n")
	row := func(name, a, b string) { fmt.Fprintf(w, "| %s | %s | %s |\n", name, a, b) }
	row("size", mb(o.Size), mb(n.Size))
	row("layers", fmt.Sprint(o.Layers), fmt.Sprint(n.Layers))
	row("C library", libcName(o.Report.Libc), libcName(n.Report.Libc))
	row("packages", fmt.Sprintf("%d (%s)", o.Packages, o.DB), fmt.Sprintf("%d (%s)", n.Packages, n.DB))
	row("shells", dash(o.Shells), dash(n.Shells))
	row("package managers", dash(o.Managers), dash(n.Managers))
	row("setuid files", fmt.Sprint(len(o.Setuid)), fmt.Sprint(len(n.Setuid)))
	row("user", orRoot(o.User), orRoot(n.User))
	row("doctor: errors / warnings", fmt.Sprintf("%d / %d", o.Report.Errors(), len(o.Report.Findings)-o.Report.Errors()),
		fmt.Sprintf("%d / %d", n.Report.Errors(), len(n.Report.Findings)-n.Report.Errors()))
	list := func(title string, fs []Finding) {
		if len(fs) == 0 {
			return
		}
		fmt.Fprintf(w, "\n**%s**\n\n", title)
		for i, f := range fs {
			if i == maxListed {
				fmt.Fprintf(w, "- … and %d more (`baselab doctor %s`)\n", len(fs)-maxListed, n.Report.Image)
				break
			}
			lab := ""
			if f.Lab != "" {
				lab = " — `baselab run " + f.Lab + "`"
			}
			fmt.Fprintf(w, "- %s `%s` %s: `%s`%s\n", f.Severity, f.Face, orConfig(f.File), f.Text, lab)
		}
	}
	list("What NEW breaks", c.Breaks)
	list("What NEW fixes", c.Fixes)
	writeProbeMarkdown(w, c.Probe, c.DNS)
}

// WriteCompareJSON writes the comparison behind the summary.
func WriteCompareJSON(w io.Writer, c *Comparison) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(c)
}

// WriteCompareJUnit writes one case per check: it fails when NEW has an
// error finding of that check OLD did not.
func WriteCompareJUnit(w io.Writer, c *Comparison) error {
	r := &Report{Image: c.Old.Report.Image + " -> " + c.New.Report.Image, Findings: c.Breaks}
	s := junitSuite(r)
	s.Cases = append(s.Cases, probeCases(r.Image, c.DNS)...)
	return junit.Write(w, junit.Suites{Name: "baselab compare", Suites: []junit.Suite{s}})
}

func mb(b int64) string { return fmt.Sprintf("%.1f MB", float64(b)/1e6) }

func dash(xs []string) string {
	if len(xs) == 0 {
		return "—"
	}
	return strings.Join(xs, ", ")
}

func orRoot(u string) string {
	if u == "" {
		return "root (unset)"
	}
	return u
}

func nonNil(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

// CompareCommand is `baselab compare` with its flags.
type CompareCommand struct {
	JSON     bool
	JUnit    string
	Markdown string
	// Probe, when set, is the user's lookup command ({name} for the name):
	// the DNS lab's faults run with it on both images.
	Probe string
	// Faults are the DNS lab's faults to run with Probe; empty: its defaults.
	Faults []string
}

// Run compares OLD and NEW and returns the exit status.
func (c CompareCommand) Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) != 2 {
		fmt.Fprintln(stderr, "baselab compare: give two images, OLD and NEW")
		return ExitUsage
	}
	if c.Probe != "" {
		if err := checkProbe(c.Probe, c.Faults); err != nil {
			fmt.Fprintf(stderr, "baselab compare: %v\n", err)
			return ExitUsage
		}
	}
	eng, err := engine.Connect(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "baselab compare: %v\n", err)
		return ExitBadImage
	}
	defer eng.API.Close()
	cmp, err := Compare(ctx, eng, args[0], args[1])
	if err != nil {
		fmt.Fprintf(stderr, "baselab compare: %v\n", err)
		return ExitBadImage
	}
	if c.Probe != "" {
		// The DNS lab's server and timer come from the catalog (it never
		// pulls in local mode); its progress lines go to stderr.
		cat, err := images.New(eng, images.Options{Progress: stderr})
		if err == nil {
			cmp.Probe = c.Probe
			cmp.DNS, err = probeBoth(ctx, &lab.Env{Engine: eng, Catalog: cat, Progress: stderr}, args[0], args[1], c.Probe, c.Faults)
		}
		if err != nil {
			fmt.Fprintf(stderr, "baselab compare: %s\n", oneLine(err))
			return ExitBadImage
		}
	}
	if c.JSON {
		err = WriteCompareJSON(stdout, cmp)
	} else {
		WriteMarkdown(stdout, cmp)
	}
	if err == nil && c.Markdown != "" {
		err = writeFile(c.Markdown, func(w io.Writer) error { WriteMarkdown(w, cmp); return nil })
	}
	if err == nil && c.JUnit != "" {
		err = writeFile(c.JUnit, func(w io.Writer) error { return WriteCompareJUnit(w, cmp) })
	}
	if err != nil {
		fmt.Fprintf(stderr, "baselab compare: write output: %v\n", err)
		return ExitUsage
	}
	if cmp.NewErrors() > 0 || cmp.DNSWorse() > 0 {
		return ExitFindings
	}
	return ExitClean
}
