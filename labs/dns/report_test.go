package dns_test

import (
	"strings"
	"testing"

	"github.com/baselab/baselab/harness/report"
	"github.com/baselab/baselab/labs/dns"
	"github.com/baselab/baselab/labs/labtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// render renders the DNS section of the shared sample records (labtest:
// test data shaped like the lab's records, not measurements).
func render(t *testing.T) (string, string, *report.Report) {
	t.Helper()
	_, rs := labtest.RoundTrip(t, labtest.SamplesOf("dns"))
	return labtest.Render(t, rs, report.Options{Labs: []report.Lab{dns.New().ReportLab()}})
}

func TestTimelineShowsTheDropAndTheResend(t *testing.T) {
	html, md, rep := render(t)
	s := rep.Labs[0]
	require.Equal(t, "dns", s.Lab)
	var ids []string
	for _, c := range s.Charts {
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
	_, _, rep := render(t)
	var race *report.Table
	for i, tb := range rep.Labs[0].Tables {
		if strings.HasPrefix(tb.Caption, "Fault race:") {
			race = &rep.Labs[0].Tables[i]
		}
	}
	require.NotNil(t, race)
	assert.Equal(t, []string{"base · resolver · flags", "no options", "single-request", "timeout:1 attempts:2"}, race.Head)
	rows := map[string][]report.Cell{}
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
