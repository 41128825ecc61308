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
		benchServe(b, startServer(b, Config{}))
	})
	b.Run("log streamed as JSON", func(b *testing.B) {
		benchServe(b, startServer(b, Config{}, WithLogWriter(io.Discard)))
	})
}

func benchServe(b *testing.B, srv *Server) {
	raddr, err := net.ResolveUDPAddr("udp", srv.Addr())
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
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "queries/s")
	// CPU per query, client and server together, is the number that holds
	// on a shared machine: 2 cores / it is the rate an idle machine reaches.
	b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/query")
}

// cpuTime is the user and system time of this process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
