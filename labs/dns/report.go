package dns

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/baselab/baselab/harness/record"
	"github.com/baselab/baselab/harness/report"
	"gonum.org/v1/plot/vg"
)

// reportLab is the lab's part of the report.
func reportLab() report.Lab {
	return report.Lab{
		Title: "DNS: the Alpine DNS mystery",
		Intro: "Lookups by musl, glibc and Go's resolver against a DNS server that mishandles A/AAAA pairs. " +
			"Each cell's number is the p95 of its lookups, timed by the probe inside the container.",
		Fields:   []string{"resolver", "fault", "options", "flags", "a_only", "queries", "ports", "timeline"},
		Optional: []string{"clients", "probability", "p99_ms"},
		Section:  section,
	}
}

// reportCell is one DNS lab record with its coordinates, read from its fields
// or, for a record without them, from its variant
// (<base>/<fault>/<options-slug>/<flags>).
type reportCell struct {
	r                                record.Record
	m                                map[string]any
	base, resolver, fault, opts, flg string
}

func readReportCell(r record.Record, m map[string]any) reportCell {
	c := reportCell{r: r, m: m, base: r.Base}
	parts := strings.Split(r.Variant, "/")
	part := func(i int) string {
		if i < len(parts) && len(parts) == 4 {
			return parts[i]
		}
		return ""
	}
	if c.base == "" {
		c.base = part(0)
	}
	if c.base == "" {
		c.base = r.Image
	}
	c.resolver, _ = report.Str(m, "resolver")
	var ok bool
	if c.fault, ok = report.Str(m, "fault"); !ok {
		c.fault = part(1)
	}
	if c.opts, ok = report.Str(m, "options"); !ok {
		slug := part(2)
		if slug != "none" {
			c.opts = strings.ReplaceAll(slug, "+", " ")
		}
	}
	if c.flg, ok = report.Str(m, "flags"); !ok {
		c.flg = part(3)
	}
	if form, ok := report.Str(m, "form"); ok && form != "" {
		// A search cell's row is its name form: the hints are not crossed.
		c.flg = form
	}
	return c
}

func (c reportCell) row() string {
	s := c.base
	if c.resolver != "" {
		s += " · " + c.resolver
	}
	if c.flg != "" && c.flg != "none" {
		s += " · " + c.flg
	}
	return s
}

func optsLabel(o string) string {
	if o == "" {
		return "no options"
	}
	return o
}

// The report reads faults and options in the default matrix's order, and
// resolvers from musl, the story's, to Go.
var (
	faultOrder    = DefaultConfig().Faults
	optsOrder     = optionsOrder(DefaultConfig().Options)
	resolverOrder = []string{"musl", "glibc", "go"}
)

// optionsOrder is the options as records carry them: "" for none.
func optionsOrder(opts []string) []string {
	out := slices.Clone(opts)
	for i, o := range out {
		if o == "none" {
			out[i] = ""
		}
	}
	return out
}

// ordered sorts values by a preferred order, the rest as first seen.
func ordered(seen []string, pref []string) []string {
	out := slices.Clone(seen)
	rank := func(s string) int {
		if i := slices.Index(pref, s); i >= 0 {
			return i
		}
		return len(pref) + slices.Index(seen, s)
	}
	sort.SliceStable(out, func(i, j int) bool { return rank(out[i]) < rank(out[j]) })
	return out
}

func appendNew(xs []string, x string) []string {
	if slices.Contains(xs, x) {
		return xs
	}
	return append(xs, x)
}

// section draws, per fault, the matrix as a table and a chart; per resolver
// the timeline of a lookup under race; and the under-load cells.
func section(s *report.Section, rs []record.Record, rows []map[string]any) error {
	var cells, load []reportCell
	for i, r := range rs {
		c := readReportCell(r, rows[i])
		if _, clients := rows[i]["clients"]; strings.HasPrefix(r.Variant, "load/") || clients {
			load = append(load, c)
			continue
		}
		cells = append(cells, c)
	}
	// The nameservers and hosts cells have no fault × options grid: they
	// are shown only in their topic tables.
	var matrix []reportCell
	for _, c := range cells {
		if t := topicOf(c); t != nsPreset && t != hostsPreset {
			matrix = append(matrix, c)
		}
	}
	defer topicTables(s, cells)
	cells = matrix
	if len(cells) == 0 {
		s.Notes = append(s.Notes, "No matrix cells (resolver × fault × options) in these records.")
	} else if err := matrixTables(s, cells); err != nil {
		return err
	}
	if err := timelineCharts(s, cells); err != nil {
		return err
	}
	if len(load) == 0 {
		s.Notes = append(s.Notes, "No load cells (variant load/<base>/c<clients>) in these records.")
		return nil
	}
	return loadTable(s, load)
}

// matrixTables: a table per fault (rows: base · resolver · flags; columns:
// options) and a chart per fault of the same p95s on a log axis.
func matrixTables(s *report.Section, cells []reportCell) error {
	var faults, rowsSeen []string
	for _, c := range cells {
		faults = appendNew(faults, c.fault)
	}
	faults = ordered(faults, faultOrder)
	// rows ordered by resolver, then as first seen
	for _, c := range cells {
		rowsSeen = appendNew(rowsSeen, c.row())
	}
	resOf := map[string]string{}
	standin := map[string]bool{}
	for _, c := range cells {
		resOf[c.row()] = c.resolver
		standin[c.row()] = standin[c.row()] || c.r.Standin
	}
	sort.SliceStable(rowsSeen, func(i, j int) bool {
		ri, rj := slices.Index(resolverOrder, resOf[rowsSeen[i]]), slices.Index(resolverOrder, resOf[rowsSeen[j]])
		if ri < 0 {
			ri = len(resolverOrder)
		}
		if rj < 0 {
			rj = len(resolverOrder)
		}
		return ri < rj
	})
	for _, f := range faults {
		var opts, rowNames []string
		at := map[[2]string]reportCell{}
		dup := 0
		for _, c := range cells {
			if c.fault != f {
				continue
			}
			opts = appendNew(opts, c.opts)
			k := [2]string{c.row(), c.opts}
			if _, ok := at[k]; ok {
				dup++
			}
			at[k] = c
		}
		opts = ordered(opts, optsOrder)
		for _, r := range rowsSeen {
			for _, o := range opts {
				if _, ok := at[[2]string{r, o}]; ok {
					rowNames = append(rowNames, r)
					break
				}
			}
		}
		t := report.Table{Caption: fmt.Sprintf("Fault %s: p95 lookup time (ms) and outcome per cell", report.OrDash(f)), Head: []string{"base · resolver · flags"}}
		for _, o := range opts {
			t.Head = append(t.Head, optsLabel(o))
		}
		ss := report.Styled(make([]report.Series, len(rowNames)))
		for i, rn := range rowNames {
			row := []report.Cell{{Text: rn}}
			if standin[rn] {
				row[0].Badge = "stand-in"
			}
			ss[i].Name, ss[i].Values = rn, make([]float64, len(opts))
			for j, o := range opts {
				c, ok := at[[2]string{rn, o}]
				if !ok {
					row = append(row, report.Cell{Text: "not run"})
					ss[i].Values[j] = math.NaN()
					continue
				}
				p95 := report.NanIfNil(c.r.P95ms)
				ss[i].Values[j] = p95
				txt := c.r.Outcome
				if !math.IsNaN(p95) {
					txt = report.TrimFloat(p95) + " " + c.r.Outcome
				}
				row = append(row, report.Cell{Text: strings.TrimSpace(txt), Class: report.OutcomeClass(c.r.Outcome) + " num",
					Title: fmt.Sprintf("%s: %d/%d ok, a_only %s, queries %s, ports %s", c.r.Variant, c.r.OK, c.r.Tries,
						report.FormatValue("", c.m["a_only"]), report.FormatValue("", c.m["queries"]), report.FormatValue("", c.m["ports"]))})
			}
			t.Rows = append(t.Rows, row)
		}
		s.Tables = append(s.Tables, t)
		if dup > 0 {
			s.Notes = append(s.Notes, fmt.Sprintf("Fault %s: %d cells appear more than once; the table shows the last record of each.", f, dup))
		}
		cats := make([]string, len(opts))
		for i, o := range opts {
			cats[i] = optsLabel(o)
		}
		p, err := report.DotPlot("p95 lookup time under fault "+report.OrDash(f), "p95 ms (log scale)", cats, ss)
		if err != nil {
			s.Notes = append(s.Notes, fmt.Sprintf("No chart for fault %s: no cell was timed.", f))
			continue
		}
		svg, err := report.RenderSVG(p, vg.Points(math.Max(300, 110*float64(len(opts))+120)), vg.Points(260), "DNS latency, fault "+f)
		if err != nil {
			return err
		}
		s.Charts = append(s.Charts, report.Chart{ID: "dns-latency-" + report.Slug(f), Title: "Fault " + report.OrDash(f),
			Caption: "p95 of each cell's lookups, log scale; one glyph per base · resolver · flags.", SVG: svg, Legend: report.LegendFor(ss)})
	}
	return nil
}

// readTimeline reads a record's timeline field: the server's view of the
// cell's slowest lookup.
func readTimeline(m map[string]any) []report.Event {
	xs, _ := m["timeline"].([]any)
	var out []report.Event
	for _, x := range xs {
		e, ok := x.(map[string]any)
		if !ok {
			continue
		}
		ev := report.Event{TMs: report.Num(e, "t_ms"), Port: int(report.Num(e, "port"))}
		ev.Transport, _ = report.Str(e, "transport")
		ev.QType, _ = report.Str(e, "qtype")
		ev.Action, _ = report.Str(e, "action")
		if math.IsNaN(ev.TMs) {
			continue
		}
		out = append(out, ev)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].TMs < out[j].TMs })
	return out
}

// preferredBase is the base whose timeline stands for a resolver.
var preferredBase = map[string]string{"musl": "alpine", "glibc": "slim", "go": "distroless-static"}

// timelineCharts: for musl, glibc and Go, the slowest lookup of the race cell
// without options, as the server saw it.
func timelineCharts(s *report.Section, cells []reportCell) error {
	var resolvers []string
	for _, c := range cells {
		if c.resolver != "" {
			resolvers = appendNew(resolvers, c.resolver)
		}
	}
	resolvers = ordered(resolvers, resolverOrder)
	for _, res := range resolvers {
		var best *reportCell
		score := -1
		for i, c := range cells {
			if c.resolver != res || !strings.HasPrefix(c.fault, "race") || c.opts != "" {
				continue
			}
			if len(readTimeline(c.m)) == 0 {
				continue
			}
			sc := 1
			if c.base == preferredBase[res] {
				sc += 2
			}
			if c.flg == "" || c.flg == "none" {
				sc++
			}
			if sc > score {
				best, score = &cells[i], sc
			}
		}
		if best == nil {
			s.Notes = append(s.Notes, fmt.Sprintf("No timeline for %s: no %s record under race without options carries a timeline.", res, res))
			continue
		}
		evs := readTimeline(best.m)
		end := report.NanIfNil(best.r.MaxMs)
		if math.IsNaN(end) {
			end = 0
		}
		title := fmt.Sprintf("%s (%s) under race: its slowest lookup", res, best.base)
		p, legend, err := report.TimelinePlot(title, evs, end)
		if err != nil {
			return err
		}
		lanes := map[string]bool{}
		for _, e := range evs {
			lanes[fmt.Sprint(e.Port, e.Transport, e.QType)] = true
		}
		svg, err := report.RenderSVG(p, vg.Points(560), vg.Points(math.Max(150, 60+26*float64(len(lanes)))), title)
		if err != nil {
			return err
		}
		caption := fmt.Sprintf("Record %s (%s, %s%s): each query as the server received it — one lane per source port, transport and type; "+
			"the glyph says what the server did with it.", best.r.Variant, report.OrDash(best.r.Image), libcText(best.r.Libc), standinNote(best.r))
		s.Charts = append(s.Charts, report.Chart{ID: "dns-timeline-" + report.Slug(res), Title: "Timeline: " + res, Caption: caption, SVG: svg, Legend: legend})
		t := report.Table{Caption: fmt.Sprintf("Timeline of %s's slowest lookup under race (%s)", res, best.r.Variant),
			Head: []string{"t (ms)", "source port", "transport", "type", "server"}}
		for _, e := range evs {
			t.Rows = append(t.Rows, []report.Cell{{Text: report.TrimFloat(e.TMs), Class: "num"}, {Text: fmt.Sprint(e.Port), Class: "num"},
				{Text: report.OrDash(e.Transport)}, {Text: report.OrDash(e.QType)}, {Text: report.OrDash(e.Action), Class: actionClass(e.Action)}})
		}
		s.Tables = append(s.Tables, t)
	}
	return nil
}

func actionClass(a string) string {
	switch a {
	case "answered":
		return "good"
	case "dropped", "servfail", "refused":
		return "bad"
	}
	return "warn"
}

func libcText(l string) string {
	if l == "" {
		return "libc not recorded"
	}
	return l
}

func standinNote(r record.Record) string {
	if r.Standin {
		return ", stand-in"
	}
	return ""
}

// loadTable: p50/p95/p99 against concurrent clients, per base.
func loadTable(s *report.Section, load []reportCell) error {
	var bases []string
	var clients []float64
	for _, c := range load {
		b := c.base
		if parts := strings.Split(c.r.Variant, "/"); c.r.Base == "" && len(parts) == 3 {
			b = parts[1]
		}
		bases = appendNew(bases, b)
		n := report.Num(c.m, "clients")
		if !math.IsNaN(n) && !slices.Contains(clients, n) {
			clients = append(clients, n)
		}
	}
	sort.Float64s(clients)
	t := report.Table{Caption: "Under load: race with a loss probability below 1, C concurrent clients",
		Head: []string{"base", "resolver", "clients", "probability", "p50 ms", "p95 ms", "p99 ms", "max ms", "ok / tries", "outcome"}}
	var ss []report.Series
	for bi, b := range bases {
		for pi, pc := range []string{"p50", "p95", "p99"} {
			vals := make([]float64, len(clients))
			for i := range vals {
				vals[i] = math.NaN()
			}
			for _, c := range load {
				if c.base != b && !strings.HasPrefix(c.r.Variant, "load/"+b+"/") {
					continue
				}
				i := slices.Index(clients, report.Num(c.m, "clients"))
				if i < 0 {
					continue
				}
				switch pc {
				case "p50":
					vals[i] = report.NanIfNil(c.r.P50ms)
				case "p95":
					vals[i] = report.NanIfNil(c.r.P95ms)
				case "p99":
					vals[i] = report.Num(c.m, "p99_ms")
				}
			}
			// colour says the base, dash and glyph the percentile
			ss = append(ss, report.Series{Name: b + " " + pc, Values: vals, Color: bi, Glyph: pi, Dash: pi})
		}
	}
	for _, c := range load {
		res, _ := report.Str(c.m, "resolver")
		t.Rows = append(t.Rows, []report.Cell{report.BaseCell(c.r), {Text: report.OrDash(res)}, {Text: report.FormatValue("", c.m["clients"]), Class: "num"},
			{Text: report.FormatValue("", c.m["probability"]), Class: "num"}, report.MsCell(c.r.P50ms), report.MsCell(c.r.P95ms),
			{Text: report.FormatValue("", c.m["p99_ms"]), Class: "num"}, report.MsCell(c.r.MaxMs),
			{Text: fmt.Sprintf("%d / %d", c.r.OK, c.r.Tries), Class: "num"}, report.OutcomeCell(c.r.Outcome)})
	}
	s.Tables = append(s.Tables, t)
	if len(clients) == 0 {
		s.Notes = append(s.Notes, "Load cells carry no clients field: no load chart.")
		return nil
	}
	p, err := report.LinePlot("Lookup time under load", "concurrent clients", "ms (log scale)", clients, ss, true)
	if err != nil {
		s.Notes = append(s.Notes, "No load chart: no load cell was timed.")
		return nil
	}
	svg, err := report.RenderSVG(p, vg.Points(420), vg.Points(260), "DNS lookup time under load")
	if err != nil {
		return err
	}
	s.Charts = append(s.Charts, report.Chart{ID: "dns-load", Title: "Under load",
		Caption: "p50, p95 and p99 of every lookup in the cell against the number of concurrent clients; the tail is what the course calls intermittent.",
		SVG:     svg, Legend: report.LegendFor(ss)})
	return nil
}
