package dns

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/baselab/baselab/dnsfaker"
	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/harness/run"
)

// The nameservers preset (--options nameservers): a resolv.conf with two
// or three nameserver lines, each a dnsfaker of its own on the lab network,
// each with its own fault for the cell's name. What a layout does is the
// one thing the three resolvers disagree on most: musl asks every server at
// once, glibc and Go one after another.
const nsPreset = "nameservers"

// maxNS is the most nameserver lines any of the three reads: MAXNS in musl
// (src/network/resolvconf.c) and glibc (resolv/resolv.h), and Go's "small,
// but the standard limit" (dnsconfig_unix.go dnsReadConfig).
const maxNS = 3

// nsWords are the per-server words of a layout and the dnsfaker fault each
// one is. slow answers after nsSlowMs, well inside every resolver's 5 s
// timeout, so it is never retried: only waited for.
var nsWords = map[string]string{
	"ok":       "ok",
	"dead":     "timeout",
	"slow":     "delay:1s",
	"nxdomain": "nxdomain",
	"servfail": "servfail",
}

const nsSlowMs = 1000.0

// DefaultNameservers are the layouts --options nameservers runs: each
// server's word in resolv.conf order, "+" between, and the option rotate
// as a last word.
var DefaultNameservers = []string{"ok+ok", "dead+ok", "slow+ok", "servfail+ok", "nxdomain+ok", "slow+nxdomain", "dead+dead+ok", "dead+ok+rotate"}

// nsLayout is one nameserver cell's servers and options.
type nsLayout struct {
	servers []string // nsWords keys, in resolv.conf order
	rotate  bool
}

func parseLayout(s string) (nsLayout, error) {
	var l nsLayout
	for _, w := range strings.Split(s, "+") {
		switch {
		case w == "rotate":
			l.rotate = true
		case nsWords[w] != "":
			if l.rotate {
				return l, fmt.Errorf("--nameservers %q: rotate is the last word, after the servers", s)
			}
			l.servers = append(l.servers, w)
		default:
			return l, fmt.Errorf("--nameservers %q: unknown word %q: want servers from ok, dead, slow, nxdomain, servfail joined by +, and optionally +rotate, as in dead+ok", s, w)
		}
	}
	if len(l.servers) < 2 || len(l.servers) > maxNS {
		return l, fmt.Errorf("--nameservers %q: %d servers; a layout has 2 or 3 (the resolvers read at most %d nameserver lines)", s, len(l.servers), maxNS)
	}
	return l, nil
}

func (l nsLayout) String() string {
	s := strings.Join(l.servers, "+")
	if l.rotate {
		s += "+rotate"
	}
	return s
}

// options is the box key of a layout: the resolv.conf it needs (how many
// nameserver lines, whether rotate), not its faults, which are per name.
func (l nsLayout) options() string {
	o := fmt.Sprintf("%s:%d", nsPreset, len(l.servers))
	if l.rotate {
		o += " rotate"
	}
	return o
}

// isNSBox reports whether a box's options are a nameservers resolv.conf.
func isNSBox(options string) bool { return strings.HasPrefix(options, nsPreset+":") }

// nsCount is how many nameserver lines a box's resolv.conf has.
func nsCount(options string) int {
	n := 1
	if isNSBox(options) {
		fmt.Sscanf(strings.TrimPrefix(options, nsPreset+":"), "%d", &n)
	}
	return n
}

// presetBody is what follows the nameserver lines for the preset boxes'
// options, and whether options is one of them.
func presetBody(options string) (string, bool) {
	switch {
	case isNSBox(options):
		if strings.HasSuffix(options, " rotate") {
			return "options rotate\n", true
		}
		return "", true
	case isHostsBox(options):
		return "", true
	}
	return "", false
}

// nameserverLines are a box's resolv.conf nameserver lines: the lab's
// server, and for a nameservers box the extra servers after it.
func (rg *rig) nameserverLines(options string) string {
	ips := append([]string{rg.fakerIP}, rg.nsIPs...)
	var b strings.Builder
	for _, ip := range ips[:min(nsCount(options), len(ips))] {
		b.WriteString("nameserver " + ip + "\n")
	}
	return b.String()
}

// isPreset reports whether an --options word list is one of this file's
// or hosts.go's presets, whose cells are laid out by presetCells.
func isPreset(options string) bool { return options == nsPreset || options == hostsPreset }

// preset is what a nameservers or hosts cell carries beyond a cell.
type preset struct {
	layout *nsLayout // nameservers cells
	nss    string    // hosts cells: image, missing or dns-first
	alts   []nsAlt   // what the source allows one lookup to do
	source string    // hosts cells: where the address comes from, hosts or dns
}

// nsAlt is one outcome the source allows a lookup: its class, error code,
// duration and the servers (1-based, sorted) it asked. A lookup is as
// predicted when it matches one of its cell's alternatives; there are two
// only where the source leaves a choice (a tie between two servers' first
// answers on musl, glibc's random rotate offset).
type nsAlt struct {
	Result  string
	Code    string
	DelayMs float64
	Servers []int
}

func (a nsAlt) String() string {
	s := a.Result
	if a.Code != "" {
		s += " " + a.Code
	}
	if a.DelayMs > 0 {
		s += fmt.Sprintf(" after ~%.0f ms", a.DelayMs)
	} else {
		s += " fast"
	}
	return s + fmt.Sprintf(", servers %v", a.Servers)
}

// presetCells lays out base b's nameservers and hosts cells, numbering
// their names on from *n.
func (c Config) presetCells(b string, bases []string, n *int) []cell {
	if c.Image != "" || alpineAnswersFor(b, bases) {
		// musl 1.2.3 and 1.2.5 ask several servers with the same loop
		// (res_msend.c __res_msend_rc: the versions differ only in the
		// TCP retry) and read /etc/hosts with the same name_from_hosts
		// (lookup_name.c): alpine answers for both.
		return nil
	}
	key := images.Key(b)
	resolver := resolverOf[key]
	var out []cell
	for _, o := range c.Options {
		switch o {
		case nsPreset:
			if twin := nsTwin[key]; slices.Contains(bases, string(twin)) {
				// The same resolver's code as its twin's: distroless-base
				// runs slim's glibc, distroless-static scratch's Go probe.
				continue
			}
			for _, s := range c.Nameservers {
				l, _ := parseLayout(s) // checked by Validate
				*n++
				p := &preset{layout: &l}
				cl := cell{base: key, resolver: resolver, fault: l.String(), options: l.options(), flags: "none",
					name: fmt.Sprintf("c%03d.dns.test", *n), variant: fmt.Sprintf("%s/%s/%s", b, nsPreset, l), preset: p}
				var why string
				p.alts, why = predictNS(resolver, l)
				cl.expect = expect{Known: true, Why: why, DelayMs: maxDelay(p.alts)}
				out = append(out, cl)
			}
		case hostsPreset:
			for _, nss := range hostsModes(key) {
				*n++
				p := &preset{nss: nss}
				cl := cell{base: key, resolver: resolver, fault: "ok", options: hostsPreset + ":" + nss, flags: "none",
					name: fmt.Sprintf("c%03d.dns.test", *n), variant: fmt.Sprintf("%s/%s/%s", b, hostsPreset, nss), preset: p}
				var why string
				p.source, p.alts, why = predictHosts(resolver, key, nss)
				cl.expect = expect{Known: true, Why: why}
				out = append(out, cl)
			}
		}
	}
	return out
}

// nsTwin: a base whose nameservers cells its twin answers for, when both
// are in the run (the hosts cells differ: the images' nsswitch.conf).
var nsTwin = map[images.Key]images.Key{images.DistrolessBase: images.Slim, images.DistrolessStatic: images.Scratch}

func maxDelay(alts []nsAlt) float64 {
	d := 0.0
	for _, a := range alts {
		d = max(d, a.DelayMs)
	}
	return d
}

// nsAnswer is what server word w does with a query, as the resolvers see
// it: when the answer comes (ms, -1 never) and its rcode class.
func nsAnswer(w string) (ms float64, kind string) {
	switch w {
	case "ok":
		return 0, "ok"
	case "slow":
		return nsSlowMs, "ok"
	case "nxdomain":
		return 0, "nxdomain"
	case "servfail":
		return 0, "servfail"
	}
	return -1, "none" // dead
}

// glibcNSSeconds is how long glibc waits for server index i (0-based) of
// n: resolv/res_send.c send_dg, "int seconds = (statp->retrans << ns); if
// (ns > 0) seconds /= statp->nscount;" — ns there is the server's index,
// so the second of three servers gets 10/3 = 3 s and the third 20/3 = 6 s.
func glibcNSSeconds(i, n int) float64 {
	s := 5 << i
	if i > 0 {
		s /= n
	}
	return float64(max(s, 1))
}

// predictNS is what each resolver's source says a lookup does under a
// layout (resolv.conf defaults otherwise: timeout 5, attempts 2, ndots 1;
// the cell's name has two dots, so it is asked as it is, once).
func predictNS(resolver string, l nsLayout) ([]nsAlt, string) {
	n := len(l.servers)
	all := make([]int, n)
	for i := range all {
		all[i] = i + 1
	}
	switch resolver {
	case "musl":
		// src/network/res_msend.c __res_msend_rc (v1.2.3 and v1.2.5):
		// "Query all configured namservers in parallel", then take, per
		// query, the first answer whose rcode is 0 or 3 ("Only accept
		// positive or negative responses"); SERVFAIL is re-sent to its
		// server and ignored; rotate is not parsed (resolvconf.c reads
		// ndots, attempts, timeout). An NXDOMAIN that comes first is the
		// answer: lookup_name.c name_from_dns returns 0 for rcode 3, and
		// the lookup fails with EAI_NONAME.
		first := -1.0
		for _, w := range l.servers {
			if ms, k := nsAnswer(w); ms >= 0 && k != "servfail" && (first < 0 || ms < first) {
				first = ms
			}
		}
		if first < 0 {
			return []nsAlt{{Result: "fail", Code: "EAI_AGAIN", DelayMs: 5000, Servers: all}},
				"musl res_msend.c __res_msend_rc: no server gave an answer it accepts (rcode 0 or 3) within the timeout"
		}
		var alts []nsAlt
		for _, w := range l.servers {
			ms, k := nsAnswer(w)
			if ms != first || k == "servfail" {
				continue
			}
			a := nsAlt{Result: "both", DelayMs: first, Servers: all}
			if k == "nxdomain" {
				a.Result, a.Code = "fail", "EAI_NONAME"
			}
			if !slices.ContainsFunc(alts, func(b nsAlt) bool { return b.Result == a.Result }) {
				alts = append(alts, a)
			}
		}
		why := "musl res_msend.c __res_msend_rc asks every nameserver at once and takes each query's first answer with rcode 0 or 3"
		if len(alts) > 1 {
			why += "; two servers answer at once, so either answer can come first (a wrong NXDOMAIN fails the lookup: EAI_NONAME)"
		} else if alts[0].Result == "fail" {
			why += ": the wrong NXDOMAIN comes first and wins (EAI_NONAME), though another server has the name"
		}
		if l.rotate {
			why += "; rotate is not a musl option (resolvconf.c)"
		}
		return alts, why
	case "glibc":
		// resolv/res_send.c __res_context_send: "for (try = 0; try <
		// statp->retry; try++) for (ns_shift ...)", one server at a time
		// from ns_offset; send_dg waits glibcNSSeconds, goes to the next
		// server on a timeout, SERVFAIL, NOTIMP or REFUSED ("goto
		// next_ns"), and takes any other answer, NXDOMAIN included, as
		// final. rotate: nameserver_offset starts each process at
		// random_bits(), so a fresh process may begin at any server.
		offsets := []int{0}
		if l.rotate {
			offsets = offsets[:0]
			for i := range n {
				offsets = append(offsets, i)
			}
		}
		var alts []nsAlt
		for _, off := range offsets {
			alts = append(alts, walkServers(l, off, 2, func(i int) float64 { return 1000 * glibcNSSeconds(i, n) }, "EAI_NONAME", "EAI_AGAIN"))
		}
		why := "glibc resolv/res_send.c __res_context_send asks one server after another; send_dg waits (retrans << ns) / nscount s for server ns > 0 (5 s for the first), skips to the next on a timeout or SERVFAIL and takes NXDOMAIN as final"
		if l.rotate {
			why += "; with rotate nameserver_offset starts each process at a random server (random_bits), so a fresh process's first lookup may start at any of them"
		}
		return alts, why
	case "go":
		// dnsclient_unix.go tryOneName: "for i := 0; i < cfg.attempts;
		// i++ { for j := uint32(0); j < sLen; j++ { server :=
		// cfg.servers[(serverOffset+j)%sLen]", each exchange with
		// cfg.timeout (5 s); an error or SERVFAIL goes on to the next,
		// errNoSuchHost returns at once ("trying another server won't
		// help"). A and AAAA are two tryOneName calls side by side; with
		// rotate each takes the next serverOffset (dnsconfig.go, "return
		// 0 to start"): one of the two starts at the first server, the
		// other at the second, and the lookup waits for the slower.
		timeout := func(int) float64 { return 5000 }
		if !l.rotate {
			return []nsAlt{walkServers(l, 0, 2, timeout, "not-found", "timeout")},
				"Go dnsclient_unix.go tryOneName asks one server after another, cfg.timeout (5 s) each; SERVFAIL or a timeout go on to the next, NXDOMAIN is final"
		}
		a, b := walkServers(l, 0, 2, timeout, "not-found", "timeout"), walkServers(l, 1, 2, timeout, "not-found", "timeout")
		alt := nsAlt{Result: "both", DelayMs: max(a.DelayMs, b.DelayMs), Servers: union(a.Servers, b.Servers)}
		if a.Result == "fail" && b.Result == "fail" {
			alt.Result, alt.Code = "fail", a.Code
		}
		return []nsAlt{alt}, "Go dnsclient_unix.go tryOneName with rotate: A and AAAA each take the next serverOffset (0, then 1), so one starts at the first server and the lookup waits for it"
	}
	return nil, "no prediction from source: measured only"
}

// walkServers is a sequential resolver's walk of a layout from offset:
// attempts rounds over the servers, wait(i) for a server i that never
// answers; nx and dead are the error codes for NXDOMAIN and no answer.
func walkServers(l nsLayout, offset, attempts int, wait func(i int) float64, nx, dead string) nsAlt {
	n := len(l.servers)
	t := 0.0
	asked := map[int]bool{}
	for range attempts {
		for j := range n {
			i := (offset + j) % n
			asked[i+1] = true
			ms, k := nsAnswer(l.servers[i])
			switch {
			case ms < 0:
				t += wait(i)
			case k == "servfail":
			case k == "nxdomain":
				return nsAlt{Result: "fail", Code: nx, DelayMs: t + ms, Servers: keys(asked)}
			default:
				return nsAlt{Result: "both", DelayMs: t + ms, Servers: keys(asked)}
			}
		}
	}
	return nsAlt{Result: "fail", Code: dead, DelayMs: t, Servers: keys(asked)}
}

func keys(m map[int]bool) []int {
	var out []int
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func union(a, b []int) []int {
	m := map[int]bool{}
	for _, x := range append(slices.Clone(a), b...) {
		m[x] = true
	}
	return keys(m)
}

// startNameservers starts the extra servers the nameservers cells need,
// the lab's server being the first: each its own dnsfaker with its own
// rules, one rule per cell name.
func (rg *rig) startNameservers(ctx context.Context, fakerIm images.Image, cells []cell) error {
	extra := 0
	for _, c := range cells {
		if c.preset != nil && c.preset.layout != nil {
			extra = max(extra, len(c.preset.layout.servers)-1)
		}
	}
	for i := 1; i <= extra; i++ {
		var rules strings.Builder
		fmt.Fprintf(&rules, "# nameserver %d of the nameservers cells: each cell's name gets its fault here\n", i+1)
		for _, c := range cells {
			if c.preset != nil && c.preset.layout != nil && i < len(c.preset.layout.servers) {
				fmt.Fprintf(&rules, "%s %s\n", c.name, nsWords[c.preset.layout.servers[i]])
			}
		}
		path, err := writeTemp(rg.dir, fmt.Sprintf("rules-ns%d.conf", i+1), rules.String())
		if err != nil {
			return err
		}
		f, err := run.Start(ctx, rg.env.Engine, run.Spec{
			Image: fakerIm.Ref, Lab: "dns", Network: rg.network.Name, Aliases: []string{fmt.Sprintf("dnsfaker-%d", i+1)},
			Cmd:        []string{"--listen", "0.0.0.0:53", "--rules", "/rules.conf"},
			Binds:      []run.Bind{{Host: path, Container: "/rules.conf"}},
			Privileges: run.Privileges{CapAdd: []string{"NET_BIND_SERVICE"}, ReadOnly: true},
		})
		if f != nil {
			rg.nsFakers = append(rg.nsFakers, f)
		}
		if err != nil {
			return fmt.Errorf("dns: start nameserver %d: %w", i+1, err)
		}
		ip, err := f.IP(ctx, rg.network.Name)
		if err != nil {
			return err
		}
		if err := f.WaitLog(ctx, "serving", 30*time.Second); err != nil {
			return fmt.Errorf("dns: nameserver %d: %w", i+1, err)
		}
		rg.nsIPs = append(rg.nsIPs, ip)
	}
	return nil
}

// readNameserverLogs reads the extra servers' logs after the cells, as
// serverLog reads the first's.
func (rg *rig) readNameserverLogs(ctx context.Context) error {
	for i, f := range rg.nsFakers {
		m, err := readLog(ctx, f)
		if err != nil {
			return fmt.Errorf("dns: nameserver %d: %w", i+2, err)
		}
		rg.nsLogs = append(rg.nsLogs, m)
	}
	return nil
}

// serverEntries are a preset cell's entries per server, the lab's first.
func (rg *rig) serverEntries(first map[string][]dnsfaker.Entry, name string) [][]dnsfaker.Entry {
	out := [][]dnsfaker.Entry{first[name]}
	for _, m := range rg.nsLogs {
		out = append(out, m[name])
	}
	return out
}
