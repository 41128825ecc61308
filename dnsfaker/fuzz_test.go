package dnsfaker

import (
	"net"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"
)

// FuzzServerPacket throws arbitrary bytes at the UDP socket and checks that
// the server is still answering good queries afterwards. A panic in any
// handler or in the race reader would take the whole test binary down.
func FuzzServerPacket(f *testing.F) {
	for _, seed := range fuzzSeeds(f) {
		f.Add(seed)
	}
	// One server for the whole run: a server per input would measure
	// start-up, not packet handling. Its rules reach every code path that
	// reads packet bytes, the race reader above all.
	srv := startServer(f, Config{Rules: []Rule{
		{Name: "*.race.test", Fault: mustFault(f, "race:inflight=1ms")},
		{Name: "*.tc.test", Fault: mustFault(f, "truncate")},
		{Name: "*.sf.test", Fault: mustFault(f, "servfail:AAAA")},
		{Name: "*.nx.test", Fault: mustFault(f, "nxdomain")},
		{Name: "*.every.test", Fault: mustFault(f, "every:3")},
	}}, WithLogCapacity(1000))
	raddr, err := net.ResolveUDPAddr("udp", srv.Addr())
	require.NoError(f, err)
	// The junk goes out from its own socket, never read, so a reply to it
	// cannot be taken for the answer to the good query.
	junk, err := net.DialUDP("udp", nil, raddr)
	require.NoError(f, err)
	f.Cleanup(func() { junk.Close() })
	good, err := net.DialUDP("udp", nil, raddr)
	require.NoError(f, err)
	f.Cleanup(func() { good.Close() })

	var id uint16
	f.Fuzz(func(t *testing.T, packet []byte) {
		if len(packet) > udpReadSize {
			packet = packet[:udpReadSize]
		}
		_, err := junk.Write(packet)
		require.NoError(t, err)

		id++
		m := new(dns.Msg)
		m.SetQuestion("still.ok.test.", dns.TypeA)
		m.Id = id
		b, err := m.Pack()
		require.NoError(t, err)
		_, err = good.Write(b)
		require.NoError(t, err)

		require.NoError(t, good.SetReadDeadline(time.Now().Add(2*time.Second)))
		buf := make([]byte, 65535)
		for {
			n, err := good.Read(buf)
			require.NoError(t, err, "no answer to a good query after %x", packet)
			var resp dns.Msg
			if resp.Unpack(buf[:n]) == nil && resp.Id == id {
				require.Len(t, resp.Answer, 1)
				return
			}
			// A late answer to an earlier input's good query.
		}
	})
}

// fuzzSeeds are packets a fuzzer would take long to find: valid queries for
// each rule, and the classic ways to break a DNS parser.
func fuzzSeeds(tb testing.TB) [][]byte {
	tb.Helper()
	pack := func(m *dns.Msg) []byte {
		b, err := m.Pack()
		require.NoError(tb, err)
		return b
	}
	q := func(name string, qtype uint16) *dns.Msg {
		m := new(dns.Msg)
		m.SetQuestion(name, qtype)
		return m
	}
	edns := q("a.tc.test.", dns.TypeAAAA)
	edns.SetEdns0(4096, true)
	response := q("a.race.test.", dns.TypeA)
	response.Response = true
	twoQuestions := q("a.race.test.", dns.TypeA)
	twoQuestions.Question = append(twoQuestions.Question, dns.Question{Name: "b.race.test.", Qtype: dns.TypeAAAA, Qclass: dns.ClassINET})

	header := []byte{0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0}
	return [][]byte{
		pack(q("a.race.test.", dns.TypeA)),
		pack(q("a.race.test.", dns.TypeAAAA)),
		pack(q("a.sf.test.", dns.TypeAAAA)),
		pack(q("a.nx.test.", dns.TypeMX)),
		pack(q("a.every.test.", dns.TypeA)),
		pack(edns),
		pack(response),
		pack(twoQuestions),
		{},
		{0x00},
		header, // a question count with no question
		append(append([]byte{}, header...), 0xc0, 0x0c, 0, 1, 0, 1),         // a name that points at itself
		append(append([]byte{}, header...), 63, 'a', 'b'),                   // a label longer than the packet
		append(append([]byte{}, header...), 1, 'a', 0xc0, 0x0c, 0, 1, 0, 1), // a pointer loop after a label
		append(append([]byte{}, header...), 0, 0),                           // the root, no qtype
	}
}
