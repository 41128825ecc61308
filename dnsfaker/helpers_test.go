package dnsfaker

import (
	"bytes"
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// startServer starts a server on a free loopback port and closes it when
// the test ends.
func startServer(t testing.TB, cfg Config, opts ...Option) *Server {
	t.Helper()
	srv := New(cfg, opts...)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, srv.Start(ctx, "127.0.0.1:0"))
	t.Cleanup(func() { assert.NoError(t, srv.Close()) })
	return srv
}

// mustFault parses a fault the test knows is valid.
func mustFault(t testing.TB, s string) Fault {
	t.Helper()
	f, err := ParseFault(s)
	require.NoError(t, err)
	return f
}

// query is one question and how it is asked.
type query struct {
	name      string
	qtype     uint16
	transport string // "udp" or "tcp"
	edns      uint16 // EDNS buffer size, 0 for none as a libc stub sends
}

func (q query) msg() *dns.Msg {
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(q.name), q.qtype)
	if q.edns > 0 {
		m.SetEdns0(q.edns, false)
	}
	return m
}

// ask sends q and returns the answer, or an error on timeout. The client
// does not retry over TCP after TC, so the test sees the UDP answer.
func ask(t testing.TB, addr string, q query, timeout time.Duration) (*dns.Msg, error) {
	t.Helper()
	c := &dns.Client{Net: q.transport, Timeout: timeout, UDPSize: 65535}
	if q.transport == "" {
		c.Net = "udp"
	}
	resp, _, err := c.Exchange(q.msg(), addr)
	return resp, err
}

// lastEntry returns the newest entry for name, waiting briefly because a
// dropped query is logged after the client has sent it.
func lastEntry(t testing.TB, srv *Server, name string) Entry {
	t.Helper()
	var entries []Entry
	require.Eventually(t, func() bool {
		entries = srv.ForName(name)
		return len(entries) > 0
	}, 2*time.Second, 5*time.Millisecond, "no log entry for %s", name)
	return entries[len(entries)-1]
}

// libcPair sends an A and an AAAA query back to back from one UDP socket,
// as glibc and musl do, and collects answers until it has both or the wait
// is over. It returns the socket so the test can resend from the same
// source port.
func libcPair(t testing.TB, addr, name string, wait time.Duration) (*net.UDPConn, map[uint16]*dns.Msg) {
	t.Helper()
	conn := sendPair(t, addr, name)
	return conn, readAnswers(t, conn, wait, 2)
}

// sendPair is the sending half of libcPair.
func sendPair(t testing.TB, addr, name string) *net.UDPConn {
	t.Helper()
	raddr, err := net.ResolveUDPAddr("udp", addr)
	require.NoError(t, err)
	conn, err := net.DialUDP("udp", nil, raddr)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })

	a, aaaa := query{name: name, qtype: dns.TypeA}.msg(), query{name: name, qtype: dns.TypeAAAA}.msg()
	a.Id, aaaa.Id = 0x0a0a, 0xaaaa
	for _, m := range []*dns.Msg{a, aaaa} {
		b, err := m.Pack()
		require.NoError(t, err)
		_, err = conn.Write(b)
		require.NoError(t, err)
	}
	return conn
}

// readAnswers reads answers from conn, by qtype, until it has want of
// them or the wait is over.
func readAnswers(t testing.TB, conn *net.UDPConn, wait time.Duration, want int) map[uint16]*dns.Msg {
	t.Helper()
	got := map[uint16]*dns.Msg{}
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(wait)))
	buf := make([]byte, 65535)
	for len(got) < want {
		n, err := conn.Read(buf)
		if err != nil {
			return got // deadline
		}
		m := new(dns.Msg)
		require.NoError(t, m.Unpack(buf[:n]))
		got[m.Question[0].Qtype] = m
	}
	return got
}

// sendQuery sends one query with the given id from conn.
func sendQuery(t testing.TB, conn *net.UDPConn, name string, qtype, id uint16) {
	t.Helper()
	m := query{name: name, qtype: qtype}.msg()
	m.Id = id
	b, err := m.Pack()
	require.NoError(t, err)
	_, err = conn.Write(b)
	require.NoError(t, err)
}

// syncBuffer is a bytes.Buffer safe for the log streamer and the test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
