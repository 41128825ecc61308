package exercise

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/harness/record"
	"github.com/baselab/baselab/labs/lab"
	surfacelab "github.com/baselab/baselab/labs/surface"
)

const ex3Hint = "labs/surface/README.md#what-it-measures-per-base"

func surface() Exercise {
	return Exercise{N: 3, Title: "compare attack surface", Load: loadSurface, Show: `Exercise 3: compare attack surface (course: "Security Scan Comparison";
lab: labs/surface/README.md).

Task: rank three or more bases from the smallest attack surface to the
largest, with the numbers that put them in that order.

Hand in a folder with answer.yaml:
  ranking:                 # smallest surface first
    - base: scratch        # a catalog key (baselab fixtures list)
      packages: 0          # in the image's package database
      shells: 0            # shells in the bin folders, busybox applets too
      setuid: 0            # regular files with the setuid bit
      cves: 0              # optional; checked only where trivy or grype
                           # has a database on this machine

Checked against the surface lab's reading of the same images (their files,
read through a created container, never started): each number equal to the
measured one · the order: by shells, then setuid files, then packages (what
an intruder reaches for first), each base no larger than the next.`}
}

type surfaceEntry struct {
	Base     string `yaml:"base"`
	Packages *int   `yaml:"packages"`
	Shells   *int   `yaml:"shells"`
	Setuid   *int   `yaml:"setuid"`
	CVEs     *int   `yaml:"cves"`
}

type surfaceHandIn struct {
	dir     string
	ranking []surfaceEntry
}

func loadSurface(dir string) (HandIn, error) {
	if err := folder(dir); err != nil {
		return nil, err
	}
	var a struct {
		Ranking []surfaceEntry `yaml:"ranking"`
	}
	if err := readAnswer(dir, &a); err != nil {
		return nil, err
	}
	p := filepath.Join(dir, AnswerFile)
	if len(a.Ranking) < 3 {
		return nil, fmt.Errorf("%s: ranking: %d bases given; rank three or more", p, len(a.Ranking))
	}
	var seen []string
	for i, e := range a.Ranking {
		if _, err := images.Lookup(images.Key(e.Base)); err != nil {
			return nil, fmt.Errorf("%s: ranking[%d]: base: %w", p, i, err)
		}
		if slices.Contains(seen, e.Base) {
			return nil, fmt.Errorf("%s: ranking[%d]: %s is ranked twice", p, i, e.Base)
		}
		seen = append(seen, e.Base)
		if e.Packages == nil || e.Shells == nil || e.Setuid == nil {
			return nil, fmt.Errorf("%s: ranking[%d] (%s): give packages:, shells: and setuid:", p, i, e.Base)
		}
	}
	return &surfaceHandIn{dir: dir, ranking: a.Ranking}, nil
}

// measuredSurface is what the lab read of one base.
type measuredSurface struct {
	packages, shells, setuid int
	cves                     *int
	rec                      record.Record
}

// less orders two bases the way the exercise ranks them.
func (m measuredSurface) key() [3]int { return [3]int{m.shells, m.setuid, m.packages} }

func (h *surfaceHandIn) Grade(ctx context.Context, env *lab.Env) (*Grade, error) {
	g := &Grade{Exercise: 3, Title: "compare attack surface", Path: h.dir}
	var bases []string
	for _, e := range h.ranking {
		bases = append(bases, e.Base)
	}
	// The surface lab's variants are its bases: Only picks the learner's.
	recs, err := surfacelab.New().Run(ctx, env.With(bases))
	if err != nil {
		return nil, fmt.Errorf("run the surface lab on %s: %w", strings.Join(bases, ", "), err)
	}
	got := map[string]measuredSurface{}
	for _, r := range recs {
		m := measuredSurface{packages: int(r.Int("packages")), shells: r.Len("shells"), setuid: r.Len("setuid"), rec: r}
		if v, ok := r.Float("cves"); ok {
			n := int(v)
			m.cves = &n
		}
		got[r.Variant] = m
	}
	for _, e := range h.ranking {
		m, ok := got[e.Base]
		if !ok {
			return nil, fmt.Errorf("surface lab: no record of %s", e.Base)
		}
		ev := fmt.Sprintf("surface/%s on %s: %s", e.Base, m.rec.Image, m.rec.Detail)
		if m.rec.Standin {
			ev += " (a stand-in: its numbers are its own, not the registry image's)"
		}
		var wrong []string
		if *e.Packages != m.packages {
			wrong = append(wrong, fmt.Sprintf("packages %d, measured %d", *e.Packages, m.packages))
		}
		if *e.Shells != m.shells {
			wrong = append(wrong, fmt.Sprintf("shells %d, measured %d (%s)", *e.Shells, m.shells, strings.Join(m.rec.Strings("shells"), ", ")))
		}
		if *e.Setuid != m.setuid {
			wrong = append(wrong, fmt.Sprintf("setuid %d, measured %d (%s)", *e.Setuid, m.setuid, strings.Join(m.rec.Strings("setuid"), ", ")))
		}
		switch {
		case e.CVEs != nil && m.cves != nil && *e.CVEs != *m.cves:
			wrong = append(wrong, fmt.Sprintf("cves %d, measured %d", *e.CVEs, *m.cves))
		case e.CVEs != nil && m.cves == nil:
			g.note("%s: your CVE count (%d) is not checked: %s", e.Base, *e.CVEs, cveWhy(m.rec))
		}
		measured := fmt.Sprintf("packages %d, shells %d, setuid %d", m.packages, m.shells, m.setuid)
		if len(wrong) > 0 {
			measured = strings.Join(wrong, "; ")
		}
		g.add(e.Base+" numbers", len(wrong) == 0, measured, ev, ex3Hint)
	}
	var order []string
	ok := true
	for i, e := range h.ranking {
		k := got[e.Base].key()
		order = append(order, fmt.Sprintf("%s %v", e.Base, k))
		if i > 0 && compareKeys(got[h.ranking[i-1].Base].key(), k) > 0 {
			ok = false
		}
	}
	g.add("ranking", ok, "measured [shells setuid packages] in your order: "+strings.Join(order, " < "), "",
		ex3Hint+" (a shell is what an intruder reaches for first, then a setuid program, then whatever else is installed)")
	return g, nil
}

func compareKeys(a, b [3]int) int {
	for i := range a {
		if a[i] != b[i] {
			return a[i] - b[i]
		}
	}
	return 0
}

// cveWhy is the surface lab's own reason a record has no CVE count.
func cveWhy(r record.Record) string {
	if i := strings.Index(r.Detail, "CVEs not counted"); i >= 0 {
		return r.Detail[i:]
	}
	return "no scanner with a database on this machine"
}
