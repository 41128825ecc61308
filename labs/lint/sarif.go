package lint

import (
	"encoding/json"
	"io"
	"net/url"
	"path/filepath"
	"strings"
)

// SARIF 2.1.0 (OASIS), the part code-scanning UIs read: one run, the rules
// in tool.driver.rules, one result per finding with its physical location,
// and the ignored findings as suppressed results. Written by hand: the
// format is a handful of structs, and testdata/sarif-schema-2.1.0.json
// checks them in a test.

// sarifSchema is the `$schema` value SARIF 2.1.0 names itself by in every
// log (section 3.13.3): an identifier the consumers key on, never fetched
// — nothing here opens it, and the test validates against the copy in
// testdata — so it is the format's fixed name, not an endpoint to
// configure.
const (
	sarifVersion = "2.1.0"
	sarifSchema  = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	InformationURI string      `json:"informationUri,omitempty"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID                   string         `json:"id"`
	Name                 string         `json:"name"`
	ShortDescription     sarifText      `json:"shortDescription"`
	FullDescription      sarifText      `json:"fullDescription"`
	Help                 sarifText      `json:"help"`
	DefaultConfiguration sarifConfig    `json:"defaultConfiguration"`
	Properties           map[string]any `json:"properties,omitempty"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID       string             `json:"ruleId"`
	RuleIndex    int                `json:"ruleIndex"`
	Level        string             `json:"level"`
	Message      sarifText          `json:"message"`
	Locations    []sarifLocation    `json:"locations"`
	Suppressions []sarifSuppression `json:"suppressions,omitempty"`
	Properties   map[string]any     `json:"properties,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           sarifRegion   `json:"region"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine int `json:"startLine"`
	EndLine   int `json:"endLine,omitempty"`
}

type sarifSuppression struct {
	Kind          string `json:"kind"`
	Justification string `json:"justification,omitempty"`
}

func sarifLevel(s Severity) string {
	switch s {
	case SevError:
		return "error"
	case SevWarning:
		return "warning"
	}
	return "note"
}

// ruleName is the rule's title as a SARIF name (an identifier-like word).
func ruleName(r Rule) string {
	var b strings.Builder
	for _, w := range strings.FieldsFunc(r.Title, func(c rune) bool {
		return !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9')
	}) {
		b.WriteString(strings.ToUpper(w[:1]) + w[1:])
	}
	return b.String()
}

// artifactURI makes a path a URI reference: relative paths stay relative
// (code scanning resolves them against the checkout), absolute ones become
// file: URIs.
func artifactURI(p string) string {
	p = filepath.ToSlash(p)
	if p == "-" {
		return "stdin"
	}
	u := url.URL{Path: p}
	if strings.HasPrefix(p, "/") {
		u.Scheme = "file"
	}
	return u.String()
}

// WriteSARIF writes the results as one SARIF 2.1.0 log.
func WriteSARIF(w io.Writer, results []*Result, ignoreFlag []string) error {
	index := map[string]int{}
	driver := sarifDriver{Name: "baselab lint"}
	for i, r := range rules {
		index[r.ID] = i
		driver.Rules = append(driver.Rules, sarifRule{
			ID: r.ID, Name: ruleName(r),
			ShortDescription:     sarifText{r.Title},
			FullDescription:      sarifText{r.Why},
			Help:                 sarifText{r.Why + " (reproduced by the " + r.Lab + " lab: baselab run " + r.Lab + ")"},
			DefaultConfiguration: sarifConfig{sarifLevel(r.Severity)},
			Properties:           map[string]any{"lab": r.Lab, "tags": []string{"baselab", r.Lab}},
		})
	}
	flagged := set(ignoreFlag...)
	run := sarifRun{Tool: sarifTool{Driver: driver}, Results: []sarifResult{}}
	for _, res := range results {
		add := func(f Finding, suppressed bool) {
			sr := sarifResult{RuleID: f.Rule, RuleIndex: index[f.Rule], Level: sarifLevel(f.Severity),
				Message: sarifText{f.Message},
				Locations: []sarifLocation{{PhysicalLocation: sarifPhysical{
					ArtifactLocation: sarifArtifact{URI: artifactURI(res.Path)},
					Region:           sarifRegion{StartLine: max(f.Line, 1), EndLine: max(f.EndLine, f.Line, 1)}}}},
				Properties: map[string]any{"lab": f.Lab, "stage": f.Stage, "cites": f.Cites},
			}
			if len(f.Records) > 0 {
				sr.Properties["records"] = f.Records
			}
			if suppressed {
				kind, why := "inSource", "# baselab-ignore comment"
				if flagged[f.Rule] {
					kind, why = "external", "--ignore "+f.Rule
				}
				sr.Suppressions = []sarifSuppression{{Kind: kind, Justification: why}}
			}
			run.Results = append(run.Results, sr)
		}
		for _, f := range res.Findings {
			add(f, false)
		}
		for _, f := range res.Ignored {
			add(f, true)
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{run}})
}
