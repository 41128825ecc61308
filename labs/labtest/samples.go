package labtest

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/harness/record"
	"github.com/baselab/baselab/harness/report"
	"github.com/stretchr/testify/require"
)

// Test data, not measurements: records shaped like the labs write them, with
// values of the size the DNS lab's notes (labs/dns/resolver-notes.md)
// measured on the probes — musl resends after 2.5 s, glibc waits 5 s once,
// Go is not hit. Every image name says "testdata".

var T0 = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

// Base is a test base: catalog key, libc, stand-in or not.
type Base struct {
	Key, Libc string
	Standin   bool
}

var (
	Alpine      = Base{"alpine", "musl-1.2.3", true}
	Slim        = Base{"slim", "glibc-2.36", true}
	Static      = Base{"distroless-static", "none", true}
	Registry    = Base{"python-slim", "glibc-2.36", false}
	Scratch     = Base{"scratch", "none", true}
	resolverFor = map[string]string{"alpine": "musl", "slim": "glibc", "distroless-static": "go"}
)

// Rec is a record of lab at variant on b, timed ms.
func Rec(lab, variant string, b Base, outcome string, ms ...float64) record.Record {
	r := record.Record{
		Lab: lab, Variant: variant, Base: b.Key, Standin: b.Standin, Libc: b.Libc, Started: T0,
		Image: fmt.Sprintf("baselab/%s:testdata@sha256:%064x", b.Key, len(variant)*7919+len(b.Key)),
		Tries: len(ms), OK: len(ms), Outcome: outcome,
		Detail: "test data for the report's tests",
	}
	if spec, err := images.Lookup(images.Key(b.Key)); err == nil && b.Standin {
		// What lab.Stamp writes for a stand-in of this key.
		for _, p := range spec.StandinLacks() {
			r.StandinLacks = append(r.StandinLacks, string(p))
		}
	}
	r.Timings(ms)
	return r
}

// Ev is one event of a DNS timeline.
func Ev(t float64, port int, qtype, action string) map[string]any {
	return map[string]any{"t_ms": t, "port": port, "transport": "udp", "qtype": qtype, "action": action}
}

// DNSRec is a DNS matrix cell's record.
func DNSRec(b Base, fault, opts, flags, outcome string, timeline []map[string]any, ms ...float64) record.Record {
	slug := "none"
	if opts != "" {
		slug = opts
	}
	r := Rec("dns", fmt.Sprintf("%s/%s/%s/%s", b.Key, fault, replaceSpaces(slug), flags), b, outcome, ms...)
	r.Set("resolver", resolverFor[b.Key])
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

// Samples is a results file with every lab the report draws.
func Samples() []record.Record {
	muslRace := []map[string]any{Ev(0.05, 41000, "A", "answered"), Ev(0.06, 41000, "AAAA", "dropped"), Ev(2500.3, 41000, "AAAA", "answered")}
	glibcRace := []map[string]any{Ev(0.08, 52000, "A", "answered"), Ev(0.09, 52000, "AAAA", "dropped"),
		Ev(5001.2, 52000, "A", "answered"), Ev(5046.0, 52000, "AAAA", "answered")}
	goRace := []map[string]any{Ev(0.2, 33001, "A", "answered"), Ev(0.21, 33002, "AAAA", "answered")}
	rs := []record.Record{
		DNSRec(Alpine, "ok", "", "none", "both-fast", nil, 0.4, 0.5, 0.5, 0.6, 0.7),
		DNSRec(Alpine, "race", "", "none", "both-stall", muslRace, 2522, 2523, 2523, 2522, 2523),
		DNSRec(Alpine, "race", "single-request", "none", "both-stall", nil, 2522, 2523, 2523, 2523, 2523),
		DNSRec(Alpine, "race", "timeout:1 attempts:2", "none", "both-stall", nil, 502, 503, 503, 501, 503),
		DNSRec(Slim, "ok", "", "none", "both-fast", nil, 0.5, 0.6, 0.6, 0.7, 0.8),
		DNSRec(Slim, "race", "", "none", "both-stall", glibcRace, 5046, 41, 43, 42, 41),
		DNSRec(Slim, "race", "single-request", "none", "both-fast", nil, 50.2, 50.3, 50.4, 50.1, 50.2),
		DNSRec(Slim, "race", "", "addrconfig", "both-fast", nil, 0.4, 0.4, 0.5, 0.4, 0.4),
		DNSRec(Static, "ok", "", "none", "both-fast", nil, 0.3, 0.3, 0.4, 0.3, 0.3),
		DNSRec(Static, "race", "", "none", "both-fast", goRace, 22, 22, 21, 22, 22),
		DNSRec(Alpine, "servfail:AAAA", "", "none", "fail-stall", nil, 5004, 5003, 5004, 5004, 5005),
		DNSRec(Slim, "servfail:AAAA", "", "none", "a-only-fast", nil, 0.6, 0.7, 0.6, 0.6, 0.7),
	}
	for _, c := range []struct {
		b             Base
		clients       int
		p50, p95, p99 float64
	}{
		{Alpine, 1, 0.5, 2501, 2510}, {Alpine, 8, 0.6, 2503, 2525}, {Alpine, 32, 0.9, 2508, 5010},
		{Slim, 1, 0.5, 0.9, 5001}, {Slim, 8, 0.6, 1.2, 5003}, {Slim, 32, 1.1, 3.4, 5006},
	} {
		r := Rec("dns", fmt.Sprintf("load/%s/c%d", c.b.Key, c.clients), c.b, "intermittent", c.p50, c.p95)
		r.P50ms, r.P95ms = &c.p50, &c.p95
		r.Tries, r.OK = 100*c.clients, 100*c.clients
		r.Set("resolver", resolverFor[c.b.Key])
		r.Set("clients", c.clients)
		r.Set("probability", 0.1)
		r.Set("p99_ms", c.p99)
		rs = append(rs, r)
	}
	w := Rec("wheel", "glibc-wheel/python-alpine", Base{"python-alpine", "musl-1.2.3", true}, "segfault", 41)
	w.OK, w.Failed, w.Evidence = 0, 1, "signal SIGSEGV (exit 139)"
	rs = append(rs, w, Rec("wheel", "glibc-wheel/python-slim", Registry, "works", 38))
	sc := Rec("scratch", "no-ca-bundle", Scratch, "x509-unknown-authority", 12)
	sc.OK, sc.Failed, sc.Evidence = 0, 1, "tls: failed to verify certificate: x509: certificate signed by unknown authority"
	rs = append(rs, sc, Rec("scratch", "ca-bundle", Scratch, "works", 14))
	course := map[string]float64{"alpine": 7e6, "slim": 74e6, "distroless-static": 2e6, "scratch": 0}
	for _, s := range []struct {
		b                 Base
		size, comp, start float64
		layers            int
	}{{Alpine, 3.1e6, 1.5e6, 310, 2}, {Slim, 78.2e6, 28.5e6, 290, 1}, {Static, 2.3e6, 0.6e6, 280, 1}, {Scratch, 0, 0, 270, 0}} {
		b := Rec("size", "base/"+s.b.Key, s.b, "measured")
		b.Set("size_bytes", s.size)
		b.Set("compressed_bytes", s.comp)
		b.Set("layers", s.layers)
		b.Set("start_ms", nil)
		b.Set("course_bytes", course[s.b.Key])
		r := Rec("size", "go/"+s.b.Key, s.b, "serves", s.start)
		r.Set("size_bytes", s.size+6.4e6)
		r.Set("compressed_bytes", s.comp+3.1e6)
		r.Set("layers", s.layers+1)
		r.Set("start_ms", s.start)
		r.Set("course_bytes", nil)
		rs = append(rs, b, r)
	}
	for _, s := range []struct {
		b        Base
		packages int
		shells   []string
		pm       string
		user     string
	}{{Alpine, 14, []string{"/bin/sh", "/bin/ash"}, "apk", "root"}, {Slim, 89, []string{"/bin/sh", "/bin/bash", "/bin/dash"}, "dpkg, apt", "root"},
		{Static, 4, nil, "", "root"}, {Scratch, 0, nil, "", ""}} {
		r := Rec("surface", s.b.Key, s.b, "shell+pm")
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

// SamplesOf is Samples of one lab.
func SamplesOf(lab string) []record.Record {
	var out []record.Record
	for _, r := range Samples() {
		if r.Lab == lab {
			out = append(out, r)
		}
	}
	return out
}

// RoundTrip writes records to a results file and reads them back, so a
// report test sees exactly what a lab run leaves on disk; it returns the
// folder and the records read.
func RoundTrip(tb testing.TB, rs []record.Record) (string, []record.Record) {
	tb.Helper()
	dir := tb.TempDir()
	w, err := record.Create(dir)
	require.NoError(tb, err)
	for _, r := range rs {
		require.NoError(tb, w.Write(r))
	}
	require.NoError(tb, w.Close())
	back, err := record.Read(dir)
	require.NoError(tb, err)
	return dir, back
}

// Render builds the report of rs with o and renders both pages.
func Render(tb testing.TB, rs []record.Record, o report.Options) (html, md string, rep *report.Report) {
	tb.Helper()
	rep, err := report.Build(rs, o)
	require.NoError(tb, err)
	var h, m bytes.Buffer
	require.NoError(tb, rep.WriteHTML(&h))
	require.NoError(tb, rep.WriteMarkdown(&m))
	return h.String(), m.String(), rep
}
