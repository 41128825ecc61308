package report

import (
	"math"

	"github.com/baselab/baselab/harness/record"
	"gonum.org/v1/plot/vg"
)

func sizeSection(s *Section, rs []record.Record, rows []map[string]any) error {
	t := Table{Caption: "Size per image: each base bare and with the same app", Head: []string{"variant", "base", "libc", "size", "compressed", "layers", "start to first response (ms)", "the course says"}}
	cats := make([]string, len(rs))
	size, comp, course, start := Series{Name: "image size (MB)"}, Series{Name: "compressed (MB)"}, Series{Name: "course: base alone (MB)"}, Series{Name: "start to first response (ms)"}
	for i, r := range rs {
		m := rows[i]
		cats[i] = r.Variant
		if cats[i] == "" {
			cats[i] = r.Base
		}
		size.Values = append(size.Values, Num(m, "size_bytes")/1e6)
		comp.Values = append(comp.Values, Num(m, "compressed_bytes")/1e6)
		cm := Num(m, "course_bytes") / 1e6
		course.Values = append(course.Values, cm)
		start.Values = append(start.Values, Num(m, "start_ms"))
		cc := Cell{Text: "—", Title: "the course gives no number for this image"}
		if !math.IsNaN(cm) {
			cc = Cell{Text: TrimFloat(cm) + " MB", Class: "num"}
			if ci, ok := Str(m, "course_image"); ok {
				cc.Text += " (" + ci + ")"
			}
		}
		t.Rows = append(t.Rows, []Cell{{Text: r.Variant, Class: "mono"}, BaseCell(r), {Text: OrDash(r.Libc)},
			{Text: FormatValue("size_bytes", m["size_bytes"]), Class: "num"}, {Text: FormatValue("compressed_bytes", m["compressed_bytes"]), Class: "num"},
			{Text: FormatValue("", m["layers"]), Class: "num"}, {Text: FormatValue("", m["start_ms"]), Class: "num"}, cc})
	}
	s.Tables = append(s.Tables, t)
	w := vg.Points(math.Max(360, 48*float64(len(cats))+100))
	sizes := Styled([]Series{size, comp, course})
	if p, err := BarPlot("Image size", "MB", cats, sizes); err == nil {
		svg, err := RenderSVG(p, w, vg.Points(300), "image sizes")
		if err != nil {
			return err
		}
		s.Charts = append(s.Charts, Chart{ID: "size-bytes", Title: "Sizes", SVG: svg, Legend: BarLegend(sizes),
			Caption: "Uncompressed image size and its compressed size as a registry stores it, beside the course's number where it gives one (course_bytes)."})
	} else {
		s.Notes = append(s.Notes, "No size chart: no record carries size_bytes or compressed_bytes.")
	}
	if p, err := BarPlot("Container start to first response", "ms", cats, Styled([]Series{start})); err == nil {
		svg, err := RenderSVG(p, w, vg.Points(280), "start times")
		if err != nil {
			return err
		}
		s.Charts = append(s.Charts, Chart{ID: "size-start", Title: "Start time", SVG: svg, Caption: "Median container start to the app's first successful response."})
	}
	return nil
}
