package report

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/baselab/baselab/harness/record"
	"gonum.org/v1/plot/vg"
)

// str reads a string field of a flattened record.
func str(m map[string]any, k string) (string, bool) {
	v, ok := m[k]
	if !ok {
		return "", false
	}
	s, ok := v.(string)
	return s, ok
}

// num reads a number field; a list counts its elements; NaN when absent.
func num(m map[string]any, k string) float64 {
	switch x := m[k].(type) {
	case float64:
		return x
	case []any:
		return float64(len(x))
	case bool:
		if x {
			return 1
		}
		return 0
	}
	return math.NaN()
}

func nanIfNil(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

// dnsCell is one DNS lab record with its coordinates, read from its fields
// or, for a record without them, from its variant
// (<base>/<fault>/<options-slug>/<flags>).
type dnsCell struct {
	r                                record.Record
	m                                map[string]any
	base, resolver, fault, opts, flg string
}

func readDNSCell(r record.Record, m map[string]any) dnsCell {
	c := dnsCell{r: r, m: m, base: r.Base}
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
	c.resolver, _ = str(m, "resolver")
	var ok bool
	if c.fault, ok = str(m, "fault"); !ok {
		c.fault = part(1)
	}
	if c.opts, ok = str(m, "options"); !ok {
		slug := part(2)
		if slug != "none" {
			c.opts = strings.ReplaceAll(slug, "+", " ")
		}
	}
	if c.flg, ok = str(m, "flags"); !ok {
		c.flg = part(3)
	}
	return c
}

func (c dnsCell) row() string {
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

var (
	faultOrder    = []string{"ok", "race", "timeout:AAAA", "servfail:AAAA", "refused:AAAA", "truncate", "overload"}
	optsOrder     = []string{"", "single-request", "single-request-reopen", "timeout:1 attempts:2", "use-vc"}
	resolverOrder = []string{"musl", "glibc", "go"}
)

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

func dnsSection(s *Section, rs []record.Record, rows []map[string]any) error {
	var cells, load []dnsCell
	for i, r := range rs {
		c := readDNSCell(r, rows[i])
		if strings.HasPrefix(r.Variant, "load/") || anyHasOne(rows[i], "clients") {
			load = append(load, c)
			continue
		}
		cells = append(cells, c)
	}
	if len(cells) == 0 {
		s.Notes = append(s.Notes, "No matrix cells (resolver × fault × options) in these records.")
	} else if err := dnsMatrix(s, cells); err != nil {
		return err
	}
	if err := dnsTimelines(s, cells); err != nil {
		return err
	}
	if len(load) == 0 {
		s.Notes = append(s.Notes, "No load cells (variant load/<base>/c<clients>) in these records.")
		return nil
	}
	return dnsLoad(s, load)
}

func anyHasOne(m map[string]any, k string) bool { _, ok := m[k]; return ok }

// dnsMatrix: a table per fault (rows: base · resolver · flags; columns:
// options) and a chart per fault of the same p95s on a log axis.
func dnsMatrix(s *Section, cells []dnsCell) error {
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
		at := map[[2]string]dnsCell{}
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
		t := Table{Caption: fmt.Sprintf("Fault %s: p95 lookup time (ms) and outcome per cell", orDash(f)), Head: []string{"base · resolver · flags"}}
		for _, o := range opts {
			t.Head = append(t.Head, optsLabel(o))
		}
		ss := styled(make([]series, len(rowNames)))
		for i, rn := range rowNames {
			row := []Cell{{Text: rn}}
			if standin[rn] {
				row[0].Badge = "stand-in"
			}
			ss[i].Name, ss[i].Values = rn, make([]float64, len(opts))
			for j, o := range opts {
				c, ok := at[[2]string{rn, o}]
				if !ok {
					row = append(row, Cell{Text: "not run"})
					ss[i].Values[j] = math.NaN()
					continue
				}
				p95 := nanIfNil(c.r.P95ms)
				ss[i].Values[j] = p95
				txt := c.r.Outcome
				if !math.IsNaN(p95) {
					txt = trimFloat(p95) + " " + c.r.Outcome
				}
				row = append(row, Cell{Text: strings.TrimSpace(txt), Class: outcomeClass(c.r.Outcome) + " num",
					Title: fmt.Sprintf("%s: %d/%d ok, a_only %s, queries %s, ports %s", c.r.Variant, c.r.OK, c.r.Tries,
						formatValue("", c.m["a_only"]), formatValue("", c.m["queries"]), formatValue("", c.m["ports"]))})
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
		p, err := dotPlot("p95 lookup time under fault "+orDash(f), "p95 ms (log scale)", cats, ss)
		if err != nil {
			s.Notes = append(s.Notes, fmt.Sprintf("No chart for fault %s: no cell was timed.", f))
			continue
		}
		svg, err := renderSVG(p, vg.Points(math.Max(300, 110*float64(len(opts))+120)), vg.Points(260), "DNS latency, fault "+f)
		if err != nil {
			return err
		}
		s.Charts = append(s.Charts, Chart{ID: "dns-latency-" + slug(f), Title: "Fault " + orDash(f),
			Caption: "p95 of each cell's lookups, log scale; one glyph per base · resolver · flags.", SVG: svg, Legend: legendFor(ss)})
	}
	return nil
}

func slug(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	return strings.Trim(b.String(), "-")
}

// readTimeline reads a record's timeline field: the server's view of the
// cell's slowest lookup.
func readTimeline(m map[string]any) []Event {
	xs, _ := m["timeline"].([]any)
	var out []Event
	for _, x := range xs {
		e, ok := x.(map[string]any)
		if !ok {
			continue
		}
		ev := Event{TMs: num(e, "t_ms"), Port: int(num(e, "port"))}
		ev.Transport, _ = str(e, "transport")
		ev.QType, _ = str(e, "qtype")
		ev.Action, _ = str(e, "action")
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

// dnsTimelines: for musl, glibc and Go, the slowest lookup of the race cell
// without options, as the server saw it.
func dnsTimelines(s *Section, cells []dnsCell) error {
	var resolvers []string
	for _, c := range cells {
		if c.resolver != "" {
			resolvers = appendNew(resolvers, c.resolver)
		}
	}
	resolvers = ordered(resolvers, resolverOrder)
	for _, res := range resolvers {
		var best *dnsCell
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
		end := nanIfNil(best.r.MaxMs)
		if math.IsNaN(end) {
			end = 0
		}
		title := fmt.Sprintf("%s (%s) under race: its slowest lookup", res, best.base)
		p, legend, err := timelinePlot(title, evs, end)
		if err != nil {
			return err
		}
		lanes := map[string]bool{}
		for _, e := range evs {
			lanes[fmt.Sprint(e.Port, e.Transport, e.QType)] = true
		}
		svg, err := renderSVG(p, vg.Points(560), vg.Points(math.Max(150, 60+26*float64(len(lanes)))), title)
		if err != nil {
			return err
		}
		caption := fmt.Sprintf("Record %s (%s, %s%s): each query as the server received it — one lane per source port, transport and type; "+
			"the glyph says what the server did with it.", best.r.Variant, orDash(best.r.Image), libcText(best.r.Libc), standinNote(best.r))
		s.Charts = append(s.Charts, Chart{ID: "dns-timeline-" + slug(res), Title: "Timeline: " + res, Caption: caption, SVG: svg, Legend: legend})
		t := Table{Caption: fmt.Sprintf("Timeline of %s's slowest lookup under race (%s)", res, best.r.Variant),
			Head: []string{"t (ms)", "source port", "transport", "type", "server"}}
		for _, e := range evs {
			t.Rows = append(t.Rows, []Cell{{Text: trimFloat(e.TMs), Class: "num"}, {Text: fmt.Sprint(e.Port), Class: "num"},
				{Text: orDash(e.Transport)}, {Text: orDash(e.QType)}, {Text: orDash(e.Action), Class: actionClass(e.Action)}})
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

// dnsLoad: p50/p95/p99 against concurrent clients, per base.
func dnsLoad(s *Section, load []dnsCell) error {
	var bases []string
	var clients []float64
	for _, c := range load {
		b := c.base
		if parts := strings.Split(c.r.Variant, "/"); c.r.Base == "" && len(parts) == 3 {
			b = parts[1]
		}
		bases = appendNew(bases, b)
		n := num(c.m, "clients")
		if !math.IsNaN(n) && !slices.Contains(clients, n) {
			clients = append(clients, n)
		}
	}
	sort.Float64s(clients)
	t := Table{Caption: "Under load: race with a loss probability below 1, C concurrent clients",
		Head: []string{"base", "resolver", "clients", "probability", "p50 ms", "p95 ms", "p99 ms", "max ms", "ok / tries", "outcome"}}
	var ss []series
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
				i := slices.Index(clients, num(c.m, "clients"))
				if i < 0 {
					continue
				}
				switch pc {
				case "p50":
					vals[i] = nanIfNil(c.r.P50ms)
				case "p95":
					vals[i] = nanIfNil(c.r.P95ms)
				case "p99":
					vals[i] = num(c.m, "p99_ms")
				}
			}
			// colour says the base, dash and glyph the percentile
			ss = append(ss, series{Name: b + " " + pc, Values: vals, Color: bi, Glyph: pi, Dash: pi})
		}
	}
	for _, c := range load {
		res, _ := str(c.m, "resolver")
		t.Rows = append(t.Rows, []Cell{baseCell(c.r), {Text: orDash(res)}, {Text: formatValue("", c.m["clients"]), Class: "num"},
			{Text: formatValue("", c.m["probability"]), Class: "num"}, msCell(c.r.P50ms), msCell(c.r.P95ms),
			{Text: formatValue("", c.m["p99_ms"]), Class: "num"}, msCell(c.r.MaxMs),
			{Text: fmt.Sprintf("%d / %d", c.r.OK, c.r.Tries), Class: "num"}, outcomeCell(c.r.Outcome)})
	}
	s.Tables = append(s.Tables, t)
	if len(clients) == 0 {
		s.Notes = append(s.Notes, "Load cells carry no clients field: no load chart.")
		return nil
	}
	p, err := linePlot("Lookup time under load", "concurrent clients", "ms (log scale)", clients, ss, true)
	if err != nil {
		s.Notes = append(s.Notes, "No load chart: no load cell was timed.")
		return nil
	}
	svg, err := renderSVG(p, vg.Points(420), vg.Points(260), "DNS lookup time under load")
	if err != nil {
		return err
	}
	s.Charts = append(s.Charts, Chart{ID: "dns-load", Title: "Under load",
		Caption: "p50, p95 and p99 of every lookup in the cell against the number of concurrent clients; the tail is what the course calls intermittent.",
		SVG:     svg, Legend: legendFor(ss)})
	return nil
}

func sizeSection(s *Section, rs []record.Record, rows []map[string]any) error {
	t := Table{Caption: "Size per image: each base bare and with the same app", Head: []string{"variant", "base", "libc", "size", "compressed", "layers", "start to first response (ms)", "the course says"}}
	cats := make([]string, len(rs))
	size, comp, course, start := series{Name: "image size (MB)"}, series{Name: "compressed (MB)"}, series{Name: "course: base alone (MB)"}, series{Name: "start to first response (ms)"}
	for i, r := range rs {
		m := rows[i]
		cats[i] = r.Variant
		if cats[i] == "" {
			cats[i] = r.Base
		}
		size.Values = append(size.Values, num(m, "size_bytes")/1e6)
		comp.Values = append(comp.Values, num(m, "compressed_bytes")/1e6)
		cm := num(m, "course_bytes") / 1e6
		course.Values = append(course.Values, cm)
		start.Values = append(start.Values, num(m, "start_ms"))
		cc := Cell{Text: "—", Title: "the course gives no number for this image"}
		if !math.IsNaN(cm) {
			cc = Cell{Text: trimFloat(cm) + " MB", Class: "num"}
			if ci, ok := str(m, "course_image"); ok {
				cc.Text += " (" + ci + ")"
			}
		}
		t.Rows = append(t.Rows, []Cell{{Text: r.Variant, Class: "mono"}, baseCell(r), {Text: orDash(r.Libc)},
			{Text: formatValue("size_bytes", m["size_bytes"]), Class: "num"}, {Text: formatValue("compressed_bytes", m["compressed_bytes"]), Class: "num"},
			{Text: formatValue("", m["layers"]), Class: "num"}, {Text: formatValue("", m["start_ms"]), Class: "num"}, cc})
	}
	s.Tables = append(s.Tables, t)
	w := vg.Points(math.Max(360, 48*float64(len(cats))+100))
	sizes := styled([]series{size, comp, course})
	if p, err := barPlot("Image size", "MB", cats, sizes); err == nil {
		svg, err := renderSVG(p, w, vg.Points(300), "image sizes")
		if err != nil {
			return err
		}
		s.Charts = append(s.Charts, Chart{ID: "size-bytes", Title: "Sizes", SVG: svg, Legend: barLegend(sizes),
			Caption: "Uncompressed image size and its compressed size as a registry stores it, beside the course's number where it gives one (course_bytes)."})
	} else {
		s.Notes = append(s.Notes, "No size chart: no record carries size_bytes or compressed_bytes.")
	}
	if p, err := barPlot("Container start to first response", "ms", cats, styled([]series{start})); err == nil {
		svg, err := renderSVG(p, w, vg.Points(280), "start times")
		if err != nil {
			return err
		}
		s.Charts = append(s.Charts, Chart{ID: "size-start", Title: "Start time", SVG: svg, Caption: "Median container start to the app's first successful response."})
	}
	return nil
}

func surfaceSection(s *Section, rs []record.Record, rows []map[string]any) error {
	t := Table{Caption: "Attack surface per base", Head: []string{"variant", "base", "libc", "packages", "shells", "package manager", "setuid/setgid", "world-writable", "files", "user", "CVEs"}}
	cats := make([]string, len(rs))
	pk := series{Name: "installed packages"}
	for i, r := range rs {
		m := rows[i]
		cats[i] = r.Variant
		if cats[i] == "" {
			cats[i] = r.Base
		}
		pk.Values = append(pk.Values, num(m, "packages"))
		cell := func(f string) Cell {
			v, ok := m[f]
			if !ok {
				return Cell{Text: "—", Title: "not in this record"}
			}
			return Cell{Text: formatValue(f, v), Class: valueClass(v)}
		}
		cves := cell("cves")
		if v, ok := m["cves"]; ok && v == nil {
			cves.Title = "no scanner with a local database was found: " + r.Detail
		}
		t.Rows = append(t.Rows, []Cell{{Text: r.Variant, Class: "mono"}, baseCell(r), {Text: orDash(r.Libc)}, cell("packages"), cell("shells"),
			cell("package_manager"), cell("setuid"), cell("world_writable"), cell("files"), cell("user"), cves})
	}
	s.Tables = append(s.Tables, t)
	if p, err := barPlot("Installed packages", "packages", cats, styled([]series{pk})); err == nil {
		svg, err := renderSVG(p, vg.Points(math.Max(360, 40*float64(len(cats))+100)), vg.Points(280), "installed packages")
		if err != nil {
			return err
		}
		s.Charts = append(s.Charts, Chart{ID: "surface-packages", Title: "Packages", SVG: svg,
			Caption: "Packages each base's own package database lists (dpkg status, apk's database, distroless's status.d)."})
	} else {
		s.Notes = append(s.Notes, "No packages chart: no record carries packages.")
	}
	return nil
}

// outcomeSection: the failure and its evidence per variant (wheel, scratch).
func outcomeSection(s *Section, rs []record.Record) {
	t := Table{Caption: "Outcome per variant, with the error seen", Head: []string{"variant", "base", "libc", "outcome", "evidence", "ok / tries", "p50 ms"}}
	for _, r := range rs {
		t.Rows = append(t.Rows, []Cell{{Text: r.Variant, Class: "mono"}, baseCell(r), {Text: orDash(r.Libc)}, outcomeCell(r.Outcome),
			{Text: orDash(r.Evidence), Class: "mono small"}, {Text: fmt.Sprintf("%d / %d", r.OK, r.Tries), Class: "num"}, msCell(r.P50ms)})
	}
	s.Tables = append(s.Tables, t)
}
