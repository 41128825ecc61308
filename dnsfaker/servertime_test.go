package dnsfaker

import (
	"net"
	"os/exec"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// BenchmarkServerTimeAt32Clients measures the server's own time per query
// with 32 clients at once, as many as the DNS lab's under-load cells run:
// from the handler's start to its answer written, log on as the labs run
// it. dnsperf is the 32 clients (-c 32, one query each in flight), in its
// own process as the cells' containers are; a bare miekg/dns handler timed
// the same way under the same load is the baseline, so what is the
// machine's (a handler waiting for a core) shows in both. If dnsfaker's
// time is close to bare's and small against a lookup's, under-load cells
// are not slowed by the server.
//
//	go test -run '^$' -bench ServerTimeAt32Clients -benchtime 1x -v ./dnsfaker/
func BenchmarkServerTimeAt32Clients(b *testing.B) {
	dnsperf, err := exec.LookPath("dnsperf")
	if err != nil {
		b.Skip("skipped: dnsperf not installed: apt-get install -y dnsperf (make bench does it as root)")
	}
	const (
		seconds = 2
		most    = 2_000_000 // queries recorded per server, past what 2 s reach
	)
	queries, devnull := dnsperfInput(b, "load.test")
	s := New(Config{}, WithLogWriter(devnull))
	b.Cleanup(func() { s.Close() })
	fakerTime, bareTime := newDurations(most), newDurations(most)
	servers := []struct {
		name string
		addr string
		d    *durations
	}{
		{"dnsfaker, log on", startTimedUDP(b, s.serveDNS, s, fakerTime), fakerTime},
		{"bare miekg/dns", startTimedUDP(b, bareAnswer, nil, bareTime), bareTime},
	}
	for b.Loop() {
		for _, srv := range servers {
			if _, err := runDNSPerf(dnsperf, queries, srv.addr, seconds, "-c", "32", "-q", "32"); err != nil {
				b.Fatalf("%s: %v", srv.name, err)
			}
		}
	}
	b.Logf("dnsperf -c 32 -q 32 -l %d on 127.0.0.1, the handler's time per query:", seconds)
	for _, srv := range servers {
		p50, p99 := srv.d.quantiles()
		b.Logf("  %-17s p50 %6.1f µs, p99 %7.1f µs (%d queries)", srv.name,
			float64(p50.Nanoseconds())/1e3, float64(p99.Nanoseconds())/1e3, srv.d.len())
	}
	p50, p99 := fakerTime.quantiles()
	b.ReportMetric(float64(p50.Nanoseconds())/1e3, "p50-µs")
	b.ReportMetric(float64(p99.Nanoseconds())/1e3, "p99-µs")
}

// startTimedUDP serves h over UDP on loopback, with dnsfaker's read size
// and, for a dnsfaker s, its race reader, as Start does, and records how
// long h took for each query.
func startTimedUDP(b *testing.B, h dns.HandlerFunc, s *Server, d *durations) string {
	b.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	started := make(chan struct{})
	srv := &dns.Server{
		PacketConn:        pc,
		UDPSize:           udpReadSize,
		NotifyStartedFunc: func() { close(started) },
		Handler: dns.HandlerFunc(func(w dns.ResponseWriter, q *dns.Msg) {
			start := time.Now()
			h(w, q)
			d.add(time.Since(start))
		}),
	}
	if s != nil {
		srv.DecorateReader = func(r dns.Reader) dns.Reader { return raceReader{Reader: r, s: s} }
	}
	go func() { _ = srv.ActivateAndServe() }()
	<-started
	b.Cleanup(func() { _ = srv.Shutdown() })
	return pc.LocalAddr().String()
}

// durations is a bounded, concurrent record of durations.
type durations struct {
	n  atomic.Int64
	ds []time.Duration
}

func newDurations(capacity int) *durations {
	return &durations{ds: make([]time.Duration, capacity)}
}

func (d *durations) add(x time.Duration) {
	if i := d.n.Add(1) - 1; i < int64(len(d.ds)) {
		d.ds[i] = x
	}
}

func (d *durations) len() int { return int(min(d.n.Load(), int64(len(d.ds)))) }

func (d *durations) quantiles() (p50, p99 time.Duration) {
	s := slices.Clone(d.ds[:d.len()])
	if len(s) == 0 {
		return 0, 0
	}
	slices.Sort(s)
	return s[len(s)/2], s[len(s)*99/100]
}
