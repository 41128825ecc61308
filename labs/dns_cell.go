package labs

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/baselab/baselab/dnsfaker"
	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/harness/record"
)

// probeLine is one lookup as the probe reports it (fixtures/probes/README.md).
type probeLine struct {
	Name        string   `json:"name"`
	Try         int      `json:"try"`
	StartWallUS int64    `json:"start_wall_us"`
	Ms          float64  `json:"ms"`
	OK          bool     `json:"ok"`
	A           int      `json:"a"`
	AAAA        int      `json:"aaaa"`
	Addrs       []string `json:"addrs"`
	Err         string   `json:"err"`
	Code        string   `json:"code"`
	Libc        string   `json:"libc"`

	// user marks a lookup by a user's own command, which reports no
	// families: it either worked or it did not.
	user bool
}

// class is both, a-only or fail.
func (p probeLine) class() string {
	switch {
	case !p.OK:
		return "fail"
	case p.user:
		return "ok"
	case p.A > 0 && p.AAAA > 0:
		return "both"
	case p.A > 0:
		return "a-only"
	}
	return "aaaa-only"
}

func parseProbe(out string) ([]probeLine, error) {
	var ls []probeLine
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "{") {
			continue
		}
		var p probeLine
		if err := json.Unmarshal([]byte(line), &p); err != nil {
			return ls, fmt.Errorf("parse probe line %q: %w", line, err)
		}
		ls = append(ls, p)
	}
	return ls, nil
}

type dnsCellResult struct {
	lookups []probeLine
	errs    []string // the lab's own failures (exec, parse), not lookup failures
	wall    time.Duration
	libc    string
}

// probeTimeoutMs bounds one lookup: glibc's worst predicted case in the
// matrix is 3 × 5 s; anything past 60 s is reported as TIMEOUT by the probe.
const probeTimeoutMs = "60000"

// runCell does the cell's lookups one after another, each in a fresh probe
// process, so that every lookup starts with the resolver's default state.
func (l *dnsLab) runCell(ctx context.Context, c dnsCell, tries int) dnsCellResult {
	start := time.Now()
	var res dnsCellResult
	if c.user {
		res = l.runUserCell(ctx, c, tries)
		res.wall = time.Since(start)
		return res
	}
	box := l.boxes[boxKey(c.base, c.options)]
	for range tries {
		out, err := box.c.Exec(ctx, []string{"/usr/local/bin/probe", "--tries", "1", "--flags", c.flags,
			"--timeout-ms", probeTimeoutMs, c.name}, "")
		if err != nil {
			res.errs = append(res.errs, err.Error())
			continue
		}
		ls, err := parseProbe(out.Stdout)
		if err != nil || len(ls) != 1 {
			res.errs = append(res.errs, fmt.Sprintf("probe exit %d %s: %v %s", out.ExitCode, out.Signal, err, strings.TrimSpace(out.Stderr)))
			continue
		}
		res.lookups = append(res.lookups, ls[0])
		res.libc = ls[0].Libc
	}
	res.wall = time.Since(start)
	return res
}

func (r dnsCellResult) summary() string {
	if len(r.lookups) == 0 {
		return "no lookups: " + strings.Join(r.errs, "; ")
	}
	classes := map[string]int{}
	var ms []float64
	for _, p := range r.lookups {
		classes[p.class()]++
		ms = append(ms, p.Ms)
	}
	return fmt.Sprintf("%-8s p50 %7.0f ms  max %7.0f ms", majority(classes), record.Percentile(ms, 50), record.Percentile(ms, 100))
}

func majority(classes map[string]int) string {
	best, n := "", -1
	keys := make([]string, 0, len(classes))
	for k := range classes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if classes[k] > n {
			best, n = k, classes[k]
		}
	}
	if len(classes) > 1 {
		return "mixed"
	}
	return best
}

// timelineEvent is one query of a lookup as the server saw it.
type timelineEvent struct {
	TMs       float64 `json:"t_ms"`
	Port      int     `json:"port"`
	Transport string  `json:"transport"`
	QType     string  `json:"qtype"`
	Action    string  `json:"action"`
}

// window returns the server's entries that belong to a lookup.
func window(entries []dnsfaker.Entry, p probeLine) []dnsfaker.Entry {
	from := p.StartWallUS - 2000 // the two clocks are one kernel's; 2 ms covers exec skew
	to := p.StartWallUS + int64(p.Ms*1000) + 2000
	var out []dnsfaker.Entry
	for _, e := range entries {
		if e.TimeUS >= from && e.TimeUS <= to {
			out = append(out, e)
		}
	}
	return out
}

func timeline(entries []dnsfaker.Entry, startUS int64) []timelineEvent {
	out := make([]timelineEvent, 0, len(entries))
	for _, e := range entries {
		port := 0
		if i := strings.LastIndex(e.Src, ":"); i >= 0 {
			port, _ = strconv.Atoi(e.Src[i+1:])
		}
		out = append(out, timelineEvent{TMs: float64(e.TimeUS-startUS) / 1000, Port: port,
			Transport: e.Transport, QType: e.QType, Action: string(e.Action)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].TMs < out[j].TMs })
	return out
}

func ports(entries []dnsfaker.Entry) int {
	seen := map[string]bool{}
	for _, e := range entries {
		seen[e.Transport+" "+e.Src] = true
	}
	return len(seen)
}

// cellRecord turns a cell's lookups and the server's view of them into the
// record, and compares both with what the resolver's source predicts.
func (l *dnsLab) cellRecord(c dnsCell, res dnsCellResult, entries []dnsfaker.Entry) record.Record {
	r := record.Record{Lab: "dns", Variant: c.variant, Started: time.Now().UTC().Add(-res.wall)}
	if c.user {
		Stamp(&r, l.user)
		r.Base = l.user.Ref
	} else {
		Stamp(&r, l.boxes[boxKey(c.base, c.options)].im)
		r.Base = string(c.base)
	}
	r.Set("resolver", c.resolver)
	r.Set("fault", c.fault)
	r.Set("options", c.options)
	r.Set("flags", c.flags)
	r.Set("name", c.name)
	if res.libc != "" {
		r.Set("probe_libc", res.libc)
	}
	if c.user {
		userTimings(res.lookups, entries, &r)
	}
	classes := map[string]int{}
	var ms []float64
	aOnly := 0
	var slow probeLine
	var errText []string
	for _, p := range res.lookups {
		classes[p.class()]++
		ms = append(ms, p.Ms)
		if p.OK {
			r.OK++
		} else {
			r.Failed++
			errText = append(errText, fmt.Sprintf("%s (%s) after %.0f ms", p.Err, p.Code, p.Ms))
		}
		if p.class() == "a-only" {
			aOnly++
		}
		if p.Ms >= slow.Ms {
			slow = p
		}
	}
	r.Tries = len(res.lookups) + len(res.errs)
	r.Failed += len(res.errs)
	r.Timings(ms)
	r.Set("a_only", aOnly)
	r.Set("queries", len(entries))
	r.Set("ports", ports(entries))
	if slow.StartWallUS != 0 {
		r.Set("timeline", timeline(window(entries, slow), slow.StartWallUS))
	}
	result := majority(classes)
	speed := "fast"
	if r.P50ms != nil && *r.P50ms >= fastMs {
		speed = "stall"
	}
	switch {
	case len(res.lookups) == 0:
		r.Outcome = "error"
	default:
		r.Outcome = result + "-" + speed
	}
	switch {
	case len(res.errs) > 0:
		r.Evidence = "lab errors: " + strings.Join(res.errs, "; ")
	case len(errText) > 0:
		r.Evidence = strings.Join(uniq(errText), "; ")
	case slow.StartWallUS != 0 && c.user:
		r.Evidence = fmt.Sprintf("slowest run: %d queries from %d source ports over %.1f ms in the server's log",
			len(window(entries, slow)), ports(window(entries, slow)), slow.Ms)
	case slow.StartWallUS != 0:
		r.Evidence = fmt.Sprintf("slowest lookup: %d A + %d AAAA in %.1f ms; %d queries from %d source ports",
			slow.A, slow.AAAA, slow.Ms, len(window(entries, slow)), ports(window(entries, slow)))
	}
	e := c.expect
	if e.Known && len(res.lookups) > 0 {
		ok, why := e.matches(result, codeOf(res.lookups), r.P50ms)
		r.Set("as_predicted", ok)
		r.Set("predicted", fmt.Sprintf("%s after ~%.0f ms", e.Result, e.DelayMs))
		r.Detail = e.Why
		if !ok {
			r.Detail = "NOT as the source predicts (" + why + "): " + e.Why
		}
	} else {
		r.Detail = e.Why
		if c.user {
			r.Detail = "your image and probe; timings are the probe's run time and the server's view of its queries"
		}
	}
	if note := courseNote(c, result, speed, entries, slow); note != "" {
		r.Detail += ". " + note
	}
	return r
}

// userTimings replaces the run time of a user's command (container start
// included) with the lookup's duration as the server saw it: from its first
// query to its last. A stall is the gap between a lost query and its resend,
// so it shows in full; what it misses is the client's last round trip.
// The run times are kept in run_ms.
func userTimings(ls []probeLine, entries []dnsfaker.Entry, r *record.Record) {
	var run []float64
	for i, p := range ls {
		run = append(run, p.Ms)
		w := window(entries, p)
		if len(w) == 0 {
			continue
		}
		first, last := w[0].TimeUS, w[0].TimeUS
		for _, e := range w {
			first, last = min(first, e.TimeUS), max(last, e.TimeUS)
		}
		ls[i].StartWallUS = first
		ls[i].Ms = float64(last-first) / 1000
	}
	r.Set("run_ms", run)
	r.Set("timing", "server log: first query to last query of each run")
}

func codeOf(ls []probeLine) string {
	for _, p := range ls {
		if !p.OK {
			return p.Code
		}
	}
	return ""
}

// matches compares a measured cell with the prediction.
func (e dnsExpect) matches(result, code string, p50 *float64) (bool, string) {
	if e.Result != "" && result != e.Result {
		return false, fmt.Sprintf("got %s, predicted %s", result, e.Result)
	}
	if e.Code != "" && code != e.Code {
		return false, fmt.Sprintf("got error %s, predicted %s", code, e.Code)
	}
	if p50 == nil {
		return false, "no timing"
	}
	if e.DelayMs == 0 {
		if *p50 >= fastMs {
			return false, fmt.Sprintf("p50 %.0f ms, predicted fast (< %.0f ms)", *p50, fastMs)
		}
		return true, ""
	}
	if *p50 < e.DelayMs-stallTolMs || *p50 > e.DelayMs+stallTolMs {
		return false, fmt.Sprintf("p50 %.0f ms, predicted %.0f ± %.0f ms", *p50, e.DelayMs, stallTolMs)
	}
	return true, ""
}

// courseNote says where the course's claims meet this cell's measurement.
func courseNote(c dnsCell, result, speed string, entries []dnsfaker.Entry, slow probeLine) string {
	if c.user {
		return ""
	}
	w := window(entries, slow)
	samePort := len(w) >= 2 && ports(w[:2]) == 1 && w[1].TimeUS-w[0].TimeUS < 5000 && w[0].Transport == "udp"
	switch {
	case c.resolver == "glibc" && c.fault == "race" && c.options == "" && speed == "stall" && samePort:
		return "Course claim refuted: glibc is not \"sequential\" — it sent A and AAAA back to back from one source port and stalled like musl would (longer, in fact)"
	case c.resolver == "musl" && c.fault == "race" && strings.Contains(c.options, "single-request") && speed == "stall":
		return "Course fix refuted on musl: `options " + c.options + "` is not a musl option (musl parses only ndots, attempts, timeout) and the stall remains"
	case c.resolver == "glibc" && c.fault == "race" && c.options == "single-request" && speed == "fast":
		return "Course fix confirmed on glibc: single-request sends AAAA only after A's answer"
	case c.resolver == "musl" && c.fault == "race" && strings.Contains(c.options, "timeout:1") && result == "both":
		return "What does shorten musl's stall: a retry interval of timeout/attempts"
	case c.resolver == "go" && c.fault == "race" && speed == "fast":
		return "Go's resolver sends each query from its own socket: the parallel-query fault cannot hit it"
	case c.resolver == "musl" && (c.fault == "servfail:AAAA" || c.fault == "refused:AAAA" || c.fault == "timeout:AAAA") && result == "fail":
		return "musl fails the whole lookup when only AAAA fails, where glibc and Go return the IPv4 address"
	}
	return ""
}

func uniq(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		// The same error after slightly different times is one error.
		k := x
		if i := strings.Index(x, " after "); i > 0 {
			k = x[:i]
		}
		if !seen[k] {
			seen[k] = true
			out = append(out, x)
		}
	}
	return out
}

// dnsLoadCell is race with a probability below one and N concurrent
// clients: the intermittent, load-dependent version of the story.
type dnsLoadCell struct {
	base     images.Key
	resolver string
	clients  int
	name     string
	variant  string
}

type dnsLoadResult struct {
	lookups []probeLine
	errs    []string
	wall    time.Duration
	libc    string
}

// runLoad runs the clients at once, each one long-lived process doing its
// lookups back to back — the shape of a server's worker.
func (l *dnsLab) runLoad(ctx context.Context, c dnsLoadCell, tries int) dnsLoadResult {
	start := time.Now()
	box := l.boxes[boxKey(c.base, "")]
	var mu sync.Mutex
	var res dnsLoadResult
	var wg sync.WaitGroup
	for range c.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := box.c.Exec(ctx, []string{"/usr/local/bin/probe", "--tries", strconv.Itoa(tries),
				"--timeout-ms", probeTimeoutMs, c.name}, "")
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				res.errs = append(res.errs, err.Error())
				return
			}
			ls, err := parseProbe(out.Stdout)
			if err != nil {
				res.errs = append(res.errs, err.Error())
			}
			res.lookups = append(res.lookups, ls...)
			if len(ls) > 0 {
				res.libc = ls[0].Libc
			}
		}()
	}
	wg.Wait()
	res.wall = time.Since(start)
	return res
}

func (r dnsLoadResult) summary() string {
	if len(r.lookups) == 0 {
		return "no lookups: " + strings.Join(r.errs, "; ")
	}
	var ms []float64
	for _, p := range r.lookups {
		ms = append(ms, p.Ms)
	}
	return fmt.Sprintf("%d lookups  p50 %6.0f  p95 %6.0f  p99 %6.0f ms", len(ms),
		record.Percentile(ms, 50), record.Percentile(ms, 95), record.Percentile(ms, 99))
}

func (l *dnsLab) loadRecord(c dnsLoadCell, cfg DNSConfig, res dnsLoadResult, entries []dnsfaker.Entry) record.Record {
	r := record.Record{Lab: "dns", Variant: c.variant, Started: time.Now().UTC().Add(-res.wall)}
	Stamp(&r, l.boxes[boxKey(c.base, "")].im)
	r.Base = string(c.base)
	fault := fmt.Sprintf("race:p=%g", cfg.LoadP)
	r.Set("resolver", c.resolver)
	r.Set("fault", fault)
	r.Set("options", "")
	r.Set("clients", c.clients)
	r.Set("probability", cfg.LoadP)
	r.Set("queries", len(entries))
	var ms []float64
	stalls := 0
	for _, p := range res.lookups {
		ms = append(ms, p.Ms)
		if p.OK {
			r.OK++
		} else {
			r.Failed++
		}
		if p.Ms >= loadStallMs {
			stalls++
		}
	}
	r.Tries = len(res.lookups)
	r.Failed += len(res.errs)
	r.Timings(ms)
	if len(ms) > 0 {
		r.Set("p99_ms", record.Percentile(ms, 99))
	}
	r.Set("stalls", stalls)
	r.Outcome = "fast"
	if stalls > 0 {
		r.Outcome = "intermittent"
	}
	if len(ms) == 0 {
		r.Outcome = "error"
	}
	r.Evidence = fmt.Sprintf("%d of %d lookups stalled ≥ %.0f ms", stalls, len(ms), loadStallMs)
	if len(res.errs) > 0 {
		r.Evidence += "; lab errors: " + strings.Join(res.errs, "; ")
	}
	r.Detail = fmt.Sprintf("%d clients, each one process doing %d lookups back to back, against race losing the second query of a same-port pair with probability %g. ",
		c.clients, cfg.LoadTries, cfg.LoadP) + loadNote(c.resolver)
	return r
}

func loadNote(resolver string) string {
	switch resolver {
	case "musl":
		return "musl keeps no state between lookups: every lost pair costs timeout/attempts (2.5 s), so the tail grows with the loss rate — the story's \"intermittent\" delays"
	case "glibc":
		return "glibc stalls 5 s once per thread, then stays in single-request mode: a long-lived process shows one stall per client, a fork-per-request one shows them all"
	case "go":
		return "Go's resolver never has two queries outstanding on one source port"
	}
	return ""
}
