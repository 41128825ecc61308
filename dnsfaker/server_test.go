package dnsfaker

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// noAnswer is how long a test waits before calling a query dropped; the
// server answers loopback queries in well under a millisecond.
const noAnswer = 300 * time.Millisecond

func TestFaults(t *testing.T) {
	t.Parallel()
	type want struct {
		dropped   bool
		rcode     int
		answers   int // -1: some, fewer than truncateRecords
		truncated bool
		soa       bool // a negative answer carries the SOA
		action    Action
		delayUS   int64
	}
	tests := []struct {
		name  string
		fault string
		q     query
		want  want
	}{
		{"ok answers A with the name's address", "ok", query{qtype: dns.TypeA},
			want{answers: 1, action: ActionAnswered}},
		{"ok answers AAAA with the name's address", "ok", query{qtype: dns.TypeAAAA},
			want{answers: 1, action: ActionAnswered}},
		{"ok answers A over TCP", "ok", query{qtype: dns.TypeA, transport: "tcp"},
			want{answers: 1, action: ActionAnswered}},
		{"ok answers MX with no data", "ok", query{qtype: dns.TypeMX},
			want{soa: true, action: ActionNoData}},
		{"timeout:AAAA never answers AAAA", "timeout:AAAA", query{qtype: dns.TypeAAAA},
			want{dropped: true, action: ActionDropped}},
		{"timeout:AAAA still answers A", "timeout:AAAA", query{qtype: dns.TypeA},
			want{answers: 1, action: ActionAnswered}},
		{"timeout never answers over TCP either", "timeout", query{qtype: dns.TypeA, transport: "tcp"},
			want{dropped: true, action: ActionDropped}},
		{"servfail:AAAA fails AAAA", "servfail:AAAA", query{qtype: dns.TypeAAAA},
			want{rcode: dns.RcodeServerFailure, action: ActionServfail}},
		{"servfail:AAAA still answers A", "servfail:AAAA", query{qtype: dns.TypeA},
			want{answers: 1, action: ActionAnswered}},
		{"refused:A refuses A", "refused:A", query{qtype: dns.TypeA},
			want{rcode: dns.RcodeRefused, action: ActionRefused}},
		{"nxdomain:AAAA denies the name to AAAA", "nxdomain:AAAA", query{qtype: dns.TypeAAAA},
			want{rcode: dns.RcodeNameError, soa: true, action: ActionNXDomain}},
		{"nxdomain denies the name over TCP", "nxdomain", query{qtype: dns.TypeA, transport: "tcp"},
			want{rcode: dns.RcodeNameError, soa: true, action: ActionNXDomain}},
		{"nodata:AAAA answers AAAA empty", "nodata:AAAA", query{qtype: dns.TypeAAAA},
			want{soa: true, action: ActionNoData}},
		{"nodata:AAAA still answers A", "nodata:AAAA", query{qtype: dns.TypeA},
			want{answers: 1, action: ActionAnswered}},
		{"delay holds the answer", "delay:100ms", query{qtype: dns.TypeA},
			want{answers: 1, action: ActionDelayed, delayUS: 100_000}},
		{"delay:100ms:AAAA answers A at once", "delay:100ms:AAAA", query{qtype: dns.TypeA},
			want{answers: 1, action: ActionAnswered}},
		{"truncate sets TC over UDP without EDNS", "truncate", query{qtype: dns.TypeA},
			want{answers: -1, truncated: true, action: ActionTruncated}},
		{"truncate sets TC when EDNS offers only 512 bytes", "truncate", query{qtype: dns.TypeAAAA, edns: 512},
			want{answers: -1, truncated: true, action: ActionTruncated}},
		{"truncate fits a 1232-byte EDNS buffer with 40 A", "truncate", query{qtype: dns.TypeA, edns: 1232},
			want{answers: truncateRecords, action: ActionAnswered}},
		{"truncate sends every record over TCP", "truncate", query{qtype: dns.TypeAAAA, transport: "tcp"},
			want{answers: truncateRecords, action: ActionAnswered}},
		{"tcponly sets TC over UDP with no records at all", "tcponly", query{qtype: dns.TypeA},
			want{truncated: true, action: ActionTruncated}},
		{"tcponly is empty over UDP even to a 1232-byte EDNS buffer", "tcponly", query{qtype: dns.TypeA, edns: 1232},
			want{truncated: true, action: ActionTruncated}},
		{"tcponly sends every record over TCP", "tcponly", query{qtype: dns.TypeAAAA, transport: "tcp"},
			want{answers: truncateRecords, action: ActionAnswered}},
		{"cname sends the whole chain and the address over TCP", "cname", query{qtype: dns.TypeA, transport: "tcp"},
			want{answers: DefaultChain + 1, action: ActionAnswered}},
		{"cname past 512 bytes sets TC over UDP without EDNS", "cname", query{qtype: dns.TypeAAAA},
			want{answers: -1, truncated: true, action: ActionTruncated}},
		{"cname fits a 1232-byte EDNS buffer", "cname", query{qtype: dns.TypeA, edns: 1232},
			want{answers: DefaultChain + 1, action: ActionAnswered}},
		{"cname:2 fits in 512 bytes", "cname:2", query{qtype: dns.TypeA},
			want{answers: 3, action: ActionAnswered}},
		{"race answers a lone query over TCP at once", "race", query{qtype: dns.TypeA, transport: "tcp"},
			want{answers: 1, action: ActionAnswered}},
		{"race answers a lone UDP query after its window", "race:inflight=20ms", query{qtype: dns.TypeA},
			want{answers: 1, action: ActionAnswered, delayUS: 20_000}},
		{"every:1 drops every query", "every:1", query{qtype: dns.TypeA},
			want{dropped: true, action: ActionDropped}},
		{"overload answers below its rate", "overload:20", query{qtype: dns.TypeA},
			want{answers: 1, action: ActionAnswered}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			name := strings.ReplaceAll(strings.ToLower(tt.fault), ":", "-") + ".faults.test"
			tt.q.name = name
			srv := startServer(t, Config{Default: mustFault(t, tt.fault)})

			start := time.Now()
			resp, err := ask(t, srv.Addr(), tt.q, noAnswer+time.Duration(tt.want.delayUS)*time.Microsecond)
			elapsed := time.Since(start)
			if tt.want.dropped {
				require.Error(t, err, "want no answer, got %v", resp)
			} else {
				require.NoError(t, err)
				assert.Equal(t, tt.want.rcode, resp.Rcode, "rcode")
				assert.Equal(t, tt.want.truncated, resp.Truncated, "TC bit")
				switch tt.want.answers {
				case -1:
					assert.NotEmpty(t, resp.Answer)
					assert.Less(t, len(resp.Answer), truncateRecords)
				default:
					assert.Len(t, resp.Answer, tt.want.answers)
				}
				if tt.want.answers == 1 {
					assertAddress(t, name, resp.Answer[0])
				}
				assert.Equal(t, tt.want.soa, len(resp.Ns) == 1 && resp.Ns[0].Header().Rrtype == dns.TypeSOA, "SOA in authority")
				assert.True(t, resp.RecursionAvailable, "RA bit")
				assert.GreaterOrEqual(t, elapsed, time.Duration(tt.want.delayUS)*time.Microsecond, "answered before the delay")
			}

			e := lastEntry(t, srv, name)
			assert.Equal(t, tt.want.action, e.Action)
			assert.Equal(t, mustFault(t, tt.fault).String(), e.Fault)
			assert.Equal(t, qtypeString(tt.q.qtype), e.QType)
			assert.Equal(t, tt.want.delayUS, e.DelayUS)
			if !tt.want.dropped {
				assert.Equal(t, len(resp.Answer), e.Answers)
			}
		})
	}
}

// assertAddress checks an answer record against AddressesFor.
func assertAddress(t testing.TB, name string, rr dns.RR) {
	t.Helper()
	v4, v6 := AddressesFor(name)
	switch rr := rr.(type) {
	case *dns.A:
		assert.Equal(t, v4.String(), rr.A.String())
	case *dns.AAAA:
		assert.Equal(t, v6.String(), rr.AAAA.String())
	default:
		t.Errorf("want an address record, got %v", rr)
	}
}

// A stub that takes a cut chain over UDP finds no address at its end: that
// is what musl before 1.2.4 meets. Over TCP the chain is whole and each
// CNAME's target owns the next record.
func TestCNAMEChainIsWholeOverTCPAndLosesItsAddressOverUDP(t *testing.T) {
	t.Parallel()
	srv := startServer(t, Config{Default: mustFault(t, "cname:10")})
	const name = "chain.faults.test"
	full, err := ask(t, srv.Addr(), query{name: name, qtype: dns.TypeA, transport: "tcp"}, noAnswer)
	require.NoError(t, err)
	require.Len(t, full.Answer, 11)
	owner := dns.Fqdn(name)
	for _, rr := range full.Answer[:10] {
		c, ok := rr.(*dns.CNAME)
		require.True(t, ok, "a CNAME: %v", rr)
		assert.Equal(t, owner, c.Hdr.Name, "each CNAME is owned by the previous target")
		owner = c.Target
	}
	a, ok := full.Answer[10].(*dns.A)
	require.True(t, ok, "the chain ends in an A record: %v", full.Answer[10])
	assert.Equal(t, owner, a.Hdr.Name)
	full.Compress = true // Len is the size on the wire only with the compression the server used
	assert.Greater(t, full.Len(), 768, "past musl 1.2.4's answer buffer")
	assert.Less(t, full.Len(), 4800, "within musl 1.2.5's")

	cut, err := ask(t, srv.Addr(), query{name: name, qtype: dns.TypeA}, noAnswer)
	require.NoError(t, err)
	assert.True(t, cut.Truncated)
	for _, rr := range cut.Answer {
		assert.Equal(t, dns.TypeCNAME, rr.Header().Rrtype, "no address record survives the cut")
	}
	cut.Compress = true
	assert.LessOrEqual(t, cut.Len(), 512)
}

func TestEveryDropsEveryNthQueryOfTheRule(t *testing.T) {
	t.Parallel()
	srv := startServer(t, Config{Rules: []Rule{{Name: "*.every.test", Fault: mustFault(t, "every:3")}}})
	var got []Action
	for i := range 6 {
		// Two names under one rule: the count is the rule's, not the name's.
		name := []string{"a.every.test", "b.every.test"}[i%2]
		_, _ = ask(t, srv.Addr(), query{name: name, qtype: dns.TypeA}, noAnswer)
		got = append(got, lastEntryBySeq(t, srv).Action)
	}
	assert.Equal(t, []Action{
		ActionAnswered, ActionAnswered, ActionDropped,
		ActionAnswered, ActionAnswered, ActionDropped,
	}, got)
}

// lastEntryBySeq returns the newest entry of the whole log.
func lastEntryBySeq(t testing.TB, srv *Server) Entry {
	t.Helper()
	log := srv.Log()
	require.NotEmpty(t, log)
	return log[len(log)-1]
}

func TestOverloadFailsAboveItsRate(t *testing.T) {
	t.Parallel()
	srv := startServer(t, Config{Default: mustFault(t, "overload:1")})
	var servfails int
	for range 20 {
		resp, err := ask(t, srv.Addr(), query{name: "busy.test", qtype: dns.TypeA}, 2*time.Second)
		require.NoError(t, err)
		if resp.Rcode == dns.RcodeServerFailure {
			servfails++
		}
	}
	// A burst of one and one token a second: however slow the machine,
	// most of 20 back-to-back queries are over the rate.
	assert.GreaterOrEqual(t, servfails, 10)
	assert.Equal(t, uint64(servfails), srv.Counters().Actions[ActionServfail])
}

func TestRulesPickTheFaultPerName(t *testing.T) {
	t.Parallel()
	srv := startServer(t, Config{
		Default: mustFault(t, "servfail"),
		Rules: []Rule{
			{Name: "exact.rules.test", Fault: mustFault(t, "nxdomain")},
			{Name: "*.rules.test", Fault: mustFault(t, "refused")},
			{Name: "*.test", Fault: OK},
		},
	})
	tests := []struct {
		name  string
		rcode int
	}{
		{"EXACT.Rules.test", dns.RcodeNameError}, // names match in any case
		{"deep.below.rules.test", dns.RcodeRefused},
		{"rules.test", dns.RcodeSuccess}, // *.rules.test is strictly below
		{"other.example.org", dns.RcodeServerFailure},
	}
	for _, tt := range tests {
		resp, err := ask(t, srv.Addr(), query{name: tt.name, qtype: dns.TypeA}, 2*time.Second)
		require.NoError(t, err)
		assert.Equal(t, dns.RcodeToString[tt.rcode], dns.RcodeToString[resp.Rcode], tt.name)
	}

	srv.SetRules(Config{Default: OK})
	resp, err := ask(t, srv.Addr(), query{name: "exact.rules.test", qtype: dns.TypeA}, 2*time.Second)
	require.NoError(t, err)
	assert.Equal(t, dns.RcodeSuccess, resp.Rcode, "after SetRules")
}

func TestStartSharesOnePortForUDPAndTCP(t *testing.T) {
	t.Parallel()
	srv := startServer(t, Config{})
	for _, transport := range []string{"udp", "tcp"} {
		_, err := ask(t, srv.Addr(), query{name: "port.test", qtype: dns.TypeA, transport: transport}, 2*time.Second)
		assert.NoError(t, err, transport)
	}
}

func TestStartFailsOnAnAddressInUse(t *testing.T) {
	t.Parallel()
	first := startServer(t, Config{})
	second := New(Config{})
	err := second.Start(context.Background(), first.Addr())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "address already in use")
	assert.Contains(t, err.Error(), first.Addr())
	assert.NoError(t, second.Close())
}

func TestStartRejectsABadAddress(t *testing.T) {
	t.Parallel()
	err := New(Config{}).Start(context.Background(), "no-port")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `"no-port"`)
}

func TestCloseDropsHeldAnswers(t *testing.T) {
	t.Parallel()
	srv := New(Config{Default: mustFault(t, "race:inflight=1h")})
	require.NoError(t, srv.Start(context.Background(), "127.0.0.1:0"))
	go ask(t, srv.Addr(), query{name: "held.test", qtype: dns.TypeA}, time.Minute)
	// The held query is logged only when it ends; the race table shows
	// that the server has read it.
	require.Eventually(t, func() bool {
		srv.race.mu.Lock()
		defer srv.race.mu.Unlock()
		return len(srv.race.flights) == 1
	}, 2*time.Second, 5*time.Millisecond)

	require.NoError(t, srv.Close())
	<-srv.Done()
	e := lastEntry(t, srv, "held.test")
	assert.Equal(t, ActionDropped, e.Action)
	assert.NoError(t, srv.Close(), "a second Close")
	assert.Error(t, srv.Start(context.Background(), "127.0.0.1:0"), "Start after Close")
}

func TestServerListensOnIPv6Loopback(t *testing.T) {
	t.Parallel()
	ln, err := net.ListenPacket("udp6", "[::1]:0")
	if err != nil {
		t.Skip("no IPv6 loopback:", err)
	}
	ln.Close()
	srv := New(Config{})
	require.NoError(t, srv.Start(context.Background(), "[::1]:0"))
	t.Cleanup(func() { srv.Close() })
	resp, err := ask(t, srv.Addr(), query{name: "v6.test", qtype: dns.TypeAAAA}, 2*time.Second)
	require.NoError(t, err)
	require.Len(t, resp.Answer, 1)
	e := lastEntry(t, srv, "v6.test")
	assert.True(t, strings.HasPrefix(e.Src, "[::1]:"), e.Src)
}
