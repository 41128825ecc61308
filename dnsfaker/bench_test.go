package dnsfaker

import (
	"io"
	"net"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// BenchmarkServeOK measures queries per second answered over loopback UDP
// under ok. The clients run in the same process and share the cores, as
// dnsperf on the same host would; each keeps one query in flight, so many
// of them keep the server busy.
func BenchmarkServeOK(b *testing.B) {
	b.Run("log in memory", func(b *testing.B) {
		benchServe(b, startServer(b, Config{}).Addr())
	})
	b.Run("log streamed as JSON", func(b *testing.B) {
		benchServe(b, startServer(b, Config{}, WithLogWriter(io.Discard)).Addr())
	})
}

// BenchmarkServeAgainstBare drives dnsfaker (logging on) and a bare
// miekg/dns server that answers the same A record, in the same run, with
// the same clients, and reports each one's rate and dnsfaker's share of the
// bare server's: the ceiling of the library dnsfaker is built on.
func BenchmarkServeAgainstBare(b *testing.B) {
	var faker, bare float64
	b.Run("bare miekg/dns", func(b *testing.B) { bare = benchServe(b, startBare(b)) })
	b.Run("dnsfaker, log in memory", func(b *testing.B) { faker = benchServe(b, startServer(b, Config{}).Addr()) })
	if bare > 0 {
		b.ReportMetric(faker/bare, "ratio")
		b.Logf("dnsfaker %.0f queries/s, bare miekg/dns %.0f queries/s: %.2f×", faker, bare, faker/bare)
	}
}

// startBare is the least a miekg/dns server does: one handler that answers
// an A or AAAA question with one record, no logging, no rules.
func startBare(b *testing.B) string {
	b.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	started := make(chan struct{})
	srv := &dns.Server{PacketConn: pc, NotifyStartedFunc: func() { close(started) }, Handler: dns.HandlerFunc(bareAnswer)}
	go func() { _ = srv.ActivateAndServe() }()
	<-started
	b.Cleanup(func() { _ = srv.Shutdown() })
	return pc.LocalAddr().String()
}

func bareAnswer(w dns.ResponseWriter, q *dns.Msg) {
	m := new(dns.Msg)
	m.SetReply(q)
	hdr := dns.RR_Header{Name: q.Question[0].Name, Rrtype: q.Question[0].Qtype, Class: dns.ClassINET, Ttl: 60}
	switch hdr.Rrtype {
	case dns.TypeA:
		m.Answer = append(m.Answer, &dns.A{Hdr: hdr, A: net.IPv4(192, 0, 2, 1)})
	case dns.TypeAAAA:
		m.Answer = append(m.Answer, &dns.AAAA{Hdr: hdr, AAAA: net.ParseIP("2001:db8::1")})
	}
	_ = w.WriteMsg(m)
}

func benchServe(b *testing.B, addr string) float64 {
	raddr, err := net.ResolveUDPAddr("udp", addr)
	if err != nil {
		b.Fatal(err)
	}
	var ids atomic.Uint32
	b.SetParallelism(16)
	b.ReportAllocs()
	b.ResetTimer()
	start, cpu0 := time.Now(), cpuTime()
	b.RunParallel(func(pb *testing.PB) {
		conn, err := net.DialUDP("udp", nil, raddr)
		if err != nil {
			b.Error(err)
			return
		}
		defer conn.Close()
		m := new(dns.Msg)
		m.SetQuestion("bench.test.", dns.TypeA)
		buf := make([]byte, 512)
		for pb.Next() {
			m.Id = uint16(ids.Add(1))
			out, err := m.PackBuffer(buf[:0:256])
			if err != nil {
				b.Error(err)
				return
			}
			if _, err := conn.Write(out); err != nil {
				b.Error(err)
				return
			}
			conn.SetReadDeadline(time.Now().Add(2 * time.Second))
			if _, err := conn.Read(buf[256:]); err != nil {
				b.Error(err)
				return
			}
		}
	})
	qps := float64(b.N) / time.Since(start).Seconds()
	b.ReportMetric(qps, "queries/s")
	// CPU per query, client and server together, is the number that holds
	// on a shared machine: 2 cores / it is the rate an idle machine reaches.
	b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/query")
	return qps
}

// cpuTime is the user and system time of this process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
