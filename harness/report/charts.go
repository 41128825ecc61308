package report

import (
	"bytes"
	"fmt"
	"html/template"
	"image/color"
	"math"
	"regexp"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Chart is one figure of the report: an SVG drawn by gonum/plot, inlined
// into the page so that report.html needs nothing else to open.
type Chart struct {
	ID      string
	Title   string
	Caption string
	SVG     template.HTML
	// Legend, when set, is drawn by the page beside the chart (charts
	// with many series keep their plotting area free).
	Legend []LegendItem
}

// Slug makes a chart ID from a name: lower-case letters and digits, the
// rest dashes.
func Slug(s string) string {
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

// LegendItem is one series of a chart's page-drawn legend.
type LegendItem struct {
	Name  string
	Color string // CSS colour
	Glyph string // a character shaped like the series' glyph
}

// glyphChars match glyphs, in order.
var glyphChars = []string{"●", "△", "□", "+", "×", "○", "▲", "■"}

func LegendFor(ss []Series) []LegendItem {
	out := make([]LegendItem, len(ss))
	for i, s := range ss {
		out[i] = LegendItem{Name: s.Name, Color: cssColor(seriesColor(s.Color)), Glyph: glyphChars[s.Glyph%len(glyphChars)]}
	}
	return out
}

func cssColor(c color.Color) string {
	r, g, b, _ := c.RGBA()
	return fmt.Sprintf("#%02x%02x%02x", r>>8, g>>8, b>>8)
}

// palette is Okabe–Ito's, readable by people with any common colour-vision
// deficiency; series beyond it cycle with a different glyph.
var palette = []color.Color{
	color.RGBA{0, 114, 178, 255},   // blue
	color.RGBA{213, 94, 0, 255},    // vermillion
	color.RGBA{0, 158, 115, 255},   // bluish green
	color.RGBA{204, 121, 167, 255}, // reddish purple
	color.RGBA{230, 159, 0, 255},   // orange
	color.RGBA{86, 180, 233, 255},  // sky blue
	color.RGBA{0, 0, 0, 255},       // black
	color.RGBA{240, 228, 66, 255},  // yellow
}

var glyphs = []draw.GlyphDrawer{
	draw.CircleGlyph{}, draw.TriangleGlyph{}, draw.SquareGlyph{}, draw.PlusGlyph{},
	draw.CrossGlyph{}, draw.RingGlyph{}, draw.PyramidGlyph{}, draw.BoxGlyph{},
}

func seriesColor(i int) color.Color { return palette[i%len(palette)] }

func seriesGlyph(i int) draw.GlyphDrawer { return glyphs[i%len(glyphs)] }

// sans is the face every chart uses. Liberation Sans has Arial's metrics, so
// the page's font fallback (see fixFonts) keeps the layout plot computed.
var sans = font.Font{Typeface: "Liberation", Variant: "Sans"}

// newPlot returns a plot whose every text uses the sans face.
func newPlot(title, xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = font.From(sans, 12)
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(sans, 10)
		a.Tick.Label.Font = font.From(sans, 9)
	}
	p.Legend.TextStyle.Font = font.From(sans, 9)
	p.Legend.Top = true
	p.Legend.Left = true
	p.BackgroundColor = color.White
	return p
}

var (
	xmlDecl    = regexp.MustCompile(`(?s)<\?xml.*?\?>\s*(<!--.*?-->\s*)?`)
	fontFamily = regexp.MustCompile(`font-family:Liberation Sans;`)
)

// renderSVG draws p into an SVG fit for inlining: no XML prologue (illegal
// inside HTML), a font stack that falls back to the metric-compatible faces
// a browser has, and a class the page styles.
func RenderSVG(p *plot.Plot, w, h vg.Length, label string) (template.HTML, error) {
	wt, err := p.WriterTo(w, h, "svg")
	if err != nil {
		return "", fmt.Errorf("draw chart %q: %w", label, err)
	}
	var b bytes.Buffer
	if _, err := wt.WriteTo(&b); err != nil {
		return "", fmt.Errorf("write chart %q: %w", label, err)
	}
	s := xmlDecl.ReplaceAllString(b.String(), "")
	s = fontFamily.ReplaceAllString(s, `font-family:'Liberation Sans',Arimo,Arial,Helvetica,sans-serif;`)
	s = strings.Replace(s, "<svg ", fmt.Sprintf(`<svg class="chart" role="img" aria-label="%s" `, template.HTMLEscapeString(label)), 1)
	return template.HTML(s), nil // #nosec: drawn here; vgsvg escapes every text it writes
}

// series is one named set of values over nominal categories; NaN = no
// value. Color, Glyph and Dash index the palette, glyphs and dash patterns
// (see styled).
type Series struct {
	Name               string
	Values             []float64
	Color, Glyph, Dash int
}

// styled gives each series its own colour and glyph, in order.
func Styled(ss []Series) []Series {
	for i := range ss {
		ss[i].Color, ss[i].Glyph, ss[i].Dash = i, (i/len(palette)+i)%len(glyphs), 0
	}
	return ss
}

// logFloor keeps a log axis defined when a value is 0 (a lookup answered in
// under 10 µs is drawn at 10 µs; the tables carry the exact number).
const logFloor = 0.01

// dotPlot draws one glyph per series and category on a log-scaled value axis,
// each series nudged sideways so that equal values stay visible. The page
// draws its legend (legendFor).
func DotPlot(title, yLabel string, cats []string, ss []Series) (*plot.Plot, error) {
	p := newPlot(title, "", yLabel)
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	lo, hi := math.Inf(1), math.Inf(-1)
	n := float64(len(ss))
	for i, s := range ss {
		var xys plotter.XYs
		for c, v := range s.Values {
			if math.IsNaN(v) {
				continue
			}
			v = math.Max(v, logFloor)
			lo, hi = math.Min(lo, v), math.Max(hi, v)
			off := (float64(i) - (n-1)/2) * math.Min(0.5/n, 0.08)
			xys = append(xys, plotter.XY{X: float64(c) + off, Y: v})
		}
		if len(xys) == 0 {
			continue
		}
		sc, err := plotter.NewScatter(xys)
		if err != nil {
			return nil, fmt.Errorf("chart %q series %q: %w", title, s.Name, err)
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: seriesColor(s.Color), Shape: seriesGlyph(s.Glyph), Radius: vg.Points(3.5)}
		p.Add(sc)
	}
	if math.IsInf(lo, 1) {
		return nil, fmt.Errorf("chart %q: no values to draw", title)
	}
	p.NominalX(cats...)
	p.X.Min, p.X.Max = -0.5, float64(len(cats))-0.5
	p.Y.Min, p.Y.Max = decades(lo, hi)
	p.Add(plotter.NewGrid())
	return p, nil
}

// barLegend is the page-drawn legend of a bar chart.
func BarLegend(ss []Series) []LegendItem {
	out := LegendFor(ss)
	for i := range out {
		out[i].Glyph = "■"
	}
	return out
}

// barPlot draws grouped bars: one group per category, one bar per series;
// the page draws the legend (barLegend).
func BarPlot(title, yLabel string, cats []string, ss []Series) (*plot.Plot, error) {
	p := newPlot(title, "", yLabel)
	width := vg.Points(math.Max(4, math.Min(18, 300/float64(len(cats)*max(1, len(ss))))))
	drawn, top := false, 0.0
	for i, s := range ss {
		vals := make(plotter.Values, len(s.Values))
		for j, v := range s.Values {
			if math.IsNaN(v) {
				v = 0
			} else {
				drawn = true
				top = math.Max(top, v)
			}
			vals[j] = v
		}
		b, err := plotter.NewBarChart(vals, width)
		if err != nil {
			return nil, fmt.Errorf("chart %q series %q: %w", title, s.Name, err)
		}
		b.Color = seriesColor(s.Color)
		b.LineStyle.Width = 0
		b.Offset = width * vg.Length(float64(i)-float64(len(ss)-1)/2)
		p.Add(b)
	}
	if !drawn {
		return nil, fmt.Errorf("chart %q: no values to draw", title)
	}
	p.NominalX(cats...)
	p.X.Tick.Label.Rotation = math.Pi / 6
	p.X.Tick.Label.XAlign = draw.XRight
	p.X.Tick.Label.YAlign = draw.YCenter
	p.Y.Min = 0
	p.Y.Max = top * 1.08
	p.Add(plotter.NewGrid())
	return p, nil
}

// linePlot draws series over a numeric x axis (clients under load).
func LinePlot(title, xLabel, yLabel string, xs []float64, ss []Series, logY bool) (*plot.Plot, error) {
	p := newPlot(title, xLabel, yLabel)
	if logY {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range ss {
		var xys plotter.XYs
		for j, v := range s.Values {
			if math.IsNaN(v) {
				continue
			}
			if logY {
				v = math.Max(v, logFloor)
			}
			lo, hi = math.Min(lo, v), math.Max(hi, v)
			xys = append(xys, plotter.XY{X: xs[j], Y: v})
		}
		if len(xys) == 0 {
			continue
		}
		l, sc, err := plotter.NewLinePoints(xys)
		if err != nil {
			return nil, fmt.Errorf("chart %q series %q: %w", title, s.Name, err)
		}
		l.Color = seriesColor(s.Color)
		l.Dashes = dashes(s.Dash)
		sc.GlyphStyle = draw.GlyphStyle{Color: seriesColor(s.Color), Shape: seriesGlyph(s.Glyph), Radius: vg.Points(3)}
		p.Add(l, sc)
	}
	if math.IsInf(lo, 1) {
		return nil, fmt.Errorf("chart %q: no values to draw", title)
	}
	ticks := make([]plot.Tick, len(xs))
	for i, x := range xs {
		ticks[i] = plot.Tick{Value: x, Label: TrimFloat(x)}
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	if logY {
		p.Y.Min, p.Y.Max = decades(lo, hi)
	}
	p.Add(plotter.NewGrid())
	return p, nil
}

// decades widens [lo, hi] to whole decades, at least two apart, so that a
// log axis has labelled ticks at both ends.
func decades(lo, hi float64) (float64, float64) {
	a, b := math.Floor(math.Log10(lo)), math.Ceil(math.Log10(hi))
	if b < a+2 {
		b = a + 2
	}
	return math.Pow(10, a), math.Pow(10, b)
}

func dashes(i int) []vg.Length {
	switch i % 3 {
	case 1:
		return []vg.Length{vg.Points(5), vg.Points(3)}
	case 2:
		return []vg.Length{vg.Points(1.5), vg.Points(2.5)}
	}
	return nil
}

// Event is one query the DNS server saw during a lookup.
type Event struct {
	TMs       float64
	Port      int
	Transport string
	QType     string
	Action    string
}

// actionStyle draws each server action the same way in every timeline, and
// names the glyph for the page's legend.
func actionStyle(action string) (draw.GlyphStyle, string) {
	switch action {
	case "answered":
		return draw.GlyphStyle{Color: color.RGBA{0, 158, 115, 255}, Shape: draw.CircleGlyph{}, Radius: vg.Points(4.5)}, "●"
	case "dropped":
		return draw.GlyphStyle{Color: color.RGBA{213, 94, 0, 255}, Shape: draw.CrossGlyph{}, Radius: vg.Points(5.5)}, "✖"
	case "servfail", "refused", "nxdomain":
		return draw.GlyphStyle{Color: color.RGBA{230, 159, 0, 255}, Shape: draw.TriangleGlyph{}, Radius: vg.Points(5)}, "▲"
	case "truncated":
		return draw.GlyphStyle{Color: color.RGBA{204, 121, 167, 255}, Shape: draw.SquareGlyph{}, Radius: vg.Points(4.5)}, "■"
	}
	return draw.GlyphStyle{Color: color.RGBA{86, 86, 86, 255}, Shape: draw.RingGlyph{}, Radius: vg.Points(4.5)}, "○"
}

// niceTicks labels a linear axis with about n steps of 1, 2 or 5 × 10^k.
type niceTicks struct{ n int }

func (t niceTicks) Ticks(lo, hi float64) []plot.Tick {
	if hi <= lo {
		return []plot.Tick{{Value: lo, Label: TrimFloat(lo)}}
	}
	raw := (hi - lo) / float64(t.n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	var out []plot.Tick
	for v := math.Ceil(lo/step) * step; v <= hi+step/1e9; v += step {
		out = append(out, plot.Tick{Value: v, Label: TrimFloat(math.Round(v/step) * step)})
		if minor := v + step/2; minor < hi {
			out = append(out, plot.Tick{Value: minor})
		}
	}
	return out
}

// timelinePlot draws one lookup as the server saw it: a lane per source
// port, transport and query type, a glyph per query at the moment it
// arrived (what the server did with it), and the moment the lookup returned.
// The legend is for the page to draw.
func TimelinePlot(title string, evs []Event, endMs float64) (*plot.Plot, []LegendItem, error) {
	if len(evs) == 0 {
		return nil, nil, fmt.Errorf("chart %q: no events", title)
	}
	p := newPlot(title, "ms since the lookup started", "")
	lanes := map[string]int{}
	var names []string
	lane := func(e Event) int {
		k := fmt.Sprintf("%s %s :%d", e.QType, strings.ToUpper(e.Transport), e.Port)
		if i, ok := lanes[k]; ok {
			return i
		}
		lanes[k] = len(names)
		names = append(names, k)
		return lanes[k]
	}
	var legend []LegendItem
	byAction := map[string]plotter.XYs{}
	var order []string
	span := map[int][2]float64{}
	for _, e := range evs {
		y := float64(lane(e))
		if _, ok := byAction[e.Action]; !ok {
			order = append(order, e.Action)
		}
		byAction[e.Action] = append(byAction[e.Action], plotter.XY{X: e.TMs, Y: y})
		s, ok := span[int(y)]
		if !ok {
			s = [2]float64{e.TMs, e.TMs}
		}
		span[int(y)] = [2]float64{math.Min(s[0], e.TMs), math.Max(s[1], e.TMs)}
	}
	for i := range names {
		s := span[i]
		l, err := plotter.NewLine(plotter.XYs{{X: s[0], Y: float64(i)}, {X: s[1], Y: float64(i)}})
		if err != nil {
			return nil, nil, err
		}
		l.Color = color.Gray{Y: 190}
		l.Width = vg.Points(1)
		p.Add(l)
	}
	for _, a := range order {
		sc, err := plotter.NewScatter(byAction[a])
		if err != nil {
			return nil, nil, err
		}
		var ch string
		sc.GlyphStyle, ch = actionStyle(a)
		p.Add(sc)
		legend = append(legend, LegendItem{Name: a, Color: cssColor(sc.GlyphStyle.Color), Glyph: ch})
	}
	hi := endMs
	for _, e := range evs {
		hi = math.Max(hi, e.TMs)
	}
	if endMs > 0 {
		l, err := plotter.NewLine(plotter.XYs{{X: endMs, Y: -0.5}, {X: endMs, Y: float64(len(names)) - 0.5}})
		if err != nil {
			return nil, nil, err
		}
		l.Color = color.Black
		l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		p.Add(l)
		legend = append(legend, LegendItem{Name: fmt.Sprintf("lookup returned (%s ms)", TrimFloat(endMs)), Color: "#000000", Glyph: "┆"})
	}
	ticks := make([]plot.Tick, len(names))
	for i, n := range names {
		ticks[i] = plot.Tick{Value: float64(i), Label: n}
	}
	p.Y.Tick.Marker = plot.ConstantTicks(ticks)
	p.Y.Min, p.Y.Max = -0.7, float64(len(names))-0.3
	p.X.Min, p.X.Max = -hi*0.02, hi*1.04+1
	p.X.Tick.Marker = niceTicks{n: 6}
	p.Add(plotter.NewGrid())
	return p, legend, nil
}
