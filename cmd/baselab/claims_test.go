package main

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/baselab/baselab/harness/junit"
	"github.com/baselab/baselab/harness/record"
	"github.com/baselab/baselab/labs/claims"
	"github.com/baselab/baselab/labs/lab"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// noEngine fails the test if a command tries to run a lab.
func noEngine(t *testing.T) func() (*lab.Env, func(), error) {
	return func() (*lab.Env, func(), error) {
		t.Fatal("nothing may run here")
		return nil, nil, nil
	}
}

// writeResults writes test records (not measurements) into a results folder.
func writeResults(t *testing.T, rs ...record.Record) string {
	t.Helper()
	dir := t.TempDir()
	w, err := record.Create(dir)
	require.NoError(t, err)
	for _, r := range rs {
		require.NoError(t, w.Write(r))
	}
	require.NoError(t, w.Close())
	return dir
}

func testRecord(variant, base, libc, outcome string, ms ...float64) record.Record {
	r := record.Record{Lab: "dns", Variant: variant, Base: base, Libc: libc, Standin: true, Outcome: outcome,
		Image: "baselab/" + base + ":testdata@sha256:" + strings.Repeat("0", 64), Started: time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC),
		Tries: len(ms), OK: len(ms), Detail: "test data"}
	r.Timings(ms)
	return r
}

// broken is a record the lab failed to make: its lookups never ran.
func broken(variant, base, err string) record.Record {
	r := testRecord(variant, base, "musl-1.2.3", "")
	r.AddError(err)
	return r
}

func writeFile(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "claims.yaml")
	require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
	return p
}

func TestClaimsExitCodes(t *testing.T) {
	results := writeResults(t,
		testRecord("alpine/race/none/none", "alpine", "musl-1.2.3", "both-stall", 2522, 2523, 2523),
		testRecord("slim/race/none/none", "slim", "glibc-2.36", "both-stall", 5046, 5044, 5047),
		testRecord("alpine/race/single-request/none", "alpine", "musl-1.2.3", "both-stall", 2521, 2524),
		broken("alpine/race/use-vc/none", "alpine", "exec [/usr/local/bin/probe]: context canceled"),
	)
	cases := []struct {
		name   string
		file   string
		code   int
		stdout []string
		stderr []string
	}{
		{
			name: "every claim holds: exit 0",
			file: `claims: [{id: musl, claim: musl stalls under race, lab: dns, variant: alpine/race/none/none, measure: p95_ms, bound: ">= 1 s"}]`,
			code: claimsOK, stdout: []string{"HOLDS    musl: musl stalls under race", "p95_ms = 2523 (bound >= 1 s)", "1 hold, 0 refuted, 0 could not be measured"},
		},
		{
			name: "a refuted claim: exit 1",
			file: `claims: [{id: glibc, claim: glibc is sequential, lab: dns, variant: slim/race/none/none, measure: p95_ms, bound: "< 500"}]`,
			code: claimsRefuted, stdout: []string{"REFUTED  glibc: glibc is sequential", "p95_ms = 5047 (bound < 500)", "(glibc-2.36, stand-in)"},
		},
		{
			name: "a claim without data: exit 3",
			file: `claims: [{id: go, claim: go is fast, lab: dns, variant: scratch/race/none/none, measure: p95_ms, bound: "< 500"}]`,
			code: claimsNotMeasured, stdout: []string{"COULD NOT MEASURE go: go is fast", "no record matches lab dns variant scratch/race/none/none"},
		},
		{
			name: "of: all over a broken cell could not be measured, though the other records hold: exit 3",
			file: `claims: [{id: stalls, claim: musl stalls whatever the options, lab: dns, variant: "alpine/race/*/none", measure: p95_ms, bound: ">= 1 s"}]`,
			code: claimsNotMeasured, stdout: []string{"COULD NOT MEASURE stalls", "1 of 3 records measured nothing; first: record dns/alpine/race/use-vc/none has lab errors (exec [/usr/local/bin/probe]: context canceled)"},
		},
		{
			name: "a ratio whose baseline is broken could not be measured: exit 3",
			file: `claims: [{id: ratio, claim: x, lab: dns, variant: alpine/race/none/none, baseline: {variant: alpine/race/use-vc/none}, measure: p95_ms, bound: "< 2"}]`,
			code: claimsNotMeasured, stdout: []string{"COULD NOT MEASURE ratio", "has lab errors"},
		},
		{
			name: "a refutation stands beside a broken cell: exit 1",
			file: `claims: [{id: fast, claim: musl is fast, lab: dns, variant: "alpine/race/*/none", measure: p95_ms, bound: "< 1 s"}]`,
			code: claimsRefuted, stdout: []string{"REFUTED  fast"},
		},
		{
			name: "an unknown fault: exit 2, one line naming the claim",
			file: `claims: [{id: typo, claim: x, lab: dns, variant: alpine/rase/none/none, measure: p95_ms, bound: "< 500"}]`,
			code: claimsBadInput, stderr: []string{`claims.yaml: claim typo: parse fault "rase": unknown fault "rase"`, "; nothing was run"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, errw bytes.Buffer
			junitFile := filepath.Join(t.TempDir(), "claims.xml")
			code, err := runClaims(context.Background(), &claimsOpts{results: results, junit: junitFile}, writeFile(t, c.file), &out, &errw, noEngine(t))
			require.NoError(t, err)
			assert.Equal(t, c.code, code, "stdout:\n%s\nstderr:\n%s", out.String(), errw.String())
			for _, s := range c.stdout {
				assert.Contains(t, out.String(), s)
			}
			for _, s := range c.stderr {
				assert.Contains(t, errw.String(), s)
			}
			if c.code == claimsBadInput {
				assert.Empty(t, out.String(), "nothing is judged")
				assert.NoFileExists(t, junitFile)
				return
			}
			b, err := os.ReadFile(junitFile)
			require.NoError(t, err)
			var doc junit.Suites
			require.NoError(t, xml.Unmarshal(b, &doc))
			assert.Equal(t, 1, doc.Tests)
		})
	}
}

func TestCourseClaimsAgainstPartialResultsExitNonZero(t *testing.T) {
	results := writeResults(t,
		testRecord("slim/race/none/none", "slim", "glibc-2.36", "both-stall", 5046, 5044, 5047),
	)
	var out, errw bytes.Buffer
	code, err := runClaims(context.Background(), &claimsOpts{results: results}, "claims/course.yaml", &out, &errw, noEngine(t))
	require.NoError(t, err)
	assert.Equal(t, claimsRefuted, code)
	f, err := claims.Load("course")
	require.NoError(t, err)
	assert.Equal(t, len(f.Claims), strings.Count(out.String(), "\n         ")-strings.Count(out.String(), " on baselab/"),
		"a verdict line per claim (plus a record line for each judged one)")
	assert.Contains(t, out.String(), "REFUTED  glibc-sequential")
}

func TestClaimsPlanRunsNothing(t *testing.T) {
	var out, errw bytes.Buffer
	code, err := runClaims(context.Background(), &claimsOpts{plan: true}, "course", &out, &errw, noEngine(t))
	require.NoError(t, err)
	assert.Equal(t, claimsOK, code)
	assert.Contains(t, out.String(), "labs/claims/course.yaml: ")
	assert.Contains(t, out.String(), "  dns (slim/race/none/none, alpine/race/none/none")
}

func TestImageOverrideNeedsAUserImageClaim(t *testing.T) {
	var out, errw bytes.Buffer
	code, err := runClaims(context.Background(), &claimsOpts{plan: true, image: "registry.example.org/x:1"}, "course", &out, &errw, noEngine(t))
	require.NoError(t, err)
	assert.Equal(t, claimsBadInput, code)
	assert.Contains(t, errw.String(), "no claim names a user's image")
	out.Reset()
	code, err = runClaims(context.Background(), &claimsOpts{plan: true, image: "registry.example.org/team/api:abc"}, "example-migration", &out, &errw, noEngine(t))
	require.NoError(t, err)
	assert.Equal(t, claimsOK, code)
	assert.Contains(t, out.String(), `--image="registry.example.org/team/api:abc"`)
}

func TestReportCommandWritesBothFiles(t *testing.T) {
	results := writeResults(t, testRecord("alpine/race/none/none", "alpine", "musl-1.2.3", "both-stall", 2522, 2523, 2523))
	cmd := newReportCmd()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetArgs([]string{results})
	require.NoError(t, cmd.Execute())
	assert.Equal(t, filepath.Join(results, "report.html")+"\n"+filepath.Join(results, "report.md")+"\n", out.String())
	md, err := os.ReadFile(filepath.Join(results, "report.md"))
	require.NoError(t, err)
	assert.Contains(t, string(md), "alpine/race/none/none")
	assert.Contains(t, string(md), "lab scratch, lab size, lab surface, lab wheel", "the labs without records are named")
}

// TestMissingDockerIsNotRefuted: with no engine, nothing was measured; CI
// must see "could not measure" (3), never "refuted" (1).
func TestMissingDockerIsNotRefuted(t *testing.T) {
	var out, errw bytes.Buffer
	noDocker := func() (*lab.Env, func(), error) {
		return nil, nil, errors.New("connect to Docker: Cannot connect to the Docker daemon")
	}
	code, err := runClaims(context.Background(), &claimsOpts{out: t.TempDir()}, "course", &out, &errw, noDocker)
	require.Error(t, err)
	assert.Equal(t, claimsNotMeasured, code)
}
