package dnsfaker

import (
	"net"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// race:busy=K loses a pair's second query only while more than K race
// queries for its name are in flight. Pairs are sent one after another, each from its
// own socket, inside one window (200 ms, far longer than the sends take), so
// in arrival order the in-flight count before pair i's second query is
// 2(i-1)+1 while every earlier pair was kept: with busy=4 the first two
// pairs are kept whole (1 and 3 in flight, not more than 4) and every later
// pair loses its AAAA (5, 6, 7 ... in flight: each loss keeps only its A).
func TestRaceBusyLosesPairsOnlyUnderLoad(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		fault   string
		pairs   int
		dropped int
	}{
		{"one client alone is never hit", "race:inflight=200ms,busy=4", 1, 0},
		{"two clients stay under the threshold", "race:inflight=200ms,busy=4", 2, 0},
		{"ten clients at once lose every pair past the second", "race:inflight=200ms,busy=4", 10, 8},
		{"without busy even one client is hit", "race:inflight=200ms", 1, 1},
		{"without busy every pair of ten is hit", "race:inflight=200ms", 10, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := startServer(t, Config{Default: mustFault(t, tt.fault)})
			conns := make([]*net.UDPConn, tt.pairs)
			start := time.Now()
			for i := range conns {
				conns[i] = sendPair(t, srv.Addr(), "crowd.busy.test")
			}
			require.Less(t, time.Since(start), 200*time.Millisecond, "every pair was sent inside one window; the counts below assume it")
			answered := 0
			for _, c := range conns {
				answered += len(readAnswers(t, c, 200*time.Millisecond+pairWait, 2))
			}
			assert.Equal(t, uint64(tt.dropped), srv.Counters().Actions[ActionDropped])
			assert.Equal(t, 2*tt.pairs-tt.dropped, answered, "every query not lost is answered")
		})
	}
}

// The count is per name: a crowd on one name does not load another, as
// the lab's cells, each under its own name on one server, must not.
func TestRaceBusyCountsPerName(t *testing.T) {
	t.Parallel()
	srv := startServer(t, Config{Default: mustFault(t, "race:inflight=300ms,busy=2")})
	for range 5 {
		sendPair(t, srv.Addr(), "crowd.busy.test")
	}
	_, got := libcPair(t, srv.Addr(), "other.busy.test", 300*time.Millisecond+pairWait)
	assert.Len(t, got, 2, "a lone pair for another name, inside the crowd's window, is answered whole")
	// The crowd's packets were read before the lone pair's, sent after them.
	assert.Equal(t, uint64(4), srv.Counters().Actions[ActionDropped], "the crowd itself lost every pair past the first (its AAAA saw 1 in flight, the next ones 3, 4, 5, 6 > 2)")
}

// Once the crowd's window has passed, the in-flight count is back to zero:
// the same server is clean again for a lone client ("disappeared when
// traffic was low").
func TestRaceBusyIsCleanAgainWhenTheLoadIsGone(t *testing.T) {
	t.Parallel()
	srv := startServer(t, Config{Default: mustFault(t, "race:inflight=100ms,busy=2")})
	conns := make([]*net.UDPConn, 5)
	for i := range conns {
		conns[i] = sendPair(t, srv.Addr(), "crowd.busy.test")
	}
	for _, c := range conns {
		readAnswers(t, c, 100*time.Millisecond+pairWait, 2)
	}
	crowd := srv.Counters().Actions[ActionDropped]
	require.Positive(t, crowd, "the crowd lost queries")
	_, got := libcPair(t, srv.Addr(), "crowd.busy.test", pairWait)
	assert.Contains(t, got, dns.TypeA)
	assert.Contains(t, got, dns.TypeAAAA, "a lone pair after the crowd is answered whole")
	assert.Equal(t, crowd, srv.Counters().Actions[ActionDropped], "nothing more was lost")
}
