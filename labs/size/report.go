package size

import (
	"math"

	"github.com/baselab/baselab/harness/record"
	"github.com/baselab/baselab/harness/report"
	"gonum.org/v1/plot/vg"
)

// reportLab is the size lab's part of the report.
var reportLab = report.Lab{
	Title:   "Size: the same app on every base",
	Intro:   "Image size, layers, compressed size (as a registry stores it) and container start to first response.",
	Fields:  []string{"size_bytes", "compressed_bytes", "layers", "start_ms", "course_bytes"},
	Section: section,
}

func section(s *report.Section, rs []record.Record, rows []map[string]any) error {
	t := report.Table{Caption: "Size per image: each base bare and with the same app", Head: []string{"variant", "base", "libc", "size", "compressed", "layers", "start to first response (ms)", "the course says"}}
	cats := make([]string, len(rs))
	size, comp, course, start := report.Series{Name: "image size (MB)"}, report.Series{Name: "compressed (MB)"}, report.Series{Name: "course: base alone (MB)"}, report.Series{Name: "start to first response (ms)"}
	for i, r := range rs {
		m := rows[i]
		cats[i] = r.Variant
		if cats[i] == "" {
			cats[i] = r.Base
		}
		size.Values = append(size.Values, report.Num(m, "size_bytes")/1e6)
		comp.Values = append(comp.Values, report.Num(m, "compressed_bytes")/1e6)
		cm := report.Num(m, "course_bytes") / 1e6
		course.Values = append(course.Values, cm)
		start.Values = append(start.Values, report.Num(m, "start_ms"))
		cc := report.Cell{Text: "—", Title: "the course gives no number for this image"}
		if !math.IsNaN(cm) {
			cc = report.Cell{Text: report.TrimFloat(cm) + " MB", Class: "num"}
			if ci, ok := report.Str(m, "course_image"); ok {
				cc.Text += " (" + ci + ")"
			}
		}
		t.Rows = append(t.Rows, []report.Cell{{Text: r.Variant, Class: "mono"}, report.BaseCell(r), {Text: report.OrDash(r.Libc)},
			{Text: report.FormatValue("size_bytes", m["size_bytes"]), Class: "num"}, {Text: report.FormatValue("compressed_bytes", m["compressed_bytes"]), Class: "num"},
			{Text: report.FormatValue("", m["layers"]), Class: "num"}, {Text: report.FormatValue("", m["start_ms"]), Class: "num"}, cc})
	}
	s.Tables = append(s.Tables, t)
	w := vg.Points(math.Max(360, 48*float64(len(cats))+100))
	sizes := report.Styled([]report.Series{size, comp, course})
	if p, err := report.BarPlot("Image size", "MB", cats, sizes); err == nil {
		svg, err := report.RenderSVG(p, w, vg.Points(300), "image sizes")
		if err != nil {
			return err
		}
		s.Charts = append(s.Charts, report.Chart{ID: "size-bytes", Title: "Sizes", SVG: svg, Legend: report.BarLegend(sizes),
			Caption: "Uncompressed image size and its compressed size as a registry stores it, beside the course's number where it gives one (course_bytes)."})
	} else {
		s.Notes = append(s.Notes, "No size chart: no record carries size_bytes or compressed_bytes.")
	}
	if p, err := report.BarPlot("Container start to first response", "ms", cats, report.Styled([]report.Series{start})); err == nil {
		svg, err := report.RenderSVG(p, w, vg.Points(280), "start times")
		if err != nil {
			return err
		}
		s.Charts = append(s.Charts, report.Chart{ID: "size-start", Title: "Start time", SVG: svg, Caption: "Median container start to the app's first successful response."})
	}
	return nil
}
