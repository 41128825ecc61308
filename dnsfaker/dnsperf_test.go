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
	"strings"
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
		b.Skip("skipped: dnsperf not installed: apt-get install -y dnsperf (make bench does it as root)")
	}
	coredns := corednsBinary()
	if _, err := os.Stat(coredns); err != nil {
		b.Skipf("skipped: coredns not built at %s: run .ci/coredns (make bench does it)", coredns)
	}
	const (
		rounds  = 5
		seconds = 2
	)
	queries, devnull := dnsperfInput(b, "bench.test")
	corednsAddr, corednsPID := startCoreDNS(b, coredns)
	self := func() time.Duration { return cpuTime() }
	servers := []struct {
		name, metric, addr string
		cpu                func() time.Duration
	}{
		{"bare miekg/dns", "bare-q/s", startBare(b), self},
		{"dnsfaker, log on", "dnsfaker-q/s", startServer(b, Config{}, WithLogWriter(devnull)).Addr(), self},
		{"CoreDNS erratic, log on", "coredns-q/s", corednsAddr, func() time.Duration { return processCPU(corednsPID) }},
	}
	qps := make([][]float64, len(servers))
	cpu := make([][]float64, len(servers)) // µs of the server's CPU per query
	for b.Loop() {
		for r := range rounds {
			// Each round starts with the next server, so none is always
			// the one that follows another's load.
			for k := range servers {
				i := (r + k) % len(servers)
				cpu0 := servers[i].cpu()
				res, err := runDNSPerf(dnsperf, queries, servers[i].addr, seconds, "-c", "4")
				if err != nil {
					b.Fatalf("%s: %v", servers[i].name, err)
				}
				qps[i] = append(qps[i], res.qps)
				cpu[i] = append(cpu[i], float64((servers[i].cpu()-cpu0).Nanoseconds())/1e3/float64(max(res.completed, 1)))
			}
		}
	}
	// On a machine shared with others the rates swing with their load;
	// CPU per query is what the server itself costs, and holds still.
	b.Logf("dnsperf -c 4 -l %d on 127.0.0.1, %d rounds per server, median (min–max):", seconds, len(qps[0]))
	for i, s := range servers {
		b.Logf("  %-24s %7.0f queries/s (%.0f–%.0f), %5.1f µs CPU/query (%.1f–%.1f)", s.name,
			median(qps[i]), slices.Min(qps[i]), slices.Max(qps[i]), median(cpu[i]), slices.Min(cpu[i]), slices.Max(cpu[i]))
		b.ReportMetric(median(qps[i]), s.metric)
	}
	b.Logf("  CPU per query, bare / dnsfaker: %.2f×", median(cpu[0])/median(cpu[1]))
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
// dnsperfInput writes dnsperf's query file (A and AAAA of name) and opens
// the null device the servers log to, closed when b ends.
func dnsperfInput(b *testing.B, name string) (queries string, devnull *os.File) {
	b.Helper()
	queries = filepath.Join(b.TempDir(), "queries")
	if err := os.WriteFile(queries, []byte(name+" A\n"+name+" AAAA\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { devnull.Close() })
	return queries, devnull
}

func corednsBinary() string {
	if p := os.Getenv("BASELAB_COREDNS"); p != "" {
		return p
	}
	p, _ := filepath.Abs(filepath.Join("..", "bin", "coredns-"+corednsVersion, "coredns"))
	return p
}

var (
	qpsLine       = regexp.MustCompile(`Queries per second:\s+([0-9.]+)`)
	completedLine = regexp.MustCompile(`Queries completed:\s+([0-9]+)`)
)

type perfResult struct {
	qps       float64
	completed int
}

// runDNSPerf runs dnsperf against addr, on loopback only, for seconds with
// the clients that args ask for, and returns its queries per second and how
// many were answered. -n bounds the run by count as well as by time.
func runDNSPerf(dnsperf, queries, addr string, seconds int, args ...string) (perfResult, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || host != "127.0.0.1" {
		return perfResult{}, fmt.Errorf("run dnsperf: %q is not on 127.0.0.1", addr)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(seconds+15)*time.Second)
	defer cancel()
	args = append([]string{"-s", "127.0.0.1", "-p", port, "-d", queries,
		"-l", strconv.Itoa(seconds), "-n", "5000000", "-t", "2"}, args...)
	out, err := exec.CommandContext(ctx, dnsperf, args...).CombinedOutput()
	if err != nil {
		return perfResult{}, fmt.Errorf("run dnsperf: %w: %s", err, out)
	}
	q, c := qpsLine.FindSubmatch(out), completedLine.FindSubmatch(out)
	if q == nil || c == nil {
		return perfResult{}, fmt.Errorf("run dnsperf: no rate in its output: %s", out)
	}
	var r perfResult
	r.qps, err = strconv.ParseFloat(string(q[1]), 64)
	if err == nil {
		r.completed, err = strconv.Atoi(string(c[1]))
	}
	return r, err
}

// processCPU is the user and system time of process pid so far, from
// /proc (in clock ticks, 100 a second on Linux), 0 if unreadable.
func processCPU(pid int) time.Duration {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The fields after the command name, which is in parentheses and may
	// hold spaces: utime and stime are the 12th and 13th of them.
	f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * 10 * time.Millisecond
}

// startCoreDNS runs the CoreDNS build on a free loopback port with erratic
// answering every query (drop 0) and the log plugin writing to /dev/null,
// and returns its address and process id once it answers.
func startCoreDNS(b *testing.B, bin string) (addr string, pid int) {
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
	addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
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
			return addr, cmd.Process.Pid
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.Fatalf("start coredns: no answer on %s in 10s: %s", addr, stderr.String())
	return "", 0
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
