package dnsfaker

import (
	"context"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pairWait is how long the libc-like client waits for its pair: well past
// race's default window, far below a resolver's 5 s timeout.
const pairWait = DefaultInflight + 250*time.Millisecond

func TestRaceLosesTheSecondQueryOfASameSocketPair(t *testing.T) {
	t.Parallel()
	srv := startServer(t, Config{Default: Race})
	const name = "pair.race.test."

	conn, got := libcPair(t, srv.Addr(), name, pairWait)
	require.Contains(t, got, dns.TypeA, "the first query of the pair is answered")
	assert.NotContains(t, got, dns.TypeAAAA, "the second query of the pair is lost")
	assertAddress(t, name, got[dns.TypeA].Answer[0])

	// glibc's fallback after its timeout: resend from the same socket,
	// one query at a time. The window has passed, so it goes through.
	sendQuery(t, conn, name, dns.TypeAAAA, 0xbbbb)
	resent := readAnswers(t, conn, pairWait, 1)
	require.Contains(t, resent, dns.TypeAAAA, "the resend is answered")
	assertAddress(t, name, resent[dns.TypeAAAA].Answer[0])

	// The log tells the story: one source port, the drop, the resend.
	entries := srv.ForName(name)
	require.Len(t, entries, 3)
	src := unmapped(netip.MustParseAddrPort(conn.LocalAddr().String())).String()
	byID := map[uint16]Entry{}
	for _, e := range entries {
		assert.Equal(t, src, e.Src, "every query of the lookup leaves one port")
		assert.Equal(t, "udp", e.Transport)
		assert.Equal(t, "race", e.Fault)
		byID[e.ID] = e
	}
	assert.Equal(t, ActionAnswered, byID[0x0a0a].Action)
	assert.Equal(t, DefaultInflight.Microseconds(), byID[0x0a0a].DelayUS, "the kept query is held for the window")
	assert.Equal(t, ActionDropped, byID[0xaaaa].Action)
	assert.Equal(t, "AAAA", byID[0xaaaa].QType)
	assert.Equal(t, ActionAnswered, byID[0xbbbb].Action)
	assert.LessOrEqual(t, byID[0x0a0a].TimeUS, byID[0xaaaa].TimeUS, "the dropped query arrived second")
	assert.Less(t, byID[0xaaaa].TimeUS, byID[0xbbbb].TimeUS)
}

func TestGoResolverGetsBothAnswersUnderRace(t *testing.T) {
	t.Parallel()
	srv := startServer(t, Config{Default: Race})
	// Go's own resolver dials one socket per query: the control that
	// shows the fault is about the client's shared socket.
	r := &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, srv.Addr())
		},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	const name = "go.race.test."
	addrs, err := r.LookupNetIP(ctx, "ip", name)
	require.NoError(t, err)
	v4, v6 := AddressesFor(name)
	assert.ElementsMatch(t, []netip.Addr{v4, v6}, addrs)

	entries := srv.ForName(name)
	require.Len(t, entries, 2)
	assert.Equal(t, ActionAnswered, entries[0].Action)
	assert.Equal(t, ActionAnswered, entries[1].Action)
	assert.NotEqual(t, entries[0].Src, entries[1].Src, "one socket per query")
}

func TestRaceSparesNamesWithoutIt(t *testing.T) {
	t.Parallel()
	srv := startServer(t, Config{Rules: []Rule{{Name: "*.race.test", Fault: Race}}})
	_, got := libcPair(t, srv.Addr(), "plain.test", pairWait)
	assert.Len(t, got, 2)
}

func TestRaceLetsSingleRequestThrough(t *testing.T) {
	t.Parallel()
	srv := startServer(t, Config{Default: Race})
	raddr, err := net.ResolveUDPAddr("udp", srv.Addr())
	require.NoError(t, err)
	conn, err := net.DialUDP("udp", nil, raddr)
	require.NoError(t, err)
	defer conn.Close()

	// options single-request: the AAAA leaves only once the A is answered.
	sendQuery(t, conn, "single.race.test", dns.TypeA, 1)
	require.Contains(t, readAnswers(t, conn, pairWait, 1), dns.TypeA)
	sendQuery(t, conn, "single.race.test", dns.TypeAAAA, 2)
	require.Contains(t, readAnswers(t, conn, pairWait, 1), dns.TypeAAAA)
}

func TestRaceOverTCPLosesNothing(t *testing.T) {
	t.Parallel()
	srv := startServer(t, Config{Default: Race})
	conn, err := dns.Dial("tcp", srv.Addr())
	require.NoError(t, err)
	defer conn.Close()
	// Both queries on one connection before reading: TCP has no
	// conntrack insertion race, so race does not apply.
	for _, qt := range []uint16{dns.TypeA, dns.TypeAAAA} {
		require.NoError(t, conn.WriteMsg(query{name: "tcp.race.test", qtype: qt}.msg()))
	}
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(2*time.Second)))
	for range 2 {
		resp, err := conn.ReadMsg()
		require.NoError(t, err)
		assert.Len(t, resp.Answer, 1)
	}
	for _, e := range srv.ForName("tcp.race.test") {
		assert.Equal(t, ActionAnswered, e.Action)
		assert.Equal(t, "tcp", e.Transport)
	}
}

func TestRaceWithProbabilityLosesSomePairs(t *testing.T) {
	t.Parallel()
	srv := startServer(t, Config{Default: mustFault(t, "race:inflight=20ms,p=0.5")}, WithSeed(7))
	const pairs = 30
	// All pairs at once, each from its own socket, as 30 clients would.
	conns := make([]*net.UDPConn, pairs)
	for i := range conns {
		conns[i] = sendPair(t, srv.Addr(), "coin.race.test")
	}
	var answered int
	deadline := time.Now().Add(pairWait)
	for _, c := range conns {
		// Answers wait in the socket buffers; a short wait past the
		// deadline still reads them.
		answered += len(readAnswers(t, c, max(time.Until(deadline), 10*time.Millisecond), 2))
	}
	dropped := srv.Counters().Actions[ActionDropped]
	assert.Equal(t, uint64(2*pairs-answered), dropped, "every query lost is logged as dropped")
	// Binomial(30, 0.5) falls outside 3..27 with odds of about 1e-5.
	assert.GreaterOrEqual(t, dropped, uint64(3))
	assert.LessOrEqual(t, dropped, uint64(pairs-3))
}

func TestRaceTableForgetsOldSources(t *testing.T) {
	t.Parallel()
	rt := newRaceTable(1)
	now := time.Now()
	for port := range uint16(2000) {
		src := netip.AddrPortFrom(netip.MustParseAddr("192.0.2.1"), port)
		require.True(t, rt.arrive(src, "old.race.test.", 1, dns.TypeA, now, Race))
		rt.take(src, 1, dns.TypeA)
	}
	rt.sweep(now.Add(time.Second))
	assert.Empty(t, rt.flights)
}
