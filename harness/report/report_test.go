package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/baselab/baselab/harness/record"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// roundTrip writes records to a results file and reads them back, so the
// report sees exactly what a lab run leaves on disk.
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
	_, rs := roundTrip(t, sampleRecords())
	html, md, rep := render(t, rs, Options{})
	standins := 0
	for _, r := range rs {
		assert.Contains(t, html, r.Image, "image of %s/%s", r.Lab, r.Variant)
		assert.Contains(t, md, r.Image, "image of %s/%s in markdown", r.Lab, r.Variant)
		assert.Contains(t, html, ">"+r.Libc+"<", "libc of %s/%s", r.Lab, r.Variant)
		if r.Standin {
			standins++
		}
	}
	assert.Equal(t, standins, rep.Standins)
	// Each section's table of records has one row per record and a badge
	// in the base column of every stand-in row.
	for _, s := range rep.Labs {
		for _, row := range s.Records.Rows {
			base := row[1]
			isStandin := false
			for _, r := range rs {
				if r.Lab == s.Lab && r.Variant == row[0].Text {
					isStandin = r.Standin
				}
			}
			if isStandin {
				assert.Equal(t, "stand-in", base.Badge, "%s/%s", s.Lab, row[0].Text)
			} else {
				assert.Empty(t, base.Badge, "a registry image is not marked as a stand-in: %s/%s", s.Lab, row[0].Text)
			}
		}
	}
	assert.GreaterOrEqual(t, strings.Count(md, "**stand-in**"), standins)
}

func TestPageNeedsNoNetworkAndInlinesEveryChart(t *testing.T) {
	_, rs := roundTrip(t, sampleRecords())
	html, _, rep := render(t, rs, Options{})
	charts := 0
	for _, s := range rep.Labs {
		charts += len(s.Charts)
	}
	// dns: a latency chart per fault (ok, race, servfail:AAAA), a timeline
	// per resolver (musl, glibc, go) and the load chart; size: sizes and
	// start; surface: packages.
	assert.Equal(t, 3+3+1+2+1, charts)
	assert.Equal(t, charts, strings.Count(html, `<svg class="chart"`))
	assert.NotContains(t, html, "<?xml", "an XML prologue is not valid inside HTML")
	for _, fetch := range []string{"<script", "<link", "src=", "@import", "url(", "<iframe"} {
		assert.NotContains(t, html, fetch, "the page loads nothing")
	}
}

func TestTimelineShowsTheDropAndTheResend(t *testing.T) {
	_, rs := roundTrip(t, sampleRecords())
	html, md, rep := render(t, rs, Options{})
	dns := rep.Labs[0]
	require.Equal(t, "dns", dns.Lab)
	var ids []string
	for _, c := range dns.Charts {
		ids = append(ids, c.ID)
	}
	assert.Subset(t, ids, []string{"dns-timeline-musl", "dns-timeline-glibc", "dns-timeline-go"})
	assert.Contains(t, md, "Timeline of musl's slowest lookup under race (alpine/race/none/none)")
	// The musl lookup: A answered and AAAA dropped from one port, AAAA resent after 2.5 s.
	assert.Regexp(t, `\| 0\.06 \| 41000 \| udp \| AAAA \| dropped \|`, md)
	assert.Regexp(t, `\| 2500 \| 41000 \| udp \| AAAA \| answered \|`, md)
	assert.Contains(t, html, "lookup returned (2523 ms)")
}

func TestMatrixTableHasOneColumnPerOptionAndSaysWhatWasNotRun(t *testing.T) {
	_, rs := roundTrip(t, sampleRecords())
	_, _, rep := render(t, rs, Options{})
	var race *Table
	for i, tb := range rep.Labs[0].Tables {
		if strings.HasPrefix(tb.Caption, "Fault race:") {
			race = &rep.Labs[0].Tables[i]
		}
	}
	require.NotNil(t, race)
	assert.Equal(t, []string{"base · resolver · flags", "no options", "single-request", "timeout:1 attempts:2"}, race.Head)
	rows := map[string][]Cell{}
	for _, r := range race.Rows {
		rows[r[0].Text] = r
	}
	require.Contains(t, rows, "alpine · musl")
	assert.Equal(t, "2523 both-stall", rows["alpine · musl"][1].Text)
	assert.Contains(t, rows["alpine · musl"][1].Class, "bad")
	assert.Equal(t, "50.4 both-fast", rows["slim · glibc"][2].Text)
	assert.Equal(t, "not run", rows["distroless-static · go"][2].Text)
	assert.Contains(t, rows, "slim · glibc · addrconfig", "flags other than none are part of the row")
	order := []string{}
	for _, r := range race.Rows {
		order = append(order, r[0].Text)
	}
	assert.Equal(t, "alpine · musl", order[0], "musl first, then glibc, then go")
	assert.Equal(t, "distroless-static · go", order[len(order)-1])
}

func TestReportSaysWhatIsMissing(t *testing.T) {
	only := []record.Record{dnsRec(tAlpine, "race", "", "none", "both-stall", nil, 2522)}
	_, rs := roundTrip(t, only)
	html, md, rep := render(t, rs, Options{Labs: []string{"dns", "tls"}})
	assert.Equal(t, []string{"scratch", "size", "surface", "tls", "wheel"}, rep.Missing)
	assert.Contains(t, html, "Not in these results")
	assert.Contains(t, md, "lab scratch, lab size, lab surface, lab tls, lab wheel")
	notes := strings.Join(rep.Labs[0].Notes, "\n")
	assert.Contains(t, notes, "No timeline for musl")
	assert.Contains(t, notes, "No load cells")
	assert.Contains(t, notes, `No record carries the field "timeline"`)
}

func TestUnknownLabsAndFieldsAreShownNotDropped(t *testing.T) {
	r := rec("tls", "alpine/openssl", tAlpine, "handshake-failed", 3.2)
	r.Set("cipher", "TLS_AES_128_GCM_SHA256")
	r.Set("alpn", []string{"h2", "http/1.1"})
	d := dnsRec(tSlim, "race", "", "none", "both-stall", nil, 5046)
	d.Set("edns_bufsize", 1232)
	bare := record.Record{Lab: "dns", Variant: "alpine/truncate/use-vc/none", Outcome: "both-fast"}
	_, rs := roundTrip(t, []record.Record{r, d, bare})
	html, md, rep := render(t, rs, Options{})
	for _, want := range []string{"TLS_AES_128_GCM_SHA256", "h2, http/1.1", "handshake-failed", "edns_bufsize", "1232"} {
		assert.Contains(t, html, want)
		assert.Contains(t, md, want)
	}
	var names []string
	for _, s := range rep.Labs {
		names = append(names, s.Lab)
	}
	assert.Equal(t, []string{"dns", "tls"}, names, "known labs first, then the others")
	// A record with nothing but its variant still lands in its cell.
	var truncate *Table
	for i, tb := range rep.Labs[0].Tables {
		if strings.HasPrefix(tb.Caption, "Fault truncate:") {
			truncate = &rep.Labs[0].Tables[i]
		}
	}
	require.NotNil(t, truncate, "fault read from the variant")
	assert.Equal(t, []string{"base · resolver · flags", "use-vc"}, truncate.Head)
	assert.Equal(t, "both-fast", truncate.Rows[0][1].Text, "an untimed cell shows its outcome alone")
}

func TestWriteDirWritesBothFilesBesideTheResults(t *testing.T) {
	dir, _ := roundTrip(t, sampleRecords())
	h, m, err := WriteDir(dir, Options{})
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

func TestSurfaceSaysWhyThereIsNoCVECount(t *testing.T) {
	_, rs := roundTrip(t, sampleRecords())
	_, md, _ := render(t, rs, Options{})
	assert.Contains(t, md, "not scanned", "a null cves is not scanned, never zero")
	raw, err := json.Marshal(rs[len(rs)-1])
	require.NoError(t, err)
	assert.Contains(t, string(raw), `"cves":null`)
}
