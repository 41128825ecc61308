package claims

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/baselab/baselab/harness/junit"
	"github.com/baselab/baselab/harness/record"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Test data, not measurements: records shaped as the labs write them, with
// values of the size the DNS lab's notes (labs/dns/resolver-notes.md)
// measured — musl resends after 2.5 s, glibc waits 5 s, Go is not hit.
// They go through a results file, as `baselab claims --results` reads them.

func trec(lab, variant, base, libc, outcome string, ms ...float64) record.Record {
	r := record.Record{Lab: lab, Variant: variant, Base: base, Libc: libc, Standin: true, Outcome: outcome,
		Image:   fmt.Sprintf("baselab/%s:testdata@sha256:%064d", base, len(variant)),
		Started: time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC), Tries: len(ms), OK: len(ms), Detail: "test data"}
	r.Timings(ms)
	return r
}

func dnsRec(base, resolver, fault, opts, outcome string, ms ...float64) record.Record {
	slug := "none"
	if opts != "" {
		slug = strings.ReplaceAll(opts, " ", "+")
	}
	libc := map[string]string{"musl": "musl-1.2.3", "glibc": "glibc-2.36", "go": "none"}[resolver]
	r := trec("dns", fmt.Sprintf("%s/%s/%s/none", base, fault, slug), base, libc, outcome, ms...)
	r.Set("resolver", resolver)
	r.Set("fault", fault)
	r.Set("options", opts)
	r.Set("flags", "none")
	r.Set("a_only", 0)
	r.Set("queries", 2*len(ms))
	r.Set("ports", len(ms))
	return r
}

func testResults(t *testing.T) []record.Record {
	t.Helper()
	fail := dnsRec("alpine", "musl", "servfail:AAAA", "", "fail-stall", 5004, 5003, 5004)
	fail.OK, fail.Failed = 0, 3
	user := trec("dns", "image/race/none", "registry.example.org/team/api:alpine", "musl-1.2.5", "ok-stall", 2540, 2561, 2533)
	user.Image = "registry.example.org/team/api:alpine@sha256:" + strings.Repeat("ab", 32)
	user.Set("resolver", "user")
	user.Set("fault", "race")
	user.Set("options", "")
	seg := trec("wheel", "glibc abi3 wheel forced onto python-alpine loads and segfaults when called", "python-alpine", "musl-1.2.3", "segfault", 40)
	seg.Set("signal", "SIGSEGV")
	sizeAlpine := trec("size", "base/alpine", "alpine", "musl-1.2.3", "measured")
	sizeAlpine.Set("size_bytes", 2689118)
	sizeAlpine.StandinLacks = []string{"size", "package-database", "package-manager"} // as lab.Stamp writes for the alpine stand-in
	sizeSlim := trec("size", "base/slim", "slim", "glibc-2.36", "measured")
	sizeSlim.Set("size_bytes", 73088084)
	noCVE := trec("surface", "alpine", "alpine", "musl-1.2.3", "shell+pm", 650)
	noCVE.Set("cves", nil)
	noCVE.Set("shells", []string{"ash (busybox applet)", "busybox", "sh (busybox applet)"})
	in := []record.Record{
		dnsRec("alpine", "musl", "race", "", "both-stall", 2522, 2523, 2523),
		dnsRec("alpine", "musl", "race", "single-request", "both-stall", 2522, 2523, 2524),
		dnsRec("slim", "glibc", "race", "", "both-stall", 5046, 5044, 5047),
		dnsRec("slim", "glibc", "race", "single-request", "both-fast", 50.2, 50.3, 50.4),
		dnsRec("slim", "glibc", "ok", "", "both-fast", 0.5, 0.6, 0.7),
		dnsRec("distroless-static", "go", "race", "", "both-fast", 22, 22, 21),
		fail, user, seg,
		trec("wheel", "site-packages copied from a glibc stage into python-alpine is not found", "python-alpine", "musl-1.2.3", "module-not-found", 35),
		trec("wheel", "fix: python-slim runs the abi3 wheel that segfaulted on alpine", "python-slim", "glibc-2.36", "works", 38),
		sizeAlpine, sizeSlim, noCVE,
	}
	dir := t.TempDir()
	w, err := record.Create(dir)
	require.NoError(t, err)
	for _, r := range in {
		require.NoError(t, w.Write(r))
	}
	require.NoError(t, w.Close())
	rs, err := record.Read(dir)
	require.NoError(t, err)
	return rs
}

const evalFile = `name: eval
claims:
  - {id: musl-stalls, claim: musl stalls under race, lab: dns, variant: alpine/race/none/none, measure: p95_ms, bound: ">= 1000"}
  - {id: glibc-sequential, claim: glibc is fast under race, lab: dns, variant: slim/race/none/none, measure: p95_ms, bound: "< 500"}
  - {id: slim-all-fast, claim: every slim cell is fast, lab: dns, variant: "slim/*/none/none", measure: p95_ms, bound: "< 500"}
  - {id: slim-some-fast, claim: some slim cell is fast, lab: dns, variant: "slim/*/*/none", of: any, measure: p95_ms, bound: "< 500"}
  - {id: where-filters, claim: the go resolver is fast, lab: dns, where: {resolver: go, fault: race}, measure: p95_ms, bound: "< 100"}
  - {id: shorthand-options, claim: glibc with single-request is fast, lab: dns, base: slim, fault: race, options: single-request, measure: max_ms, bound: "< 100"}
  - id: ratio-alpine
    claim: single-request makes alpine 5x faster
    lab: dns
    variant: alpine/race/single-request/none
    baseline: {variant: alpine/race/none/none}
    measure: p95_ms
    bound: "< 0.2"
  - id: ratio-glibc
    claim: single-request makes slim 5x faster
    lab: dns
    variant: slim/race/single-request/none
    baseline: {variant: slim/race/none/none}
    measure: p95_ms
    bound: "< 0.2"
  - {id: servfail-fails, claim: musl fails on servfail AAAA, lab: dns, variant: "alpine/servfail:AAAA/none/none", measure: failed, bound: ">= 1"}
  - {id: segfault-any, claim: some glibc wheel segfaults, lab: wheel, variant: "*glibc*python-alpine*", of: any, measure: outcome, bound: "== segfault"}
  - {id: segfault-all, claim: every glibc wheel segfaults, lab: wheel, variant: "*glibc*python-alpine*", measure: outcome, bound: "== segfault"}
  - {id: slim-works, claim: slim runs it, lab: wheel, variant: "fix: python-slim runs the abi3 wheel that segfaulted on alpine", measure: outcome, bound: "== works"}
  - {id: size-7mb, claim: alpine is about 7 MB, lab: size, variant: base/alpine, measure: size_bytes, bound: within 30% of 7 MB}
  - {id: shells-counted, claim: alpine has no shell, lab: surface, variant: alpine, measure: shells, bound: "== 0"}
  - {id: cves-null, claim: alpine has no CVEs, lab: surface, variant: alpine, measure: cves, bound: "== 0"}
  - {id: nothing-matches, claim: a cell nobody ran, lab: dns, variant: scratch/race/none/none, measure: p95_ms, bound: "< 500"}
  - {id: user-image, claim: our image stalls under race, lab: dns, image: "registry.example.org/team/api:alpine", probe: "getent ahosts {name}", variant: image/race/none, measure: p95_ms, bound: "< 1 s"}
`

func TestVerdictsAgainstAResultsFile(t *testing.T) {
	f, err := Parse(strings.NewReader(evalFile), "eval.yaml")
	require.NoError(t, err)
	vs := Evaluate(f, testResults(t))
	got := map[string]Verdict{}
	for _, v := range vs {
		got[v.Claim.ID] = v
	}
	cases := []struct {
		id      string
		status  Status
		value   float64 // NaN: a word or nothing
		word    string
		variant string // the record behind the verdict
	}{
		{"musl-stalls", Holds, 2523, "", "alpine/race/none/none"},
		{"glibc-sequential", Refuted, 5047, "", "slim/race/none/none"},
		{"slim-all-fast", Refuted, 5047, "", "slim/race/none/none"},
		{"slim-some-fast", Holds, 50.4, "", "slim/race/single-request/none"}, // the first that keeps the bound
		{"where-filters", Holds, 22, "", "distroless-static/race/none/none"},
		{"shorthand-options", Holds, 50.4, "", "slim/race/single-request/none"},
		{"ratio-alpine", Refuted, 2524.0 / 2523, "", "alpine/race/single-request/none"},
		{"ratio-glibc", Holds, 50.4 / 5047, "", "slim/race/single-request/none"},
		{"servfail-fails", Holds, 3, "", "alpine/servfail:AAAA/none/none"},
		{"segfault-any", Holds, math.NaN(), "segfault", "glibc abi3 wheel forced onto python-alpine loads and segfaults when called"},
		{"segfault-all", Refuted, math.NaN(), "module-not-found", "site-packages copied from a glibc stage into python-alpine is not found"},
		{"slim-works", Holds, math.NaN(), "works", "fix: python-slim runs the abi3 wheel that segfaulted on alpine"},
		// The alpine stand-in does not reproduce the registry image's size:
		// the number is shown, the claim is not judged offline.
		{"size-7mb", NotJudged, 2689118, "", "base/alpine"},
		{"shells-counted", Refuted, 3, "", "alpine"},
		{"cves-null", CouldNotMeasure, math.NaN(), "", ""},
		{"nothing-matches", CouldNotMeasure, math.NaN(), "", ""},
		{"user-image", Refuted, 2561, "", "image/race/none"},
	}
	require.Len(t, vs, len(cases))
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			v, ok := got[c.id]
			require.True(t, ok)
			assert.Equal(t, c.status, v.Status, v.Line())
			if math.IsNaN(c.value) {
				assert.True(t, math.IsNaN(v.Value), "no number: %v", v.Value)
			} else {
				assert.InDelta(t, c.value, v.Value, 1e-9)
			}
			assert.Equal(t, c.word, v.Word)
			if c.variant == "" {
				assert.Nil(t, v.Record)
				assert.NotEmpty(t, v.Why, "no data says why")
				return
			}
			require.NotNil(t, v.Record)
			assert.Equal(t, c.variant, v.Record.Variant)
			assert.Contains(t, v.Evidence(), v.Record.Image, "the verdict names the image")
			assert.Contains(t, v.Evidence(), v.Record.Libc)
		})
	}
	assert.Contains(t, got["cves-null"].Why, "cves is null (nothing was measured)")
	assert.Contains(t, got["nothing-matches"].Why, "no record matches lab dns variant scratch/race/none/none")
}

func TestTextOutputHasAVerdictAndANumberPerClaim(t *testing.T) {
	f, err := Parse(strings.NewReader(evalFile), "eval.yaml")
	require.NoError(t, err)
	vs := Evaluate(f, testResults(t))
	var b bytes.Buffer
	s := WriteText(&b, f, vs)
	out := b.String()
	assert.Equal(t, Summary{Holds: 8, Refuted: 6, CouldNotMeasure: 2, NotJudged: 1}, s)
	assert.False(t, s.OK())
	assert.Contains(t, out, "REFUTED  glibc-sequential: glibc is fast under race\n         p95_ms = 5047 (bound < 500)\n         dns/slim/race/none/none on baselab/slim:testdata@sha256:")
	assert.Contains(t, out, "p95_ms of slim/race/single-request/none ÷ slim/race/none/none = 0.009986 (bound < 0.2) = 50.4 / 5047")
	assert.Contains(t, out, "NOT JUDGED OFFLINE (stand-in) size-7mb")
	assert.Contains(t, out, "size_bytes = 2689118 (2.69 MB) (bound within 30% of 7 MB); not judged: size/base/alpine runs on a stand-in")
	assert.Contains(t, out, "does not reproduce the registry image's size")
	assert.Contains(t, out, "outcome = module-not-found (bound == segfault, all of 2 records)")
	assert.Contains(t, out, "(glibc-2.36, stand-in)")
	assert.Contains(t, out, "eval: 17 claims: 8 hold, 6 refuted, 2 could not be measured, 1 not judged offline\n")
}

func TestJUnitParsesAndCountsFailuresAndErrors(t *testing.T) {
	f, err := Parse(strings.NewReader(evalFile), "eval.yaml")
	require.NoError(t, err)
	vs := Evaluate(f, testResults(t))
	var b bytes.Buffer
	require.NoError(t, WriteJUnit(&b, f, vs))
	var doc junit.Suites
	require.NoError(t, xml.Unmarshal(b.Bytes(), &doc), b.String())
	assert.Equal(t, 17, doc.Tests)
	assert.Equal(t, 6, doc.Failures)
	assert.Equal(t, 2, doc.Errors)
	require.Len(t, doc.Suites, 1)
	assert.Equal(t, 1, doc.Suites[0].Skipped, "the size claim on a stand-in is skipped: not judged offline")
	s := doc.Suites[0]
	assert.Equal(t, "eval", s.Name)
	require.Len(t, s.Cases, 17)
	byName := map[string]junit.Case{}
	for _, c := range s.Cases {
		byName[strings.SplitN(c.Name, ":", 2)[0]] = c
	}
	g := byName["glibc-sequential"]
	require.NotNil(t, g.Failure)
	assert.Equal(t, "refuted", g.Failure.Type)
	assert.Equal(t, "p95_ms = 5047 (bound < 500)", g.Failure.Message)
	assert.Contains(t, g.Failure.Text, "dns/slim/race/none/none on baselab/slim:testdata")
	assert.Equal(t, "baselab.claims.dns", g.Classname)
	n := byName["nothing-matches"]
	require.NotNil(t, n.Error)
	assert.Equal(t, "could-not-measure", n.Error.Type)
	sz := byName["size-7mb"]
	require.NotNil(t, sz.Skipped)
	assert.Equal(t, "not-judged-offline", sz.Skipped.Type)
	assert.Contains(t, sz.Skipped.Message, "size_bytes = 2689118")
	h := byName["musl-stalls"]
	assert.Nil(t, h.Failure)
	assert.Nil(t, h.Error)
	assert.Contains(t, h.SystemOut, "p95_ms = 2523")
}

func TestPlanRunsEachLabOnceWithOnlyTheVariantsNeeded(t *testing.T) {
	f, err := Parse(strings.NewReader(evalFile), "eval.yaml")
	require.NoError(t, err)
	jobs := Plan(f)
	byKey := map[string]Job{}
	for _, j := range jobs {
		byKey[j.Lab+" "+flagText(j.Flags)] = j
	}
	require.Len(t, jobs, 5, "dns, dns with the user's image, wheel, size, surface: %v", jobs)
	dns := byKey["dns "]
	assert.Nil(t, dns.Only, "a claim without a variant (where-filters) needs the whole lab")
	user := byKey[`dns --image="registry.example.org/team/api:alpine" --probe="getent ahosts {name}"`]
	assert.Equal(t, []string{"image/race/none"}, user.Only)
	wheel := byKey["wheel "]
	assert.Equal(t, []string{"*glibc*python-alpine*", "fix: python-slim runs the abi3 wheel that segfaulted on alpine"}, wheel.Only)

	narrow, err := Parse(strings.NewReader(`claims:
  - {id: a, claim: x, lab: dns, variant: alpine/race/single-request/none, baseline: {variant: alpine/race/none/none}, measure: p95_ms, bound: "< 0.2"}
  - {id: b, claim: y, lab: dns, variant: alpine/race/none/none, measure: p95_ms, bound: ">= 1000"}
`), "narrow.yaml")
	require.NoError(t, err)
	jobs = Plan(narrow)
	require.Len(t, jobs, 1)
	assert.Equal(t, []string{"alpine/race/single-request/none", "alpine/race/none/none"}, jobs[0].Only, "the baseline's cell runs too, once")
}
