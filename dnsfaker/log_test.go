package dnsfaker

import (
	"bufio"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLogStreamsOneJSONObjectPerLine(t *testing.T) {
	t.Parallel()
	var out syncBuffer
	srv := startServer(t, Config{Rules: []Rule{
		{Name: "slow.log.test", Fault: mustFault(t, "delay:10ms")},
		{Name: "odd.log.test", Fault: mustFault(t, "servfail:AAAA")},
	}}, WithLogWriter(&out))
	qs := []query{
		{name: "slow.log.test", qtype: dns.TypeA},
		{name: "odd.log.test", qtype: dns.TypeAAAA},
		{name: "Mixed.Case.Log.Test", qtype: dns.TypeAAAA, transport: "tcp"},
	}
	before := time.Now().Truncate(time.Microsecond)
	for _, q := range qs {
		_, err := ask(t, srv.Addr(), q, 2*time.Second)
		require.NoError(t, err)
	}
	require.NoError(t, srv.Close()) // flushes the stream

	sc := bufio.NewScanner(strings.NewReader(out.String()))
	var lines []map[string]any
	for sc.Scan() {
		var obj map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &obj), sc.Text())
		lines = append(lines, obj)
	}
	require.Len(t, lines, len(qs))
	for _, obj := range lines {
		for _, field := range []string{"seq", "ts", "ts_us", "src", "transport", "id", "qtype", "name", "fault", "action", "answers"} {
			assert.Contains(t, obj, field)
		}
		ts, err := time.Parse(time.RFC3339Nano, obj["ts"].(string))
		require.NoError(t, err)
		assert.Len(t, obj["ts"], len("2006-01-02T15:04:05.000000Z"), "µs precision, UTC")
		assert.Equal(t, ts.UnixMicro(), int64(obj["ts_us"].(float64)))
		assert.False(t, ts.Before(before))
		assert.Contains(t, Actions, Action(obj["action"].(string)))
	}
	byName := map[string]map[string]any{}
	for _, obj := range lines {
		byName[obj["name"].(string)] = obj
	}
	assert.Equal(t, "delayed", byName["slow.log.test."]["action"])
	assert.EqualValues(t, 10_000, byName["slow.log.test."]["delay_us"])
	assert.Equal(t, "servfail", byName["odd.log.test."]["action"])
	assert.Equal(t, "servfail:AAAA", byName["odd.log.test."]["fault"])
	assert.NotContains(t, byName["odd.log.test."], "delay_us", "delay_us only when delayed")
	assert.Equal(t, "tcp", byName["mixed.case.log.test."]["transport"])
	assert.Equal(t, "AAAA", byName["mixed.case.log.test."]["qtype"])
	assert.EqualValues(t, 1, byName["mixed.case.log.test."]["answers"])
}

func TestEntryJSONReadsBack(t *testing.T) {
	t.Parallel()
	e := Entry{
		Seq: 7, Time: time.Date(2024, 5, 1, 12, 0, 0, 123456000, time.UTC), TimeUS: 1714564800123456,
		Src: "192.0.2.1:5353", Transport: "udp", ID: 42, QType: "AAAA",
		Name: `we"ird\name.test.`, Fault: "race", Action: ActionDropped, DelayUS: 9, LateUS: 2500,
	}
	b, err := json.Marshal(e)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"ts":"2024-05-01T12:00:00.123456Z"`)
	assert.Contains(t, string(b), `"late_us":2500`)
	var back Entry
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, e, back)
}

func TestLogKeepsTheLastEntriesAndCountsAll(t *testing.T) {
	t.Parallel()
	srv := startServer(t, Config{}, WithLogCapacity(3))
	for i := range 5 {
		_, err := ask(t, srv.Addr(), query{name: "n" + string(rune('0'+i)) + ".cap.test", qtype: dns.TypeA}, 2*time.Second)
		require.NoError(t, err)
	}
	log := srv.Log()
	require.Len(t, log, 3)
	assert.Equal(t, []uint64{3, 4, 5}, []uint64{log[0].Seq, log[1].Seq, log[2].Seq})
	assert.Equal(t, "n4.cap.test.", log[2].Name)
	c := srv.Counters()
	assert.Equal(t, uint64(5), c.Queries)
	assert.Equal(t, uint64(5), c.Actions[ActionAnswered])
	assert.Equal(t, uint64(5), c.Transports["udp"])
	assert.Equal(t, uint64(5), c.QTypes["A"])
	assert.Equal(t, uint64(5), c.Faults["ok"])
}

func TestSinceAndForName(t *testing.T) {
	t.Parallel()
	srv := startServer(t, Config{})
	ask(t, srv.Addr(), query{name: "early.since.test", qtype: dns.TypeA}, 2*time.Second)
	mid := time.Now()
	// Entry times are truncated to µs; step past mid's µs.
	time.Sleep(2 * time.Microsecond)
	ask(t, srv.Addr(), query{name: "late.since.test", qtype: dns.TypeA}, 2*time.Second)
	ask(t, srv.Addr(), query{name: "late.since.test", qtype: dns.TypeAAAA}, 2*time.Second)

	names := func(es []Entry) []string {
		var out []string
		for _, e := range es {
			out = append(out, e.Name)
		}
		return slices.Compact(out)
	}
	assert.Equal(t, []string{"late.since.test."}, names(srv.Since(mid)))
	assert.Len(t, srv.ForName("LATE.since.test"), 2)
	assert.Len(t, srv.ForName("early.since.test."), 1)
	assert.Empty(t, srv.ForName("never.test"))
	assert.NotNil(t, srv.ForName("never.test"), "an empty list, not null, for JSON")
}

func TestStreamedTimestampsReadAsFormattedWhole(t *testing.T) {
	t.Parallel()
	var ts tsCache
	base := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	for _, d := range []time.Duration{0, 432315 * time.Microsecond, 999999 * time.Microsecond, time.Second + 7*time.Microsecond, 36*time.Hour + 50*time.Microsecond} {
		at := base.Add(d)
		assert.Equal(t, at.Format(tsLayout), string(ts.append(nil, at)), "%v", at)
	}
	local := base.In(time.FixedZone("x", 3600))
	assert.Equal(t, local.Format(tsLayout), string(ts.append(nil, local)), "not UTC: formatted whole")
}
