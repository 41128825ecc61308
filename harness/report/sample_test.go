package report

import (
	"fmt"
	"time"

	"github.com/baselab/baselab/harness/record"
)

// Test data, not measurements: records shaped like the labs write them, with
// values of the size the DNS lab's notes (labs/dns-resolver-notes.md)
// measured on the probes — musl resends after 2.5 s, glibc waits 5 s once,
// Go is not hit. Every image name says "testdata".

var t0 = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

type testBase struct {
	key, libc string
	standin   bool
}

var (
	tAlpine     = testBase{"alpine", "musl-1.2.3", true}
	tSlim       = testBase{"slim", "glibc-2.36", true}
	tStatic     = testBase{"distroless-static", "none", true}
	tRegistry   = testBase{"python-slim", "glibc-2.36", false}
	tScratch    = testBase{"scratch", "none", true}
	resolverFor = map[string]string{"alpine": "musl", "slim": "glibc", "distroless-static": "go"}
)

func rec(lab, variant string, b testBase, outcome string, ms ...float64) record.Record {
	r := record.Record{
		Lab: lab, Variant: variant, Base: b.key, Standin: b.standin, Libc: b.libc, Started: t0,
		Image: fmt.Sprintf("baselab/%s:testdata@sha256:%064x", b.key, len(variant)*7919+len(b.key)),
		Tries: len(ms), OK: len(ms), Outcome: outcome,
		Detail: "test data for the report's tests",
	}
	r.Timings(ms)
	return r
}

func ev(t float64, port int, qtype, action string) map[string]any {
	return map[string]any{"t_ms": t, "port": port, "transport": "udp", "qtype": qtype, "action": action}
}

func dnsRec(b testBase, fault, opts, flags, outcome string, timeline []map[string]any, ms ...float64) record.Record {
	slug := "none"
	if opts != "" {
		slug = opts
	}
	r := rec("dns", fmt.Sprintf("%s/%s/%s/%s", b.key, fault, replaceSpaces(slug), flags), b, outcome, ms...)
	r.Set("resolver", resolverFor[b.key])
	r.Set("fault", fault)
	r.Set("options", opts)
	r.Set("flags", flags)
	r.Set("a_only", 0)
	r.Set("queries", 2*len(ms))
	r.Set("ports", len(ms))
	if timeline != nil {
		r.Set("timeline", timeline)
	}
	return r
}

func replaceSpaces(s string) string {
	out := []byte(s)
	for i := range out {
		if out[i] == ' ' {
			out[i] = '+'
		}
	}
	return string(out)
}

// sampleRecords is a results file with every lab the report draws.
func sampleRecords() []record.Record {
	muslRace := []map[string]any{ev(0.05, 41000, "A", "answered"), ev(0.06, 41000, "AAAA", "dropped"), ev(2500.3, 41000, "AAAA", "answered")}
	glibcRace := []map[string]any{ev(0.08, 52000, "A", "answered"), ev(0.09, 52000, "AAAA", "dropped"),
		ev(5001.2, 52000, "A", "answered"), ev(5046.0, 52000, "AAAA", "answered")}
	goRace := []map[string]any{ev(0.2, 33001, "A", "answered"), ev(0.21, 33002, "AAAA", "answered")}
	rs := []record.Record{
		dnsRec(tAlpine, "ok", "", "none", "both-fast", nil, 0.4, 0.5, 0.5, 0.6, 0.7),
		dnsRec(tAlpine, "race", "", "none", "both-stall", muslRace, 2522, 2523, 2523, 2522, 2523),
		dnsRec(tAlpine, "race", "single-request", "none", "both-stall", nil, 2522, 2523, 2523, 2523, 2523),
		dnsRec(tAlpine, "race", "timeout:1 attempts:2", "none", "both-stall", nil, 502, 503, 503, 501, 503),
		dnsRec(tSlim, "ok", "", "none", "both-fast", nil, 0.5, 0.6, 0.6, 0.7, 0.8),
		dnsRec(tSlim, "race", "", "none", "both-stall", glibcRace, 5046, 41, 43, 42, 41),
		dnsRec(tSlim, "race", "single-request", "none", "both-fast", nil, 50.2, 50.3, 50.4, 50.1, 50.2),
		dnsRec(tSlim, "race", "", "addrconfig", "both-fast", nil, 0.4, 0.4, 0.5, 0.4, 0.4),
		dnsRec(tStatic, "ok", "", "none", "both-fast", nil, 0.3, 0.3, 0.4, 0.3, 0.3),
		dnsRec(tStatic, "race", "", "none", "both-fast", goRace, 22, 22, 21, 22, 22),
		dnsRec(tAlpine, "servfail:AAAA", "", "none", "fail-stall", nil, 5004, 5003, 5004, 5004, 5005),
		dnsRec(tSlim, "servfail:AAAA", "", "none", "a-only-fast", nil, 0.6, 0.7, 0.6, 0.6, 0.7),
	}
	for _, c := range []struct {
		b             testBase
		clients       int
		p50, p95, p99 float64
	}{
		{tAlpine, 1, 0.5, 2501, 2510}, {tAlpine, 8, 0.6, 2503, 2525}, {tAlpine, 32, 0.9, 2508, 5010},
		{tSlim, 1, 0.5, 0.9, 5001}, {tSlim, 8, 0.6, 1.2, 5003}, {tSlim, 32, 1.1, 3.4, 5006},
	} {
		r := rec("dns", fmt.Sprintf("load/%s/c%d", c.b.key, c.clients), c.b, "intermittent", c.p50, c.p95)
		r.P50ms, r.P95ms = &c.p50, &c.p95
		r.Tries, r.OK = 100*c.clients, 100*c.clients
		r.Set("resolver", resolverFor[c.b.key])
		r.Set("clients", c.clients)
		r.Set("probability", 0.1)
		r.Set("p99_ms", c.p99)
		rs = append(rs, r)
	}
	w := rec("wheel", "glibc-wheel/python-alpine", testBase{"python-alpine", "musl-1.2.3", true}, "segfault", 41)
	w.OK, w.Failed, w.Evidence = 0, 1, "signal SIGSEGV (exit 139)"
	rs = append(rs, w, rec("wheel", "glibc-wheel/python-slim", tRegistry, "works", 38))
	sc := rec("scratch", "no-ca-bundle", tScratch, "x509-unknown-authority", 12)
	sc.OK, sc.Failed, sc.Evidence = 0, 1, "tls: failed to verify certificate: x509: certificate signed by unknown authority"
	rs = append(rs, sc, rec("scratch", "ca-bundle", tScratch, "works", 14))
	course := map[string]float64{"alpine": 7e6, "slim": 74e6, "distroless-static": 2e6, "scratch": 0}
	for _, s := range []struct {
		b                 testBase
		size, comp, start float64
		layers            int
	}{{tAlpine, 3.1e6, 1.5e6, 310, 2}, {tSlim, 78.2e6, 28.5e6, 290, 1}, {tStatic, 2.3e6, 0.6e6, 280, 1}, {tScratch, 0, 0, 270, 0}} {
		b := rec("size", "base/"+s.b.key, s.b, "measured")
		b.Set("size_bytes", s.size)
		b.Set("compressed_bytes", s.comp)
		b.Set("layers", s.layers)
		b.Set("start_ms", nil)
		b.Set("course_bytes", course[s.b.key])
		r := rec("size", "go/"+s.b.key, s.b, "serves", s.start)
		r.Set("size_bytes", s.size+6.4e6)
		r.Set("compressed_bytes", s.comp+3.1e6)
		r.Set("layers", s.layers+1)
		r.Set("start_ms", s.start)
		r.Set("course_bytes", nil)
		rs = append(rs, b, r)
	}
	for _, s := range []struct {
		b        testBase
		packages int
		shells   []string
		pm       string
		user     string
	}{{tAlpine, 14, []string{"/bin/sh", "/bin/ash"}, "apk", "root"}, {tSlim, 89, []string{"/bin/sh", "/bin/bash", "/bin/dash"}, "dpkg, apt", "root"},
		{tStatic, 4, nil, "", "root"}, {tScratch, 0, nil, "", ""}} {
		r := rec("surface", s.b.key, s.b, "shell+pm")
		r.Set("packages", s.packages)
		r.Set("shells", s.shells)
		r.Set("package_manager", s.pm)
		r.Set("setuid", []string{})
		r.Set("world_writable", []string{"/tmp"})
		r.Set("files", 100*s.packages+3)
		r.Set("user", s.user)
		r.Set("cves", nil)
		rs = append(rs, r)
	}
	return rs
}
