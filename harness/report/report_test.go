package report

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/baselab/baselab/harness/record"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/plot"
)

// The report's own tests use a made-up lab, "demo", whose section draws one
// chart of every kind the package offers: the report knows no real lab, and
// each lab's section is tested in the lab's package (the whole page, every
// lab in it, in labs/report_test.go).

var demo = Lab{
	Name: "demo", Title: "Demo: a lab made up for the report's tests", Intro: "Test data, not measurements.",
	Fields: []string{"queries", "timeline"},
	Section: func(s *Section, rs []record.Record, rows []map[string]any) error {
		cats := make([]string, len(rs))
		ms := Series{Name: "p50 (ms)"}
		q := Series{Name: "queries"}
		var xs []float64
		for i, r := range rs {
			cats[i] = r.Variant
			ms.Values = append(ms.Values, NanIfNil(r.P50ms))
			q.Values = append(q.Values, Num(rows[i], "queries"))
			xs = append(xs, float64(i+1))
		}
		dot, err := DotPlot("Latency", "ms", cats, Styled([]Series{ms}))
		if err != nil {
			return err
		}
		bar, err := BarPlot("Queries", "queries", cats, Styled([]Series{q}))
		if err != nil {
			return err
		}
		line, err := LinePlot("Trend", "cell", "ms", xs, Styled([]Series{ms}), true)
		if err != nil {
			return err
		}
		tl, legend, err := TimelinePlot("Timeline", []Event{{TMs: 0.1, Port: 41000, Transport: "udp", QType: "A", Action: "answered"},
			{TMs: 0.2, Port: 41000, Transport: "udp", QType: "AAAA", Action: "dropped"}, {TMs: 2500, Port: 41000, Transport: "udp", QType: "AAAA", Action: "answered"}}, 2523)
		if err != nil {
			return err
		}
		for _, c := range []struct {
			id     string
			p      *plot.Plot
			legend []LegendItem
		}{{"demo-dot", dot, nil}, {"demo-bar", bar, nil}, {"demo-line", line, nil}, {"demo-timeline", tl, legend}} {
			svg, err := RenderSVG(c.p, 360, 240, c.id)
			if err != nil {
				return err
			}
			s.Charts = append(s.Charts, Chart{ID: c.id, Title: c.id, SVG: svg, Legend: c.legend})
		}
		OutcomeTable(s, rs)
		return nil
	},
}

var t0 = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func demoRec(variant, libc string, standin bool, ms float64) record.Record {
	r := record.Record{Lab: "demo", Variant: variant, Base: "base-" + variant, Standin: standin, Libc: libc, Started: t0,
		Image: fmt.Sprintf("baselab/demo:testdata@sha256:%064x", len(variant)*7919), Tries: 1, OK: 1, Outcome: "works",
		Detail: "test data for the report's tests"}
	r.Timings([]float64{ms})
	r.Set("queries", 2)
	return r
}

func demoRecords() []record.Record {
	return []record.Record{demoRec("a", "musl-1.2.5", true, 2522), demoRec("b", "glibc-2.36", false, 41), demoRec("c", "none", true, 0.4)}
}

func roundTrip(t *testing.T, rs []record.Record) (string, []record.Record) {
	t.Helper()
	dir := t.TempDir()
	w, err := record.Create(dir)
	require.NoError(t, err)
	for _, r := range rs {
		require.NoError(t, w.Write(r))
	}
	require.NoError(t, w.Close())
	back, err := record.Read(dir)
	require.NoError(t, err)
	return dir, back
}

func render(t *testing.T, rs []record.Record, o Options) (string, string, *Report) {
	t.Helper()
	rep, err := Build(rs, o)
	require.NoError(t, err)
	var h, m bytes.Buffer
	require.NoError(t, rep.WriteHTML(&h))
	require.NoError(t, rep.WriteMarkdown(&m))
	return h.String(), m.String(), rep
}

func TestEveryRecordShowsItsImageDigestLibcAndStandin(t *testing.T) {
	_, rs := roundTrip(t, demoRecords())
	html, md, rep := render(t, rs, Options{Labs: []Lab{demo}})
	for _, r := range rs {
		assert.Contains(t, html, r.Image)
		assert.Contains(t, md, r.Image)
		assert.Contains(t, html, ">"+r.Libc+"<")
	}
	assert.Equal(t, 2, rep.Standins)
	rows := rep.Labs[0].Records.Rows
	require.Len(t, rows, 3)
	assert.Equal(t, "stand-in", rows[0][1].Badge)
	assert.Empty(t, rows[1][1].Badge, "a registry image is not marked as a stand-in")
	assert.GreaterOrEqual(t, strings.Count(md, "**stand-in**"), 2)
}

func TestPageNeedsNoNetworkAndInlinesEveryChart(t *testing.T) {
	_, rs := roundTrip(t, demoRecords())
	html, _, rep := render(t, rs, Options{Labs: []Lab{demo}})
	require.Len(t, rep.Labs[0].Charts, 4, "one chart of every kind")
	assert.Equal(t, 4, strings.Count(html, `<svg class="chart"`))
	assert.NotContains(t, html, "<?xml", "an XML prologue is not valid inside HTML")
	for _, fetch := range []string{"<script", "<link", "src=", "@import", "url(", "<iframe"} {
		assert.NotContains(t, html, fetch, "the page loads nothing")
	}
}

func TestReportSaysWhatIsMissing(t *testing.T) {
	_, rs := roundTrip(t, demoRecords())
	html, md, rep := render(t, rs, Options{Labs: []Lab{demo, {Name: "tls", Title: "Lab tls"}}})
	assert.Equal(t, []string{"tls"}, rep.Missing)
	assert.Contains(t, html, "Not in these results")
	assert.Contains(t, md, "lab tls")
	assert.Contains(t, strings.Join(rep.Labs[0].Notes, "\n"), `No record carries the field "timeline"`)
}

func TestUnknownLabsAndFieldsAreShownNotDropped(t *testing.T) {
	r := demoRec("x", "musl-1.2.5", true, 3.2)
	r.Lab = "tls"
	r.Set("cipher", "TLS_AES_128_GCM_SHA256")
	r.Set("alpn", []string{"h2", "http/1.1"})
	d := demoRec("y", "glibc-2.36", true, 5046)
	d.Set("edns_bufsize", 1232)
	_, rs := roundTrip(t, []record.Record{r, d})
	html, md, rep := render(t, rs, Options{Labs: []Lab{demo}})
	for _, want := range []string{"TLS_AES_128_GCM_SHA256", "h2, http/1.1", "edns_bufsize", "1232"} {
		assert.Contains(t, html, want)
		assert.Contains(t, md, want)
	}
	var names []string
	for _, s := range rep.Labs {
		names = append(names, s.Lab)
	}
	assert.Equal(t, []string{"demo", "tls"}, names, "known labs first, then the others")
	assert.Equal(t, "Lab tls", rep.Labs[1].Title)
}

func TestWriteDirWritesBothFilesBesideTheResults(t *testing.T) {
	dir, _ := roundTrip(t, demoRecords())
	h, m, err := WriteDir(dir, Options{Labs: []Lab{demo}})
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(dir, HTMLName), h)
	assert.Equal(t, filepath.Join(dir, MarkdownName), m)
	for _, p := range []string{h, m} {
		st, err := os.Stat(p)
		require.NoError(t, err)
		assert.Greater(t, st.Size(), int64(1000))
	}
	b, err := os.ReadFile(m)
	require.NoError(t, err)
	assert.Contains(t, string(b), filepath.Join(dir, record.FileName), "the page names its source")
}
