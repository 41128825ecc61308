package surface

import (
	"math"

	"github.com/baselab/baselab/harness/record"
	"github.com/baselab/baselab/harness/report"
	"gonum.org/v1/plot/vg"
)

// reportLab is the surface lab's part of the report.
var reportLab = report.Lab{
	Title:   "Surface: what each base ships",
	Intro:   "Packages, shells, package manager, setuid files, world-writable paths, files and default user per base.",
	Fields:  []string{"packages", "shells", "package_manager", "setuid", "world_writable", "files", "user", "cves"},
	Section: section,
}

func section(s *report.Section, rs []record.Record, rows []map[string]any) error {
	t := report.Table{Caption: "Attack surface per base", Head: []string{"variant", "base", "libc", "packages", "shells", "package manager", "setuid/setgid", "world-writable", "files", "user", "CVEs"}}
	cats := make([]string, len(rs))
	pk := report.Series{Name: "installed packages"}
	for i, r := range rs {
		m := rows[i]
		cats[i] = r.Variant
		if cats[i] == "" {
			cats[i] = r.Base
		}
		pk.Values = append(pk.Values, report.Num(m, "packages"))
		cell := func(f string) report.Cell {
			v, ok := m[f]
			if !ok {
				return report.Cell{Text: "—", Title: "not in this record"}
			}
			return report.Cell{Text: report.FormatValue(f, v), Class: report.ValueClass(v)}
		}
		cves := cell("cves")
		if v, ok := m["cves"]; ok && v == nil {
			cves.Title = "no scanner with a local database was found: " + r.Detail
		}
		t.Rows = append(t.Rows, []report.Cell{{Text: r.Variant, Class: "mono"}, report.BaseCell(r), {Text: report.OrDash(r.Libc)}, cell("packages"), cell("shells"),
			cell("package_manager"), cell("setuid"), cell("world_writable"), cell("files"), cell("user"), cves})
	}
	s.Tables = append(s.Tables, t)
	if p, err := report.BarPlot("Installed packages", "packages", cats, report.Styled([]report.Series{pk})); err == nil {
		svg, err := report.RenderSVG(p, vg.Points(math.Max(360, 40*float64(len(cats))+100)), vg.Points(280), "installed packages")
		if err != nil {
			return err
		}
		s.Charts = append(s.Charts, report.Chart{ID: "surface-packages", Title: "Packages", SVG: svg,
			Caption: "Packages each base's own package database lists (dpkg status, apk's database, distroless's status.d)."})
	} else {
		s.Notes = append(s.Notes, "No packages chart: no record carries packages.")
	}
	return nil
}
