package dnsfaker

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// corednsVersion is the CoreDNS that .ci/coredns builds; the benchmark
// looks for its binary there unless BASELAB_COREDNS names one.
const corednsVersion = "v1.14.7"

// BenchmarkThroughput drives three servers on loopback with dnsperf, the
// same load for the same time in one run: dnsfaker with its log on as the
// labs run it (JSON lines on a stream, the last entries in memory),
// CoreDNS with erratic (log plugin on, dropping nothing) and a bare
// miekg/dns server, dnsfaker's ceiling. The servers take turns, round after
// round, so that a neighbour's load on the shared machine falls on all
// three; each rate is the median of its rounds, and each ratio the median
// of the rounds' ratios, with their spread.
//
//	make bench   # builds CoreDNS once (.ci/coredns) and installs dnsperf as root
func BenchmarkThroughput(b *testing.B) {
	dnsperf, err := exec.LookPath("dnsperf")
	if err != nil {
		b.Skip("dnsperf not installed: apt-get install -y dnsperf (make bench does it as root)")
	}
	coredns := corednsBinary()
	if _, err := os.Stat(coredns); err != nil {
		b.Skipf("coredns not built at %s: run .ci/coredns (make bench does it)", coredns)
	}
	const (
		rounds  = 5
		seconds = 2
	)
	queries := filepath.Join(b.TempDir(), "queries")
	if err := os.WriteFile(queries, []byte("bench.test A\nbench.test AAAA\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { devnull.Close() })
	servers := []struct{ name, metric, addr string }{
		{"bare miekg/dns", "bare-q/s", startBare(b)},
		{"dnsfaker, log on", "dnsfaker-q/s", startServer(b, Config{}, WithLogWriter(devnull)).Addr()},
		{"CoreDNS erratic, log on", "coredns-q/s", startCoreDNS(b, coredns)},
	}
	qps := make([][]float64, len(servers))
	for b.Loop() {
		for r := range rounds {
			// Each round starts with the next server, so none is always
			// the one that follows another's load.
			for k := range servers {
				i := (r + k) % len(servers)
				q, err := runDNSPerf(dnsperf, queries, servers[i].addr, seconds)
				if err != nil {
					b.Fatalf("%s: %v", servers[i].name, err)
				}
				qps[i] = append(qps[i], q)
			}
		}
	}
	b.Logf("dnsperf -c 4 -l %d on 127.0.0.1, %d rounds per server, median (min–max):", seconds, len(qps[0]))
	for i, s := range servers {
		b.Logf("  %-24s %7.0f queries/s (%.0f–%.0f)", s.name, median(qps[i]), slices.Min(qps[i]), slices.Max(qps[i]))
		b.ReportMetric(median(qps[i]), s.metric)
	}
	for _, vs := range []struct {
		i      int
		metric string
	}{{0, "×bare"}, {2, "×coredns"}} {
		ratios := make([]float64, len(qps[1]))
		for r := range ratios {
			ratios[r] = qps[1][r] / qps[vs.i][r]
		}
		b.Logf("  dnsfaker / %-23s %.2f× (%.2f–%.2f, per round)", servers[vs.i].name, median(ratios), slices.Min(ratios), slices.Max(ratios))
		b.ReportMetric(median(ratios), vs.metric)
	}
}

// corednsBinary is where .ci/coredns puts its build, two levels up from
// this package.
func corednsBinary() string {
	if p := os.Getenv("BASELAB_COREDNS"); p != "" {
		return p
	}
	p, _ := filepath.Abs(filepath.Join("..", "bin", "coredns-"+corednsVersion, "coredns"))
	return p
}

var qpsLine = regexp.MustCompile(`Queries per second:\s+([0-9.]+)`)

// runDNSPerf runs dnsperf against addr, on loopback only, for seconds with
// four clients, and returns its queries per second. -n bounds the run by
// count as well as by time.
func runDNSPerf(dnsperf, queries, addr string, seconds int) (float64, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || host != "127.0.0.1" {
		return 0, fmt.Errorf("run dnsperf: %q is not on 127.0.0.1", addr)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(seconds+15)*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, dnsperf, "-s", "127.0.0.1", "-p", port, "-d", queries,
		"-c", "4", "-l", strconv.Itoa(seconds), "-n", "5000000", "-t", "2").CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("run dnsperf: %w: %s", err, out)
	}
	m := qpsLine.FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("run dnsperf: no rate in its output: %s", out)
	}
	return strconv.ParseFloat(string(m[1]), 64)
}

// startCoreDNS runs the CoreDNS build on a free loopback port with erratic
// answering every query (drop 0) and the log plugin writing to /dev/null,
// and returns its address once it answers.
func startCoreDNS(b *testing.B, bin string) string {
	b.Helper()
	port := freeUDPPort(b)
	dir := b.TempDir()
	corefile := fmt.Sprintf(".:%d {\n\tbind 127.0.0.1\n\tlog\n\terratic {\n\t\tdrop 0\n\t}\n}\n", port)
	if err := os.WriteFile(filepath.Join(dir, "Corefile"), []byte(corefile), 0o644); err != nil {
		b.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd := exec.Command(bin, "-conf", filepath.Join(dir, "Corefile"))
	cmd.Dir, cmd.Stderr = dir, &stderr // stdout, the query log, to /dev/null
	if err := cmd.Start(); err != nil {
		b.Fatalf("start coredns: %v", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	b.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	c := &dns.Client{Timeout: 200 * time.Millisecond}
	m := new(dns.Msg)
	m.SetQuestion("bench.test.", dns.TypeA)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		select {
		case <-exited:
			b.Fatalf("start coredns: exited: %s", stderr.String())
		default:
		}
		if r, _, err := c.Exchange(m, addr); err == nil && len(r.Answer) > 0 {
			return addr
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.Fatalf("start coredns: no answer on %s in 10s: %s", addr, stderr.String())
	return ""
}

// freeUDPPort returns a loopback port that was free for UDP a moment ago.
func freeUDPPort(b *testing.B) int {
	b.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer pc.Close()
	return pc.LocalAddr().(*net.UDPAddr).Port
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(xs))
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
