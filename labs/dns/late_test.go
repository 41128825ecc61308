package dns

import (
	"testing"
	"time"

	"github.com/baselab/baselab/dnsfaker"
	"github.com/baselab/baselab/harness/images"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// entry is one line of the server's log, at ms after t0.
func entry(t0 time.Time, ms int, src, qtype string, a dnsfaker.Action, holdMs int) dnsfaker.Entry {
	ts := t0.Add(time.Duration(ms) * time.Millisecond)
	return dnsfaker.Entry{Time: ts, TimeUS: ts.UnixMicro(), Src: src, Transport: "udp", QType: qtype,
		Name: "c001.dns.test.", Action: a, DelayUS: int64(holdMs) * 1000}
}

// TestALateAnswerIsTheLabsNoise: musl's res_msend.c resends only the
// queries that have no accepted answer, so a second query for an answered
// question says the answer reached musl late; and an answer the server
// itself sent past the fast/stall line is late for every resolver.
func TestALateAnswerIsTheLabsNoise(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	const port = "192.0.2.7:40001"
	answered, dropped, servfail := dnsfaker.ActionAnswered, dnsfaker.ActionDropped, dnsfaker.ActionServfail
	cases := []struct {
		name string
		w    []dnsfaker.Entry
		late bool
	}{
		{"the race as musl meets it: AAAA lost, asked again alone", []dnsfaker.Entry{
			entry(t0, 0, port, "AAAA", dropped, 0), entry(t0, 0, port, "A", answered, 50), entry(t0, 500, port, "AAAA", answered, 50)}, false},
		{"an answered A asked again means it came late", []dnsfaker.Entry{
			entry(t0, 0, port, "AAAA", dropped, 0), entry(t0, 0, port, "A", answered, 50),
			entry(t0, 500, port, "A", answered, 50), entry(t0, 500, port, "AAAA", dropped, 0)}, true},
		{"a SERVFAIL is not final for musl: asking again is the resolver's own retry", []dnsfaker.Entry{
			entry(t0, 0, port, "A", answered, 0), entry(t0, 0, port, "AAAA", servfail, 0), entry(t0, 1, port, "AAAA", servfail, 0)}, false},
		{"another socket asking the same question is another lookup's", []dnsfaker.Entry{
			entry(t0, 0, port, "A", answered, 0), entry(t0, 3, "192.0.2.7:40002", "A", answered, 0)}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			why := lateAnswer(c.w)
			assert.Equal(t, c.late, why != "", why)
		})
	}

	slow := entry(t0, 0, port, "A", answered, 50)
	slow.LateUS = 450_000
	assert.Contains(t, lateServer([]dnsfaker.Entry{slow}), "450 ms after it was due")
	slow.LateUS = 399_000
	assert.Empty(t, lateServer([]dnsfaker.Entry{slow}), "under the fast/stall line the server's lateness cannot flip a verdict")
}

// TestALookupThatMetALateAnswerIsLeftOutOfTheVerdict: the lookup CI once
// saw (EAI_AGAIN after 1061 ms in alpine/race/timeout:1+attempts:2) is
// counted in lab_late and leaves the cell's class and verdict to the four
// lookups that measured musl.
func TestALookupThatMetALateAnswerIsLeftOutOfTheVerdict(t *testing.T) {
	im := images.Image{Key: images.Alpine, Ref: "baselab/alpine:testdata", Libc: "musl-1.2.5", Standin: true}
	cfg := DefaultConfig()
	cfg.Bases, cfg.Faults, cfg.Options, cfg.Flags = []string{"alpine"}, []string{"race"}, []string{"timeout:1 attempts:2"}, []string{"none"}
	c := cfg.cells()[0]
	rg := &rig{boxes: map[string]*box{boxKey(images.Alpine, c.options): {im: im}}}

	var res result
	var entries []dnsfaker.Entry
	for i := range 5 {
		t0 := time.Date(2026, 12, 1, 0, 0, 10*i, 0, time.UTC)
		src := "192.0.2.7:4000" + string(rune('1'+i))
		p := probeLine{Name: c.name, Try: 1, StartWallUS: t0.UnixMicro(), Ms: 552, OK: true, A: 1, AAAA: 1}
		entries = append(entries, entry(t0, 0, src, "AAAA", dnsfaker.ActionDropped, 0), entry(t0, 0, src, "A", dnsfaker.ActionAnswered, 50))
		if i == 2 {
			p.Ms, p.OK, p.A, p.AAAA, p.Code, p.Err = 1061, false, 0, 0, "EAI_AGAIN", "Try again"
			entries = append(entries, entry(t0, 500, src, "A", dnsfaker.ActionAnswered, 50), entry(t0, 500, src, "AAAA", dnsfaker.ActionDropped, 0))
		} else {
			entries = append(entries, entry(t0, 500, src, "AAAA", dnsfaker.ActionAnswered, 50))
		}
		res.lookups = append(res.lookups, p)
	}
	r := rg.cellRecord(c, res, entries)
	require.True(t, r.Usable(), "one late answer does not spoil the other four")
	assert.Equal(t, int64(1), r.Int("lab_late"))
	assert.Equal(t, 5, r.Tries)
	assert.Equal(t, 4, r.OK)
	assert.Equal(t, 0, r.Failed, "the late lookup is not musl's failure")
	assert.Equal(t, "both-stall", r.Outcome)
	ok, known := r.Bool("as_predicted")
	require.True(t, known)
	assert.True(t, ok, r.Detail)
	assert.Contains(t, r.Evidence, "lookup 3: the server answered A")
}

// TestARaceThatNeverFiredMeasuredNothing: a glibc race cell predicts the
// 5 s stall because the pair's second query is lost; a lookup whose window
// shows nothing lost met no fault (CI once saw one, 1 of 5, fast).
func TestARaceThatNeverFiredMeasuredNothing(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	const port = "192.0.2.8:40001"
	c := cell{name: "c001.dns.test", resolver: "glibc", fault: "race", expect: predict("glibc", "glibc-2.36", "race", "", "none")}
	both := []dnsfaker.Entry{entry(t0, 0, port, "A", dnsfaker.ActionAnswered, 50), entry(t0, 60, port, "AAAA", dnsfaker.ActionAnswered, 50)}
	assert.Contains(t, missedFault(c, both), "never fired")
	hit := []dnsfaker.Entry{entry(t0, 0, port, "A", dnsfaker.ActionAnswered, 50), entry(t0, 0, port, "AAAA", dnsfaker.ActionDropped, 0)}
	assert.Empty(t, missedFault(c, hit), "the race hit: the lookup measured glibc under it")
	c.options, c.expect = "single-request", predict("glibc", "glibc-2.36", "race", "single-request", "none")
	assert.Empty(t, missedFault(c, both), "single-request predicts no stall: nothing lost is the prediction itself")
}

// TestAServerStampingLateIsStillAsked: musl asks every nameserver from one
// socket; a dead server that stamps the query past the lookup's window is
// still one it asked, known by the lookup's own source port.
func TestAServerStampingLateIsStillAsked(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	l := probeLine{StartWallUS: t0.UnixMicro(), Ms: 1, OK: true}
	port := "192.0.2.7:40001"
	answered := []dnsfaker.Entry{entry(t0, 0, port, "A", dnsfaker.ActionAnswered, 0)}
	lateDead := []dnsfaker.Entry{entry(t0, 60, port, "A", dnsfaker.ActionDropped, 0)}
	other := []dnsfaker.Entry{entry(t0, 60, "192.0.2.7:40002", "A", dnsfaker.ActionDropped, 0)}
	assert.Equal(t, []int{1, 2}, asked([][]dnsfaker.Entry{lateDead, answered}, l))
	assert.Equal(t, []int{2}, asked([][]dnsfaker.Entry{other, answered}, l), "another port's query is another lookup's")
}
