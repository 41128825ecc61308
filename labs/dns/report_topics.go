package dns

import (
	"fmt"
	"strings"

	"github.com/baselab/baselab/harness/report"
)

// The report's topic tables (issue 14): one per topic the README has a
// section for — search lists, answers too big for UDP, several
// nameservers, /etc/hosts — rows the topic's cases, columns the bases, so
// a run's own numbers read like the README's tables.

// topicOf says which topic a record's variant belongs to: "nameservers"
// and "hosts" (base/PRESET/case), "search" (a form in the fourth part),
// "size" (truncate, tcponly, cname), or "" for the main matrix.
func topicOf(c reportCell) string {
	parts := strings.Split(c.r.Variant, "/")
	if len(parts) == 3 && (parts[1] == nsPreset || parts[1] == hostsPreset) {
		return parts[1]
	}
	if len(parts) == 4 && (parts[3] == "short" || parts[3] == "dotted" || parts[3] == "fqdn") {
		return "search"
	}
	if c.fault == "truncate" || sizeFault(c.fault) {
		return "size"
	}
	return ""
}

// topicTables adds a table per topic present in cells.
func topicTables(s *report.Section, cells []reportCell) {
	type topic struct {
		name, caption string
		rowOf         func(reportCell) string
		text          func(reportCell) string
	}
	parts := func(c reportCell) []string { return strings.Split(c.r.Variant, "/") }
	p95 := func(c reportCell) string {
		if c.r.P95ms == nil {
			return c.r.Outcome
		}
		return report.TrimFloat(*c.r.P95ms) + " " + c.r.Outcome
	}
	predicted := func(c reportCell) string {
		if ok, known := c.m["as_predicted"].(bool); known && !ok {
			return " · NOT as predicted"
		}
		return ""
	}
	topics := []topic{
		{"search", "Search lists: p95 (ms), outcome and queries per lookup, per search fault · options · name form",
			func(c reportCell) string { p := parts(c); return p[1] + " · " + p[2] + " · " + p[3] },
			func(c reportCell) string {
				return fmt.Sprintf("%s, %s queries%s", p95(c), report.FormatValue("", c.m["queries_per_lookup"]), predicted(c))
			}},
		{"size", "Answers too big for UDP: outcome and addresses returned, per fault · hints",
			func(c reportCell) string { return c.fault + " · " + report.OrDash(c.flg) },
			func(c reportCell) string {
				return fmt.Sprintf("%s, %s addresses%s", c.r.Outcome, report.FormatValue("", c.m["addresses"]), predicted(c))
			}},
		{nsPreset, "Several nameservers: p95 (ms), outcome and the servers asked, per layout (server 1 + 2 [+ 3])",
			func(c reportCell) string { return parts(c)[2] },
			func(c reportCell) string {
				return fmt.Sprintf("%s, servers %s%s", p95(c), report.FormatValue("", c.m["servers_asked"]), predicted(c))
			}},
		{hostsPreset, "/etc/hosts against DNS: where the address came from, and the queries the server saw over the cell's lookups, per nsswitch.conf",
			func(c reportCell) string { return parts(c)[2] },
			func(c reportCell) string {
				src, _ := report.Str(c.m, "address_source")
				return fmt.Sprintf("%s (%s), %s queries%s", report.OrDash(src), c.r.Outcome, report.FormatValue("", c.m["queries"]), predicted(c))
			}},
	}
	for _, tp := range topics {
		var rows, cols []string
		at := map[[2]string]reportCell{}
		for _, c := range cells {
			if topicOf(c) != tp.name {
				continue
			}
			r, col := tp.rowOf(c), c.base+" · "+c.resolver
			rows, cols = appendNew(rows, r), appendNew(cols, col)
			at[[2]string{r, col}] = c
		}
		if len(rows) == 0 {
			continue
		}
		t := report.Table{Caption: tp.caption, Head: append([]string{"case"}, cols...)}
		for _, r := range rows {
			row := []report.Cell{{Text: r}}
			for _, col := range cols {
				c, ok := at[[2]string{r, col}]
				if !ok {
					row = append(row, report.Cell{Text: "not run"})
					continue
				}
				row = append(row, report.Cell{Text: tp.text(c), Class: report.OutcomeClass(c.r.Outcome), Title: c.r.Variant + ": " + c.r.Detail})
			}
			t.Rows = append(t.Rows, row)
		}
		s.Tables = append(s.Tables, t)
	}
}
