package lint

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// lintFixture lints dockerfiles/name.
func lintFixture(t testing.TB, name string, opts Options) *Result {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("dockerfiles", name))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Lint(name, src, opts)
	if err != nil {
		t.Fatalf("lint %s: %v", name, err)
	}
	return res
}

func ruleIDs(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		if !slices.Contains(out, f.Rule) {
			out = append(out, f.Rule)
		}
	}
	slices.Sort(out)
	return out
}

// Each rule, a Dockerfile that triggers it and one that does not.
var ruleTable = []struct {
	rule    string
	trigger []string
	clean   []string
}{
	{UntaggedBase, []string{"untagged-base.Dockerfile", "course-mistake-1-latest.Dockerfile"},
		[]string{"tagged-base.Dockerfile", "digest-pinned-base.Dockerfile"}},
	{NoDigest, []string{"tagged-base.Dockerfile", "apk-pinned.Dockerfile"},
		[]string{"digest-pinned-base.Dockerfile", "distroless-private-ca.Dockerfile"}},
	{GlibcIntoMusl, []string{"site-packages-from-slim.Dockerfile", "node-modules-from-debian.Dockerfile",
		"pip-platform-manylinux.Dockerfile", "glibc-program-into-alpine.Dockerfile"},
		[]string{"wheels-built-on-musl.Dockerfile", "static-go-into-alpine.Dockerfile", "course-debug-this-segfault.Dockerfile"}},
	{MuslSourceBld, []string{"pip-builds-on-alpine.Dockerfile", "course-mistake-2-alpine-always-better.Dockerfile"},
		[]string{"build-deps-removed-same-run.Dockerfile", "wheels-built-on-musl.Dockerfile"}},
	{BuildTools, []string{"build-tools-in-final.Dockerfile", "golang-final.Dockerfile", "pip-builds-on-alpine.Dockerfile",
		"course-mistake-3-unnecessary-tools.Dockerfile"},
		[]string{"build-tools-in-build-stage.Dockerfile", "build-deps-removed-same-run.Dockerfile", "wheels-built-on-musl.Dockerfile"}},
	{CgoNoLibc, []string{"cgo-go-into-scratch.Dockerfile"},
		[]string{"static-go-into-scratch.Dockerfile", "golang-alpine-into-scratch.Dockerfile", "course-scratch-go.Dockerfile"}},
	{NoCABundle, []string{"scratch-bare.Dockerfile"},
		[]string{"static-go-into-scratch.Dockerfile", "scratch-user-numeric.Dockerfile"}},
	{NoZoneinfo, []string{"scratch-bare.Dockerfile"},
		[]string{"static-go-into-scratch.Dockerfile", "golang-alpine-into-scratch.Dockerfile"}},
	{UserNoPasswd, []string{"scratch-user-by-name.Dockerfile", "distroless-user-app.Dockerfile"},
		[]string{"static-go-into-scratch.Dockerfile", "scratch-user-numeric.Dockerfile", "distroless-private-ca.Dockerfile"}},
	{DNSNoop, []string{"course-alpine-dns-fix.Dockerfile", "dns-use-vc-written-debian.Dockerfile", "dns-res-options-alpine.Dockerfile",
		"buildkit-syntax.Dockerfile"},
		[]string{"dns-res-options-debian.Dockerfile", "tagged-base.Dockerfile"}},
	{RunsAsRoot, []string{"root-by-default.Dockerfile", "root-explicit.Dockerfile", "course-mistake-1-latest.Dockerfile"},
		[]string{"non-root-user.Dockerfile", "distroless-stock-ca.Dockerfile", "static-go-into-scratch.Dockerfile"}},
	{Unpinned, []string{"apk-unpinned.Dockerfile", "course-mistake-3-unnecessary-tools.Dockerfile"},
		[]string{"apk-pinned.Dockerfile", "build-deps-removed-same-run.Dockerfile"}},
	{StockCABundle, []string{"distroless-stock-ca.Dockerfile"},
		[]string{"distroless-private-ca.Dockerfile"}},
}

func TestEachRuleHasATriggerAndACleanFixture(t *testing.T) {
	covered := map[string]bool{}
	for _, tc := range ruleTable {
		covered[tc.rule] = true
		if len(tc.trigger) == 0 || len(tc.clean) == 0 {
			t.Errorf("%s: needs a trigger and a clean fixture", tc.rule)
		}
		for _, name := range tc.trigger {
			t.Run(tc.rule+" flags "+name, func(t *testing.T) {
				res := lintFixture(t, name, Options{})
				if !slices.Contains(ruleIDs(res.Findings), tc.rule) {
					t.Errorf("%s: got %v, want %s among them", name, ruleIDs(res.Findings), tc.rule)
				}
			})
		}
		for _, name := range tc.clean {
			t.Run(tc.rule+" leaves "+name+" alone", func(t *testing.T) {
				res := lintFixture(t, name, Options{})
				for _, f := range res.Findings {
					if f.Rule == tc.rule {
						t.Errorf("%s:%d: %s: %s", name, f.Line, f.Rule, f.Message)
					}
				}
			})
		}
	}
	for _, r := range Rules() {
		if !covered[r.ID] {
			t.Errorf("rule %s has no fixtures in ruleTable", r.ID)
		}
	}
}

// The course's Dockerfiles, rewritten as fixtures, and what each one gets:
// exactly these rules, no more.
func TestCourseDockerfilesGetExactlyTheirFindings(t *testing.T) {
	for _, tc := range []struct {
		file string
		want []string
	}{
		{"course-mistake-1-latest.Dockerfile", []string{UntaggedBase, RunsAsRoot}},
		{"course-mistake-2-alpine-always-better.Dockerfile", []string{NoDigest, MuslSourceBld, BuildTools, RunsAsRoot, Unpinned}},
		{"course-mistake-3-unnecessary-tools.Dockerfile", []string{NoDigest, BuildTools, RunsAsRoot, Unpinned}},
		// pip on musl does not install manylinux wheels (the wheel lab
		// measured it): nothing here puts a glibc build on musl.
		{"course-debug-this-segfault.Dockerfile", []string{NoDigest, RunsAsRoot}},
		{"course-alpine-dns-fix.Dockerfile", []string{NoDigest, DNSNoop, RunsAsRoot}},
		{"course-scratch-go.Dockerfile", []string{NoDigest}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			got := ruleIDs(lintFixture(t, tc.file, Options{}).Findings)
			want := slices.Clone(tc.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
}

// Every fixture's header comment says what it triggers: the rules it
// names after "Triggers" must be among its findings.
func TestFixtureCommentsSayWhatTheyTrigger(t *testing.T) {
	names, err := filepath.Glob("dockerfiles/*.Dockerfile")
	if err != nil || len(names) == 0 {
		t.Fatal("no fixtures", err)
	}
	for _, p := range names {
		name := filepath.Base(p)
		if strings.HasPrefix(name, "malformed") {
			continue
		}
		src, _ := os.ReadFile(p)
		head, _, _ := strings.Cut(string(src), "\nFROM")
		i := strings.Index(head, "Triggers ")
		if i < 0 {
			continue
		}
		res := lintFixture(t, name, Options{})
		for _, id := range ruleWord.FindAllString(head[i:], -1) {
			if !slices.Contains(ruleIDs(res.Findings), id) {
				t.Errorf("%s says it triggers %s; got %v", name, id, ruleIDs(res.Findings))
			}
		}
	}
}

var ruleWord = regexp.MustCompile(`BL[0-9]{3}`)

func TestEveryRuleIsComplete(t *testing.T) {
	labs := set("dns", "wheel", "scratch", "size", "surface")
	for i, r := range Rules() {
		if want := fmt.Sprintf("BL%03d", i+1); r.ID != want {
			t.Errorf("rule %d is %s, want %s: ids follow the table", i, r.ID, want)
		}
		if r.Title == "" || r.Why == "" || len(r.Records) == 0 {
			t.Errorf("%s: title, why and records are required", r.ID)
		}
		if !labs[r.Lab] {
			t.Errorf("%s: lab %q is not one of the labs", r.ID, r.Lab)
		}
		if !strings.Contains(r.Why, r.Lab+" lab") {
			t.Errorf("%s: why does not name the %s lab", r.ID, r.Lab)
		}
		if r.Severity != SevError && r.Severity != SevWarning && r.Severity != SevInfo {
			t.Errorf("%s: severity %q", r.ID, r.Severity)
		}
	}
}
