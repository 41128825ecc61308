package lint_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/baselab/baselab/harness/gobuild"
	"github.com/baselab/baselab/labs"
	"github.com/baselab/baselab/labs/lab"
	"github.com/baselab/baselab/labs/lint"
	"github.com/baselab/baselab/labs/scratch"
	"github.com/baselab/baselab/labs/wheel"
)

// labRow is one lab variant linted: the Dockerfile it builds, the outcome
// the lab records for it, and what baselab lint says.
type labRow struct {
	lab, dockerfile, variant, want string
	// rules are the findings that predict a failure this variant's cell
	// exercises; latent those whose failure needs something the cell does
	// not do (an HTTPS request, a named zone).
	rules, latent []lint.Finding
}

// scratchBuilds mirrors labs/scratch/programs.go: how each Binary is built.
var scratchBuilds = map[scratch.Binary]gobuild.Options{
	scratch.StaticBinary: {},
	scratch.CgoBinary:    {CGO: true},
	scratch.TzdataBinary: {Tags: []string{"timetzdata"}},
}

var (
	binsOnce sync.Once
	bins     map[scratch.Binary][]byte
	binsErr  error
)

// scratchPrograms builds the scratch lab's program the three ways its steps
// use, as the lab does, so that lint reads the same binaries the lab copies.
func scratchPrograms(t testing.TB) map[scratch.Binary][]byte {
	t.Helper()
	binsOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		bins = map[scratch.Binary][]byte{}
		var mu sync.Mutex
		var wg sync.WaitGroup
		var errs []error
		for kind, opts := range scratchBuilds {
			wg.Add(1)
			go func() {
				defer wg.Done()
				b, err := gobuild.Source(ctx, os.DirFS("../scratch"), "programs/app", opts)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					errs = append(errs, fmt.Errorf("build %s: %w", kind, err))
					return
				}
				bins[kind] = b
			}()
		}
		wg.Wait()
		if len(errs) > 0 {
			binsErr = errs[0]
		}
	})
	if binsErr != nil {
		t.Fatal(binsErr)
	}
	return bins
}

var argRef = regexp.MustCompile(`\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?`)

// classify splits a result's findings into those a variant's cell exercises
// and latent ones.
func classify(res *lint.Result, exercised map[string]bool) (rules, latent []lint.Finding) {
	for _, f := range res.Findings {
		r, _ := lint.RuleByID(f.Rule)
		switch {
		case len(r.Predicts) == 0:
		case r.When == "" || exercised[r.When]:
			rules = append(rules, f)
		default:
			latent = append(latent, f)
		}
	}
	return rules, latent
}

func lintLabFile(t testing.TB, path string, opts lint.Options) *lint.Result {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	res, err := lint.Lint(filepath.ToSlash(strings.TrimPrefix(path, "../")), src, opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// labRows lints every variant of the wheel and scratch labs, with the build
// args and build context the lab itself builds with.
func labRows(t testing.TB) []labRow {
	t.Helper()
	var rows []labRow
	for _, v := range wheel.Variants() {
		args := map[string]string{}
		for k, key := range v.Bases {
			args[k] = string(key)
		}
		for k, val := range v.Args {
			args[k] = val
		}
		res := lintLabFile(t, "../wheel/dockerfiles/"+v.Dockerfile, lint.Options{BuildArgs: args})
		rules, latent := classify(res, nil)
		rows = append(rows, labRow{lab: "wheel", dockerfile: "labs/wheel/dockerfiles/" + v.Dockerfile, variant: v.Name,
			want: v.Want, rules: rules, latent: latent})
	}
	progs := scratchPrograms(t)
	for _, v := range scratch.Variants() {
		path := "../scratch/dockerfiles/" + v.Dockerfile
		// The step's base is its final FROM's ARG; the other ARGs name
		// file sources (DEBIAN) that no rule needs to place.
		probe := lintLabFile(t, path, lint.Options{})
		args := map[string]string{}
		for _, st := range probe.Stages {
			if st.Final {
				for _, m := range argRef.FindAllStringSubmatch(st.From, -1) {
					args[m[1]] = string(v.Base)
				}
			}
		}
		ctx := fstest.MapFS{
			"app":                 {Data: progs[v.Binary], Mode: 0o755},
			"ca-certificates.crt": {Data: []byte("# the run's bundle: Debian's CAs and the lab's own\n")},
		}
		res := lintLabFile(t, path, lint.Options{BuildArgs: args, Context: ctx})
		rules, latent := classify(res, map[string]bool{lint.WhenHTTPS: v.HTTPS, lint.WhenZone: v.TZ})
		rows = append(rows, labRow{lab: "scratch", dockerfile: "labs/scratch/dockerfiles/" + v.Dockerfile, variant: v.Name,
			want: v.Want, rules: rules, latent: latent})
	}
	return rows
}

// TestLabFixtures: every failing variant of the wheel and scratch labs is
// flagged with a rule that predicts the outcome the lab records, and every
// working variant gets no finding that predicts a failure its cell would
// show.
func TestLabFixtures(t *testing.T) {
	for _, row := range labRows(t) {
		t.Run(row.lab+"/"+row.variant, func(t *testing.T) {
			if row.want == lab.Works {
				for _, f := range row.rules {
					t.Errorf("%s works in the lab, but lint says %s:%d %s: %s", row.dockerfile, f.Rule, f.Line, f.Severity, f.Message)
				}
				return
			}
			for _, f := range row.rules {
				r, _ := lint.RuleByID(f.Rule)
				if slices.Contains(r.Predicts, row.want) {
					return
				}
			}
			t.Errorf("%s fails in the lab with %s; lint's findings predict none of it: %v", row.dockerfile, row.want, row.rules)
		})
	}
}

// TestEveryLabDockerfileParses: BuildKit's parser reads every Dockerfile
// the project has, lab variants, lab build images and catalog recipes.
func TestEveryLabDockerfileParses(t *testing.T) {
	var paths []string
	for _, pat := range []string{"../*/dockerfiles/*.Dockerfile", "../*/build/*.Dockerfile", "../../fixtures/images/*.Dockerfile"} {
		m, _ := filepath.Glob(pat)
		for _, p := range m {
			if !strings.HasPrefix(p, "../lint/") { // this package's own include malformed ones
				paths = append(paths, p)
			}
		}
	}
	if len(paths) < 10 {
		t.Fatalf("found only %v", paths)
	}
	for _, p := range paths {
		src, _ := os.ReadFile(p)
		if _, err := lint.Lint(p, src, lint.Options{}); err != nil {
			t.Errorf("%v", err)
		}
	}
}

// TestRulesCiteRealCells: every lab cell a rule cites is one its lab runs.
func TestRulesCiteRealCells(t *testing.T) {
	variants := map[string][]string{}
	for _, l := range labs.All() {
		if l.Variants != nil {
			variants[l.Name] = l.Variants()
		}
	}
	exists := func(ref lint.Ref) bool {
		return slices.ContainsFunc(variants[ref.Lab], func(v string) bool { ok, _ := filepath.Match(ref.Variant, v); return ok })
	}
	for _, r := range lint.Rules() {
		for _, ref := range r.Records {
			if !exists(ref) {
				t.Errorf("%s cites %s/%s: no such cell (the lab has %d)", r.ID, ref.Lab, ref.Variant, len(variants[ref.Lab]))
			}
		}
	}
	// Findings cite cells of their own (the base's surface cell, the dns
	// cell of the option written): every one over the fixtures exists.
	names, _ := filepath.Glob("dockerfiles/*.Dockerfile")
	for _, p := range names {
		src, _ := os.ReadFile(p)
		res, err := lint.Lint(p, src, lint.Options{})
		if err != nil {
			continue // the malformed ones
		}
		for _, f := range res.Findings {
			for _, ref := range f.Cites {
				if !exists(ref) {
					t.Errorf("%s:%d %s cites %s/%s: no such cell", p, f.Line, f.Rule, ref.Lab, ref.Variant)
				}
			}
		}
	}
}

// The lab table in README.md is generated from labRows: this test fails
// when it drifts, and prints the table to paste.
func TestReadmeLabTableIsTrue(t *testing.T) {
	want := labTable(labRows(t))
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	const begin, end = "<!-- lab-table begin -->\n", "<!-- lab-table end -->"
	s := string(b)
	i, j := strings.Index(s, begin), strings.Index(s, end)
	if i < 0 || j < i {
		t.Fatalf("README.md has no %q … %q section; it should hold:\n%s", begin, end, want)
	}
	if got := s[i+len(begin) : j]; got != want {
		t.Errorf("README.md's lab table is out of date; it should read:\n%s", want)
	}
}

func labTable(rows []labRow) string {
	var b strings.Builder
	b.WriteString("| Dockerfile | variant | outcome | rule | what lint saw |\n|---|---|---|---|---|\n")
	for _, r := range rows {
		rule, saw := "—", ""
		if len(r.rules) > 0 {
			var ids, msgs []string
			for _, f := range r.rules {
				ids = append(ids, f.Rule)
				msgs = append(msgs, fmt.Sprintf("line %d: %s", f.Line, f.Message))
			}
			rule, saw = strings.Join(uniq(ids), ", "), strings.Join(msgs, "; ")
		}
		for _, f := range r.latent {
			rule, _ := lint.RuleByID(f.Rule)
			note := f.Rule + " latent: this step makes no HTTPS request"
			if rule.When == lint.WhenZone {
				note = f.Rule + " latent: this step loads no named zone"
			}
			if saw != "" {
				saw += "; "
			}
			saw += note
		}
		saw = strings.ReplaceAll(saw, "|", `\|`)
		fmt.Fprintf(&b, "| `%s` | %s | `%s` | %s | %s |\n", filepath.Base(r.dockerfile), r.variant, r.want, rule, saw)
	}
	return b.String()
}

func uniq(xs []string) []string {
	var out []string
	for _, x := range xs {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}
