// Package report turns lab records into what a person reads: report.html,
// one self-contained page (styles and charts inline, nothing fetched when it
// opens), and report.md with the same tables for a repository or a CI log.
//
// The report shows what is there and says what is not: a lab without
// records, a field no record carries, a chart without the cells it needs.
// Fields it has no special place for are still shown, in the lab's table of
// records. Every record's image (with digest) and libc are shown, and every
// record that ran on an offline stand-in is marked as one.
package report

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/baselab/baselab/harness/record"
)

// File names written into the results folder.
const (
	HTMLName     = "report.html"
	MarkdownName = "report.md"
)

// Options tunes a report.
type Options struct {
	// Labs are the labs a complete run has, in reading order, each with its
	// section (the CLI passes every registered lab): a lab here without
	// records is reported missing. The report knows no lab of its own.
	Labs []Lab
	// Source names where the records came from, for the page's header.
	Source string
	// Now stamps the report; zero means time.Now.
	Now time.Time
}

// Lab is what a lab gives the report: its heading, its fields in the order
// the records table shows them, and its own tables and charts.
type Lab struct {
	Name  string
	Title string
	Intro string
	// Fields are the lab's own fields the records table shows first; a
	// field no record carries gets a note.
	Fields []string
	// Optional are fields only some of the lab's cells write (shown after
	// Fields when a record has them, never noted as missing).
	Optional []string
	// Section adds the lab's tables and charts; rows are rs flattened (see
	// Flatten). Nil leaves only the records table.
	Section func(s *Section, rs []record.Record, rows []map[string]any) error
}

// Report is the model both renderings are made from.
type Report struct {
	Title     string
	Source    string
	Generated time.Time
	Records   int
	Standins  int
	Labs      []*Section
	// Missing lists the expected labs without a single record.
	Missing []string
}

// Section is one lab's part of the report.
type Section struct {
	Lab     string
	Title   string
	Intro   string
	Summary string
	// Notes say what could not be shown and why.
	Notes  []string
	Charts []Chart
	Tables []Table
	// Records lists every record of the lab, each with image and libc.
	Records Table
}

// Table is a captioned table.
type Table struct {
	Caption string
	Head    []string
	Rows    [][]Cell
}

// Cell is one table cell.
type Cell struct {
	Text string
	// Class styles the cell: good, warn, bad, mono, num.
	Class string
	// Badge is a short marker after the text ("stand-in").
	Badge string
	Title string
}

// Build makes the report model from records.
func Build(rs []record.Record, o Options) (*Report, error) {
	now := o.Now
	if now.IsZero() {
		now = time.Now().UTC()
	}
	rep := &Report{Title: "baselab report", Source: o.Source, Generated: now, Records: len(rs)}
	byLab := map[string][]record.Record{}
	var order []string
	for _, r := range rs {
		if r.Standin {
			rep.Standins++
		}
		if _, ok := byLab[r.Lab]; !ok {
			order = append(order, r.Lab)
		}
		byLab[r.Lab] = append(byLab[r.Lab], r)
	}
	for _, l := range o.Labs {
		if len(byLab[l.Name]) == 0 {
			rep.Missing = append(rep.Missing, l.Name)
		}
	}
	sort.Strings(rep.Missing)
	rank := func(lab string) int {
		i := slices.IndexFunc(o.Labs, func(l Lab) bool { return l.Name == lab })
		if i < 0 {
			return len(o.Labs)
		}
		return i
	}
	sort.SliceStable(order, func(i, j int) bool { return rank(order[i]) < rank(order[j]) })
	for _, name := range order {
		lab := Lab{Name: name, Title: "Lab " + name, Intro: "A lab this report has no special section for: every record and field is in the table below."}
		if i := rank(name); i < len(o.Labs) {
			lab = o.Labs[i]
		}
		s, err := buildSection(lab, byLab[name])
		if err != nil {
			return nil, err
		}
		rep.Labs = append(rep.Labs, s)
	}
	return rep, nil
}

func buildSection(lab Lab, rs []record.Record) (*Section, error) {
	s := &Section{Lab: lab.Name, Title: lab.Title, Intro: lab.Intro}
	if lab.Name == "" {
		s.Title = "Records without a lab name"
	}
	s.Summary = summarize(rs)
	rows := Flatten(rs)
	if lab.Section != nil {
		if err := lab.Section(s, rs, rows); err != nil {
			return nil, fmt.Errorf("report lab %s: %w", lab.Name, err)
		}
	}
	s.Records = recordsTable(lab, rs, rows)
	nolibc := 0
	for _, r := range rs {
		if r.Libc == "" {
			nolibc++
		}
	}
	if nolibc > 0 {
		s.Notes = append(s.Notes, fmt.Sprintf("%d of %d records do not say which libc they ran on (their libc field is empty), nor can the report tell whether they ran on a stand-in beyond what the record says.", nolibc, len(rs)))
	}
	for _, f := range lab.Fields {
		if !anyHas(rows, f) {
			s.Notes = append(s.Notes, fmt.Sprintf("No record carries the field %q.", f))
		}
	}
	return s, nil
}

func summarize(rs []record.Record) string {
	count := map[string]int{}
	var words []string
	standin := 0
	for _, r := range rs {
		w := r.Outcome
		if w == "" {
			w = "(no outcome)"
		}
		if count[w] == 0 {
			words = append(words, w)
		}
		count[w]++
		if r.Standin {
			standin++
		}
	}
	parts := make([]string, len(words))
	for i, w := range words {
		parts[i] = fmt.Sprintf("%d %s", count[w], w)
	}
	return fmt.Sprintf("%d records (%s); %d on stand-ins", len(rs), strings.Join(parts, ", "), standin)
}

// flatten turns each record into its flat JSON object, the form every
// field — common or the lab's own — is read from.
func Flatten(rs []record.Record) []map[string]any {
	out := make([]map[string]any, len(rs))
	for i, r := range rs {
		m := map[string]any{}
		if b, err := json.Marshal(r); err == nil {
			_ = json.Unmarshal(b, &m)
		} else {
			// A lab field shadowing a common one: keep the common fields.
			r.Extra = nil
			b, _ := json.Marshal(r)
			_ = json.Unmarshal(b, &m)
		}
		out[i] = m
	}
	return out
}

func anyHas(rows []map[string]any, f string) bool {
	for _, m := range rows {
		if _, ok := m[f]; ok {
			return true
		}
	}
	return false
}

var commonOrder = []string{"lab", "variant", "base", "image", "standin", "libc", "started", "tries", "ok",
	"failed", "p50_ms", "p95_ms", "max_ms", "outcome", "detail", "evidence", "errors", "standin_lacks"}

// recordsTable lists every record: image and libc always; the lab's known
// fields next, then any field the report does not know, so nothing a lab
// wrote is hidden.
func recordsTable(lab Lab, rs []record.Record, rows []map[string]any) Table {
	var extra []string
	for _, f := range append(slices.Clone(lab.Fields), lab.Optional...) {
		if anyHas(rows, f) {
			extra = append(extra, f)
		}
	}
	var unknown []string
	for _, m := range rows {
		for k := range m {
			if !slices.Contains(commonOrder, k) && !slices.Contains(extra, k) && !slices.Contains(unknown, k) {
				unknown = append(unknown, k)
			}
		}
	}
	sort.Strings(unknown)
	extra = append(extra, unknown...)
	t := Table{Caption: "Every record, with the image (and digest) and libc it ran on",
		Head: append([]string{"variant", "base", "libc", "image", "tries", "ok", "failed", "p50 ms", "p95 ms", "max ms", "outcome", "detail / evidence"}, extra...)}
	for i, r := range rs {
		m := rows[i]
		row := []Cell{
			{Text: r.Variant, Class: "mono"},
			BaseCell(r),
			{Text: OrDash(r.Libc)},
			{Text: OrDash(r.Image), Class: "mono small"},
			{Text: fmt.Sprint(r.Tries), Class: "num"},
			{Text: fmt.Sprint(r.OK), Class: "num"},
			{Text: fmt.Sprint(r.Failed), Class: "num"},
			MsCell(r.P50ms), MsCell(r.P95ms), MsCell(r.MaxMs),
			OutcomeCell(r.Outcome),
			DetailCell(r),
		}
		for _, f := range extra {
			v, ok := m[f]
			if !ok {
				row = append(row, Cell{Text: "—", Title: "not in this record"})
				continue
			}
			row = append(row, Cell{Text: FormatValue(f, v), Class: ValueClass(v)})
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

func BaseCell(r record.Record) Cell {
	c := Cell{Text: OrDash(r.Base)}
	if r.Standin {
		c.Badge = "stand-in"
		c.Title = "an offline stand-in built here from Debian packages, not the registry image; see its libc"
	}
	return c
}

func DetailCell(r record.Record) Cell {
	t := r.Detail
	if r.Evidence != "" {
		if t != "" {
			t += " — "
		}
		t += "evidence: " + r.Evidence
	}
	return Cell{Text: OrDash(t), Class: "detail"}
}

func MsCell(v *float64) Cell {
	if v == nil {
		return Cell{Text: "—", Class: "num", Title: "nothing was timed"}
	}
	return Cell{Text: TrimFloat(*v), Class: "num"}
}

// Outcome words colour cells: the labs' words for working, for a partial
// result and for failing (the DNS lab's are <result>-<speed>, as in
// both-stall). A word the report does not know stays uncoloured.
var (
	goodWords = []string{"works", "fast", "ok", "pass", "both", "both-fast", "ok-fast"}
	warnWords = []string{"a-only", "intermittent", "slow", "partial"}
	badParts  = []string{"stall", "fail", "error", "segfault", "not-found", "unknown", "x509", "refused"}
)

func OutcomeClass(o string) string {
	switch {
	case o == "":
		return ""
	case slices.Contains(goodWords, o):
		return "good"
	case slices.ContainsFunc(badParts, func(p string) bool { return strings.Contains(o, p) }):
		return "bad"
	case slices.ContainsFunc(warnWords, func(p string) bool { return strings.HasPrefix(o, p) }):
		return "warn"
	}
	return ""
}

func OutcomeCell(o string) Cell { return Cell{Text: OrDash(o), Class: OutcomeClass(o)} }

func OrDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func ValueClass(v any) string {
	switch v.(type) {
	case float64:
		return "num"
	}
	return ""
}

// formatValue prints a record value for a table.
func FormatValue(field string, v any) string {
	switch x := v.(type) {
	case nil:
		if field == "cves" {
			return "not scanned"
		}
		return "—"
	case float64:
		if strings.HasSuffix(field, "_bytes") {
			return fmt.Sprintf("%s (%s)", TrimFloat(x), HumanBytes(x))
		}
		return TrimFloat(x)
	case bool:
		if x {
			return "yes"
		}
		return "no"
	case string:
		if x == "" {
			return `""`
		}
		return x
	case []any:
		if field == "timeline" {
			return fmt.Sprintf("%d events", len(x))
		}
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = FormatValue("", e)
		}
		if len(parts) == 0 {
			return "none"
		}
		return strings.Join(parts, ", ")
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + "=" + FormatValue(k, x[k])
		}
		return strings.Join(parts, " ")
	}
	return fmt.Sprint(v)
}

func TrimFloat(f float64) string {
	switch {
	case f == float64(int64(f)):
		return fmt.Sprintf("%d", int64(f))
	case f >= 100:
		return fmt.Sprintf("%.0f", f)
	case f >= 10:
		return fmt.Sprintf("%.1f", f)
	}
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.3f", f), "0"), ".")
}

func HumanBytes(b float64) string {
	switch {
	case b >= 1e9:
		return fmt.Sprintf("%.2f GB", b/1e9)
	case b >= 1e6:
		return fmt.Sprintf("%.1f MB", b/1e6)
	case b >= 1e3:
		return fmt.Sprintf("%.1f kB", b/1e3)
	}
	return fmt.Sprintf("%.0f B", b)
}

// Write builds the report from records and writes report.html and
// report.md into dir; it returns the two paths.
func Write(dir string, rs []record.Record, o Options) (htmlPath, mdPath string, err error) {
	rep, err := Build(rs, o)
	if err != nil {
		return "", "", err
	}
	htmlPath, mdPath = filepath.Join(dir, HTMLName), filepath.Join(dir, MarkdownName)
	if err := writeFile(htmlPath, rep.WriteHTML); err != nil {
		return "", "", err
	}
	if err := writeFile(mdPath, rep.WriteMarkdown); err != nil {
		return "", "", err
	}
	return htmlPath, mdPath, nil
}

// WriteDir reads dir/results.jsonl (or a results file) and writes the
// report beside it.
func WriteDir(path string, o Options) (htmlPath, mdPath string, err error) {
	rs, err := record.Read(path)
	if err != nil {
		return "", "", err
	}
	dir := path
	if st, err := os.Stat(path); err == nil && !st.IsDir() {
		dir = filepath.Dir(path)
	}
	if o.Source == "" {
		o.Source = filepath.Join(dir, record.FileName)
		if st, err := os.Stat(path); err == nil && !st.IsDir() {
			o.Source = path
		}
	}
	return Write(dir, rs, o)
}

func writeFile(path string, render func(w io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if err := render(f); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}
