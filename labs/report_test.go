package labs_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/baselab/baselab/harness/record"
	"github.com/baselab/baselab/harness/report"
	"github.com/baselab/baselab/labs"
	"github.com/baselab/baselab/labs/labtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The report of a whole run, every lab's section in it, from the shared
// sample records (test data shaped like the labs' records, not
// measurements).

func render(t *testing.T, rs []record.Record, o report.Options) (string, string, *report.Report) {
	t.Helper()
	if o.Labs == nil {
		o.Labs = labs.Reports()
	}
	return labtest.Render(t, rs, o)
}

func TestEveryRecordShowsItsImageDigestLibcAndStandin(t *testing.T) {
	_, rs := labtest.RoundTrip(t, labtest.Samples())
	html, md, rep := render(t, rs, report.Options{})
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
	_, rs := labtest.RoundTrip(t, labtest.Samples())
	html, _, rep := render(t, rs, report.Options{})
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

func TestReportSaysWhatIsMissing(t *testing.T) {
	only := []record.Record{labtest.DNSRec(labtest.Alpine, "race", "", "none", "both-stall", nil, 2522)}
	_, rs := labtest.RoundTrip(t, only)
	o := report.Options{Labs: append(labs.Reports(), report.Lab{Name: "tls", Title: "Lab tls"})}
	html, md, rep := render(t, rs, o)
	assert.Equal(t, []string{"scratch", "size", "surface", "tls", "wheel"}, rep.Missing)
	assert.Contains(t, html, "Not in these results")
	assert.Contains(t, md, "lab scratch, lab size, lab surface, lab tls, lab wheel")
	notes := strings.Join(rep.Labs[0].Notes, "\n")
	assert.Contains(t, notes, "No timeline for musl")
	assert.Contains(t, notes, "No load cells")
	assert.Contains(t, notes, `No record carries the field "timeline"`)
}

func TestUnknownLabsAndFieldsAreShownNotDropped(t *testing.T) {
	r := labtest.Rec("tls", "alpine/openssl", labtest.Alpine, "handshake-failed", 3.2)
	r.Set("cipher", "TLS_AES_128_GCM_SHA256")
	r.Set("alpn", []string{"h2", "http/1.1"})
	d := labtest.DNSRec(labtest.Slim, "race", "", "none", "both-stall", nil, 5046)
	d.Set("edns_bufsize", 1232)
	bare := record.Record{Lab: "dns", Variant: "alpine/truncate/use-vc/none", Outcome: "both-fast"}
	_, rs := labtest.RoundTrip(t, []record.Record{r, d, bare})
	html, md, rep := render(t, rs, report.Options{})
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
	var truncate *report.Table
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
	dir, _ := labtest.RoundTrip(t, labtest.Samples())
	h, m, err := report.WriteDir(dir, report.Options{Labs: labs.Reports()})
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(dir, report.HTMLName), h)
	assert.Equal(t, filepath.Join(dir, report.MarkdownName), m)
	for _, p := range []string{h, m} {
		st, err := os.Stat(p)
		require.NoError(t, err)
		assert.Greater(t, st.Size(), int64(1000))
	}
	b, err := os.ReadFile(m)
	require.NoError(t, err)
	assert.Contains(t, string(b), filepath.Join(dir, record.FileName), "the page names its source")
}
