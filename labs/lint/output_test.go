package lint

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/baselab/baselab/harness/junit"
	"github.com/baselab/baselab/harness/record"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// allFixtureResults lints every well-formed fixture, with records so that
// every optional field is filled somewhere.
func allFixtureResults(t testing.TB) []*Result {
	t.Helper()
	names, _ := filepath.Glob("dockerfiles/*.Dockerfile")
	rs := []record.Record{{Lab: "scratch", Variant: "dynamic-binary", Outcome: "exec-not-found",
		Evidence: "exec /app: no such file or directory", Image: "baselab/x@sha256:1", Standin: true}}
	var out []*Result
	for _, p := range names {
		if strings.HasPrefix(filepath.Base(p), "malformed") {
			continue
		}
		out = append(out, lintFixture(t, filepath.Base(p), Options{Records: rs}))
	}
	return out
}

// TestSARIFValidatesAgainstTheSchema: the SARIF 2.1.0 schema (OASIS,
// errata 01), vendored in testdata with its source, accepts what
// --format sarif writes — findings, records, suppressed findings and an
// empty run alike.
func TestSARIFValidatesAgainstTheSchema(t *testing.T) {
	f, err := os.Open("testdata/sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	const loc = "sarif-schema-2.1.0.json"
	if err := c.AddResource(loc, doc); err != nil {
		t.Fatal(err)
	}
	schema, err := c.Compile(loc)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		results []*Result
		ignore  []string
	}{
		{"every fixture", allFixtureResults(t), nil},
		{"ignored findings as suppressions", []*Result{
			lintFixture(t, "inline-ignore.Dockerfile", Options{Ignore: []string{NoDigest}})}, []string{NoDigest}},
		{"no Dockerfile at all", nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteSARIF(&buf, tc.results, tc.ignore); err != nil {
				t.Fatal(err)
			}
			inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(buf.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			if err := schema.Validate(inst); err != nil {
				t.Fatalf("SARIF does not validate: %v", err)
			}
		})
	}
	// And the schema is not a pushover: a result without a message fails.
	bad, _ := jsonschema.UnmarshalJSON(strings.NewReader(`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"ruleId":"BL001"}]}]}`))
	if schema.Validate(bad) == nil {
		t.Error("the schema accepted a result without a message")
	}
}

func TestSARIFCarriesRulesLocationsAndSuppressions(t *testing.T) {
	var buf bytes.Buffer
	res := lintFixture(t, "inline-ignore.Dockerfile", Options{Ignore: []string{NoDigest}})
	if err := WriteSARIF(&buf, []*Result{res}, []string{NoDigest}); err != nil {
		t.Fatal(err)
	}
	var log sarifLog
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	if len(run.Tool.Driver.Rules) != len(Rules()) {
		t.Errorf("%d rules in the driver, want %d", len(run.Tool.Driver.Rules), len(Rules()))
	}
	kinds := map[string]string{}
	for _, r := range run.Results {
		if run.Tool.Driver.Rules[r.RuleIndex].ID != r.RuleID {
			t.Errorf("ruleIndex %d is not %s", r.RuleIndex, r.RuleID)
		}
		if r.Locations[0].PhysicalLocation.ArtifactLocation.URI != "inline-ignore.Dockerfile" || r.Locations[0].PhysicalLocation.Region.StartLine < 1 {
			t.Errorf("location %+v", r.Locations[0])
		}
		if len(r.Suppressions) != 1 {
			t.Errorf("%s: every finding here is ignored, want one suppression", r.RuleID)
			continue
		}
		kinds[r.RuleID] = r.Suppressions[0].Kind
	}
	if kinds[NoDigest] != "external" || kinds[RunsAsRoot] != "inSource" {
		t.Errorf("suppression kinds %v: --ignore is external, a comment inSource", kinds)
	}
}

func TestJSONIsOneDocumentWithEveryFile(t *testing.T) {
	var buf bytes.Buffer
	results := allFixtureResults(t)
	if err := WriteJSON(&buf, results); err != nil {
		t.Fatal(err)
	}
	var back struct {
		Files []Result `json:"files"`
	}
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if len(back.Files) != len(results) {
		t.Fatalf("%d files, want %d", len(back.Files), len(results))
	}
	clean := 0
	for _, f := range back.Files {
		if f.Findings == nil {
			t.Errorf("%s: findings must be a list, even empty", f.Path)
		}
		if len(f.Findings) == 0 {
			clean++
		}
		if len(f.Stages) == 0 {
			t.Errorf("%s: no stages", f.Path)
		}
	}
	if !strings.Contains(buf.String(), `"records"`) || !strings.Contains(buf.String(), `"why"`) {
		t.Error("records and why belong in the JSON")
	}
}

func TestJUnitFailsOnlyOnErrors(t *testing.T) {
	var buf bytes.Buffer
	results := []*Result{
		lintFixture(t, "cgo-go-into-scratch.Dockerfile", Options{}), // BL006 error, BL002 info
		lintFixture(t, "root-by-default.Dockerfile", Options{}),     // warning only
		lintFixture(t, "digest-pinned-base.Dockerfile", Options{}),  // clean
	}
	if err := WriteJUnit(&buf, results, []string{Unpinned}); err != nil {
		t.Fatal(err)
	}
	var suites junit.Suites
	if err := xml.Unmarshal(buf.Bytes(), &suites); err != nil {
		t.Fatalf("JUnit is not XML: %v\n%s", err, buf.String())
	}
	if len(suites.Suites) != 3 || suites.Tests != 3*len(Rules()) {
		t.Fatalf("%d suites, %d tests", len(suites.Suites), suites.Tests)
	}
	if suites.Failures != 1 || suites.Suites[0].Failures != 1 || suites.Skipped != 3 {
		t.Errorf("failures %d (first suite %d), skipped %d: want one failure (BL006) and BL012 skipped in each",
			suites.Failures, suites.Suites[0].Failures, suites.Skipped)
	}
	for _, c := range suites.Suites[1].Cases {
		if strings.HasPrefix(c.Name, RunsAsRoot) && !strings.Contains(c.SystemOut, "warning line") {
			t.Errorf("a warning passes with its finding in system-out: %+v", c)
		}
	}
}

func TestTextSaysWhereWhatAndWhy(t *testing.T) {
	var buf bytes.Buffer
	rs := []record.Record{{Lab: "scratch", Variant: "no-ca-bundle", Outcome: "x509-unknown-authority",
		Evidence: "x509: certificate signed by unknown authority", Image: "baselab/scratch@sha256:1", Standin: true}}
	WriteText(&buf, []*Result{lintFixture(t, "scratch-bare.Dockerfile", Options{Records: rs})})
	out := buf.String()
	for _, want := range []string{
		"scratch-bare.Dockerfile:8: warning BL007: scratch final stage has no CA bundle",
		"why (lab scratch):",
		"record scratch/no-ca-bundle: x509-unknown-authority — x509: certificate signed by unknown authority [baselab/scratch@sha256:1, stand-in]",
		"record scratch/no-zoneinfo: none in the results",
		"scratch-bare.Dockerfile: 2 warnings, 1 info",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}
}
