package dns

import (
	"fmt"
	"strconv"
	"strings"
)

// expect is what a resolver's source predicts for one lookup in a fresh
// process (each try of a cell runs a new probe process: glibc remembers a
// stall per thread, so a long-lived process shows only its first one).
//
// The model and its citations are in resolver-notes.md; each rule below
// names the function it comes from. Delays are the timer values in
// the source (timeout, timeout/attempts); the tolerance is a measured upper
// bound on scheduling and exec noise on the 2-core machine the lab runs on
// (stalls repeated within 60 ms there; 400 ms leaves room under load).
type expect struct {
	// Result is "both", "a-only" or "fail" (with Code, the EAI_* word or
	// Go's error kind); "" when the source does not settle it.
	Result string
	Code   string
	// DelayMs is the predicted duration of one lookup; 0 means "fast"
	// (round trips only).
	DelayMs float64
	// Known is false where the model has no prediction: the cell is
	// recorded and explained, not asserted.
	Known bool
	// Why cites the source.
	Why string
	// Addrs is the number of addresses one lookup returns, where the
	// source settles it (0: not predicted); AddrsFromUDP says instead that
	// the resolver keeps exactly the records of its truncated UDP answers,
	// whose count the server's log gives.
	Addrs        int
	AddrsFromUDP bool
	// Names are the names a search cell's lookup asks, in order, and
	// Queries how many queries that is (0: not predicted).
	Names   []string
	Queries int
}

// muslMaxAddrs is MAXADDRS (src/network/lookup.h): musl's lookup keeps at
// most 48 addresses, whatever the answers hold.
const muslMaxAddrs = 48

// bigSet is how many A and how many AAAA records dnsfaker's truncate and
// tcponly answer with (dnsfaker/answer.go truncateRecords).
const bigSet = 40

const (
	// fastMs bounds the median of a cell whose lookups wait on no timer
	// on a quiet machine: round trips on a bridge network, measured at
	// 1–20 ms, with medians up to ~310 ms when 225 cells start at once on
	// two cores. The shortest timer in the matrix is musl's 500 ms retry
	// interval (timeout:1 attempts:2), which cannot fire early, so 400 ms
	// separates the two. Tests of a quiet run use it; a cell's verdict is
	// set by its resolver's shortest timer and the run's own noise floor
	// instead (floor.go), so that a loaded machine makes a cell
	// inconclusive, never a stall.
	fastMs = 400.0
	// loadStallMs marks a stalled lookup under load: above the ~600 ms of
	// scheduling delay measured with 300+ concurrent lookups, below the
	// smallest default timer (musl's 2.5 s retry interval).
	loadStallMs = 1000.0
	// stallTolMs is the tolerance around a predicted timer.
	stallTolMs = 400.0
)

// resolvConf is the part of resolv.conf's options a resolver reads.
type resolvConf struct {
	timeout, attempts            float64
	singleRequest, reopen, useVC bool
}

func parseResolvOptions(opts string) resolvConf {
	rc := resolvConf{timeout: 5, attempts: 2} // RES_TIMEOUT, RES_DFLRETRY; musl and Go use the same defaults
	for _, w := range strings.Fields(opts) {
		switch {
		case w == "single-request":
			rc.singleRequest = true
		case w == "single-request-reopen":
			rc.reopen = true
		case w == "use-vc":
			rc.useVC = true
		case strings.HasPrefix(w, "timeout:"):
			if n, err := strconv.Atoi(strings.TrimPrefix(w, "timeout:")); err == nil {
				rc.timeout = float64(n)
			}
		case strings.HasPrefix(w, "attempts:"):
			if n, err := strconv.Atoi(strings.TrimPrefix(w, "attempts:")); err == nil {
				rc.attempts = float64(n)
			}
		}
	}
	return rc
}

// predict is the lab's expected value for a cell; libc is the base's C
// library and version (musl-1.2.3, musl-1.2.5 ...), which decides musl's
// handling of truncated answers.
func predict(resolver, libc, fault, options, flags string) expect {
	rc := parseResolvOptions(options)
	// AI_V4MAPPED changes nothing for an AF_UNSPEC lookup (the probe's):
	// glibc getaddrinfo.c and musl lookup_name.c map IPv4 answers only when
	// the family asked is AF_INET6, so v4mapped-addrconfig is addrconfig.
	addrconfig := flags == "addrconfig" || flags == "v4mapped-addrconfig"
	if resolver == "musl" && sizeFault(fault) || resolver == "musl" && fault == "truncate" {
		return predictMuslSize(libc, fault, addrconfig)
	}
	if addrconfig && (resolver == "glibc" || resolver == "musl") {
		// A container on a Docker network without IPv6 has no IPv6
		// address at all, not even ::1 (/proc/net/if_inet6 is empty).
		// glibc sysdeps/posix/getaddrinfo.c (__check_pf) then asks for
		// AF_INET only; musl src/network/getaddrinfo.c tests that a UDP
		// socket can connect to ::1, which fails: also A only. One query,
		// nothing to race or lose.
		switch fault {
		case "ok", "race", "timeout:AAAA", "servfail:AAAA", "refused:AAAA", "truncate", "tcponly", "cname":
			return expect{Result: "a-only", Known: true,
				Why: resolver + " getaddrinfo: AI_ADDRCONFIG in a container without IPv6 sends no AAAA query"}
		}
	}
	switch resolver {
	case "musl":
		return predictMusl(fault, rc)
	case "glibc":
		return predictGlibc(fault, rc)
	case "go":
		return predictGo(fault, rc)
	}
	return expect{}
}

// predictMusl: musl 1.2.3 reads only ndots, attempts and timeout
// (src/network/resolvconf.c __get_resolv_conf); single-request, -reopen and
// use-vc are ignored, and it has no TCP at all.
func predictMusl(fault string, rc resolvConf) expect {
	switch fault {
	case "ok":
		return expect{Result: "both", Known: true, Why: "musl lookup_name.c name_from_dns: A and AAAA answered"}
	case "race":
		return expect{Result: "both", DelayMs: 1000 * rc.timeout / rc.attempts, Known: true,
			Why: "musl res_msend.c __res_msend_rc: resends only the unanswered query every timeout/attempts (retry_interval); options single-request/use-vc are not parsed"}
	case "timeout:AAAA":
		return expect{Result: "fail", Code: "EAI_AGAIN", DelayMs: 1000 * rc.timeout, Known: true,
			Why: "musl __res_msend_rc gives up after timeout; name_from_dns discards the A answer when the AAAA has none: EAI_AGAIN"}
	case "servfail:AAAA", "refused:AAAA":
		return expect{Result: "fail", Code: "EAI_AGAIN", DelayMs: 1000 * rc.timeout, Known: true,
			Why: "musl __res_msend_rc retries SERVFAIL/REFUSED until timeout; name_from_dns returns EAI_AGAIN for rcode 2 and drops the A answer"}
	}
	return expect{Why: "no prediction from source: measured only"}
}

// muslTCPFallback reports whether a musl version retries a truncated UDP
// answer over TCP: 1.2.4 and later (src/network/res_msend.c
// __res_msend_rc, "If answer is truncated (TC bit), fallback to TCP",
// commit 51d4669f). Unknown versions are taken as current.
func muslTCPFallback(libc string) bool {
	v := strings.TrimPrefix(libc, "musl-")
	var maj, min, patch int
	if _, err := fmt.Sscanf(v, "%d.%d.%d", &maj, &min, &patch); err != nil {
		return true
	}
	return maj > 1 || maj == 1 && (min > 2 || min == 2 && patch >= 4)
}

// predictMuslSize: how each musl takes an answer too big for 512 bytes.
//
//   - 1.2.3 (src/network/res_msend.c at v1.2.3) reads UDP only, into a
//     512-byte buffer (lookup_name.c name_from_dns, abuf[2][512]), and
//     accepts a TC answer as it is; name_from_dns keeps the address
//     records it holds and, with none in either answer, returns
//     EAI_NONAME ("if (ctx.cnt) return ctx.cnt; return EAI_NONAME").
//   - 1.2.5 retries over TCP on TC (res_msend.c __res_msend_rc) into a
//     4800-byte buffer (lookup_name.c ABUF_SIZE, raised from 768 in
//     a4ecaf89 for chained CNAMEs), parses the AAAA answer first
//     ("for (i=nq-1; i>=0; i--)") and stops adding at MAXADDRS
//     (dns_parse_callback "if (ctx->cnt >= MAXADDRS) return 0").
//
// aOnly is AI_ADDRCONFIG without IPv6: one A query (see predict).
func predictMuslSize(libc, fault string, aOnly bool) expect {
	both, n := "both", 2*bigSet
	if aOnly {
		both, n = "a-only", bigSet
	}
	tcp := muslTCPFallback(libc)
	ver := strings.TrimPrefix(libc, "musl-")
	switch {
	case fault == "truncate" && tcp:
		return expect{Result: both, Known: true, Addrs: min(n, muslMaxAddrs),
			Why: "musl " + ver + " res_msend.c __res_msend_rc: TC → the query again over TCP; name_from_dns parses AAAA first and keeps MAXADDRS (48) addresses"}
	case fault == "truncate":
		return expect{Result: both, Known: true, AddrsFromUDP: true,
			Why: "musl " + ver + " has no TCP fallback (added in 1.2.4): name_from_dns keeps the address records that fit in the truncated 512-byte UDP answers"}
	case fault == "tcponly" && tcp:
		return expect{Result: both, Known: true, Addrs: min(n, muslMaxAddrs),
			Why: "musl " + ver + " __res_msend_rc: TC → TCP, which holds the whole set; AAAA first, capped at MAXADDRS (48)"}
	case fault == "tcponly":
		return expect{Result: "fail", Code: "EAI_NONAME", Known: true,
			Why: "musl " + ver + " takes the empty TC answer as final (no TCP before 1.2.4): name_from_dns finds no address and returns EAI_NONAME"}
	case sizeFault(fault) && tcp:
		a := 2
		if aOnly {
			a = 1
		}
		return expect{Result: both, Known: true, Addrs: a,
			Why: "musl " + ver + " __res_msend_rc: TC → TCP; the ~800-byte chain fits ABUF_SIZE 4800 (768 in 1.2.4 cut it)"}
	case sizeFault(fault):
		return expect{Result: "fail", Code: "EAI_NONAME", Known: true,
			Why: "musl " + ver + ": the UDP answer cut at 512 bytes holds CNAMEs but not the address at the chain's end, and there is no TCP retry before 1.2.4: EAI_NONAME"}
	}
	return expect{Why: "no prediction from source: measured only"}
}

// predictGlibc: glibc 2.36 resolv/res_send.c send_dg sends A and AAAA with
// one sendmmsg; after a timeout with one answer it retries in single-request
// mode, then single-request-reopen mode, then returns the half it has.
func predictGlibc(fault string, rc resolvConf) expect {
	t := 1000 * rc.timeout
	switch fault {
	case "ok":
		return expect{Result: "both", Known: true, Why: "glibc send_dg: both answered"}
	case "race":
		switch {
		case rc.useVC:
			return expect{Result: "both", Known: true, Why: "glibc use-vc: both queries over one TCP connection (send_vc); the lost-second-of-a-pair fault is a UDP (conntrack) one"}
		case rc.singleRequest || rc.reopen:
			return expect{Result: "both", Known: true, Why: "glibc send_dg single_request: AAAA leaves only after A's answer, so there is never a second outstanding query"}
		}
		return expect{Result: "both", DelayMs: t, Known: true,
			Why: "glibc send_dg: waits the full timeout (statp->retrans), then sets RES_F_SNGLKUP and resends A then AAAA; attempts does not shorten it"}
	case "timeout:AAAA":
		switch {
		case rc.useVC:
			return expect{Known: false, Why: "glibc send_vc with an unanswered AAAA: measured only"}
		case rc.reopen:
			return expect{Result: "a-only", DelayMs: t, Known: true, Why: "glibc send_dg: in reopen mode one timeout, then returns the A answer (*resplen2 = 1)"}
		case rc.singleRequest:
			return expect{Result: "a-only", DelayMs: 2 * t, Known: true, Why: "glibc send_dg: single-request timeout, then reopen-mode timeout, then the A answer"}
		}
		return expect{Result: "a-only", DelayMs: 3 * t, Known: true,
			Why: "glibc send_dg: timeout in parallel mode, again in single-request mode, again in reopen mode (3 × timeout), then returns the A answer"}
	case "servfail:AAAA", "refused:AAAA":
		return expect{Result: "a-only", Known: true,
			Why: "glibc nss_dns/dns-host.c gaih_getanswer: a failed second reply still lets the first one through"}
	case "truncate", "tcponly", "cname":
		return expect{Result: "both", Known: true, Why: "glibc send_dg: TC bit → the query is redone over TCP (send_vc)"}
	}
	return expect{Why: "no prediction from source: measured only"}
}

// predictGo: Go 1.26 src/net/dnsclient_unix.go goLookupIPCNAMEOrder sends
// A and AAAA from separate sockets; dnsconfig_unix.go reads single-request
// (sequential), use-vc (TCP), timeout and attempts.
func predictGo(fault string, rc resolvConf) expect {
	t := 1000 * rc.timeout
	switch fault {
	case "ok":
		return expect{Result: "both", Known: true, Why: "Go: both answered"}
	case "race":
		return expect{Result: "both", Known: true,
			Why: "Go dnsclient_unix.go exchange: each query dials its own socket, so no second query is ever outstanding on one source port"}
	case "timeout:AAAA":
		return expect{Result: "a-only", DelayMs: rc.attempts * t, Known: true,
			Why: "Go tryOneName: attempts × timeout for the AAAA, then the A answer alone"}
	case "servfail:AAAA", "refused:AAAA":
		return expect{Result: "a-only", Known: true, Why: "Go goLookupIPCNAMEOrder: a failed AAAA leaves the A answer"}
	case "truncate", "tcponly":
		return expect{Result: "both", Known: true, Why: "Go exchange: TC bit → retry over TCP"}
	case "cname":
		return expect{Result: "both", Known: true, Addrs: 2,
			Why: "Go sends EDNS0 with a 1232-byte buffer (dnsclient_unix.go newRequest), which the ~800-byte chain fits; goLookupIPCNAMEOrder takes the address at the chain's end"}
	}
	return expect{Why: "no prediction from source: measured only"}
}

// seconds estimates a cell's wall time, for --short.
func (e expect) seconds(tries int) float64 {
	d := e.DelayMs
	if !e.Known && d == 0 {
		d = 5000 // unknown: assume one default timeout
	}
	return float64(tries) * (d/1000 + 0.2)
}

// FastMs is the lab's line between a lookup that waited on no timer and a
// stalled one (fastMs), for graders that judge a stall the way the lab does.
const FastMs = fastMs

// Predict is the lab's expectation for one lookup under fault with a
// resolv.conf options line, for a C library as read from an image
// ("musl-1.2.5", "glibc-2.36"; getaddrinfo without hints): the delay and the
// source that gives it. known is false for a resolver the lab has no model
// of.
func Predict(libc, fault, options string) (delayMs float64, why string, known bool) {
	e := predict(libcResolver(libc), libc, fault, options, "none")
	return e.DelayMs, e.Why, e.Known
}

// libcResolver is the resolver the lab models for a C library as read from
// an image: musl or glibc, "" for any other.
func libcResolver(libc string) string {
	switch {
	case strings.HasPrefix(libc, "musl"):
		return "musl"
	case strings.HasPrefix(libc, "glibc"):
		return "glibc"
	}
	return ""
}

// userExpect is e for a user's command (Config.Libc): the source's timing,
// and only whether the lookup works — the command reports an exit status,
// not the families it got, their addresses or an EAI code.
func userExpect(e expect) expect {
	if e.Result != "" && e.Result != "fail" {
		e.Result = "ok"
	}
	e.Code, e.Addrs, e.AddrsFromUDP = "", 0, false
	return e
}

func countIf(ms []float64, f func(float64) bool) int {
	n := 0
	for _, m := range ms {
		if f(m) {
			n++
		}
	}
	return n
}
