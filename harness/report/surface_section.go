package report

import (
	"math"

	"github.com/baselab/baselab/harness/record"
	"gonum.org/v1/plot/vg"
)

func surfaceSection(s *Section, rs []record.Record, rows []map[string]any) error {
	t := Table{Caption: "Attack surface per base", Head: []string{"variant", "base", "libc", "packages", "shells", "package manager", "setuid/setgid", "world-writable", "files", "user", "CVEs"}}
	cats := make([]string, len(rs))
	pk := Series{Name: "installed packages"}
	for i, r := range rs {
		m := rows[i]
		cats[i] = r.Variant
		if cats[i] == "" {
			cats[i] = r.Base
		}
		pk.Values = append(pk.Values, Num(m, "packages"))
		cell := func(f string) Cell {
			v, ok := m[f]
			if !ok {
				return Cell{Text: "—", Title: "not in this record"}
			}
			return Cell{Text: FormatValue(f, v), Class: ValueClass(v)}
		}
		cves := cell("cves")
		if v, ok := m["cves"]; ok && v == nil {
			cves.Title = "no scanner with a local database was found: " + r.Detail
		}
		t.Rows = append(t.Rows, []Cell{{Text: r.Variant, Class: "mono"}, BaseCell(r), {Text: OrDash(r.Libc)}, cell("packages"), cell("shells"),
			cell("package_manager"), cell("setuid"), cell("world_writable"), cell("files"), cell("user"), cves})
	}
	s.Tables = append(s.Tables, t)
	if p, err := BarPlot("Installed packages", "packages", cats, Styled([]Series{pk})); err == nil {
		svg, err := RenderSVG(p, vg.Points(math.Max(360, 40*float64(len(cats))+100)), vg.Points(280), "installed packages")
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
