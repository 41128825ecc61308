package dns

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/baselab/baselab/dnsfaker"
	"github.com/baselab/baselab/harness/record"
	"github.com/baselab/baselab/labs/lab"
)

// The lab's own outcome words. A matrix cell's outcome is its lookups'
// class and speed, <class>-<speed>: both-stall, a-only-fast, fail-stall,
// mixed-fast ...; an under-load cell's is fast or intermittent.
const (
	outcomeFast         = "fast"
	outcomeStall        = "stall"
	outcomeIntermittent = "intermittent"
)

// cellRecord turns a cell's lookups and the server's view of them into the
// record, and compares both with what the resolver's source predicts.
func (rg *rig) cellRecord(c cell, res result, entries []dnsfaker.Entry) record.Record {
	r := record.Record{Lab: "dns", Variant: c.variant, Started: time.Now().UTC().Add(-res.wall)}
	if c.user {
		lab.Stamp(&r, rg.user)
		r.Base = rg.user.Ref
	} else {
		lab.Stamp(&r, rg.boxes[boxKey(c.base, c.options)].im)
		r.Base = string(c.base)
	}
	r.Set("resolver", c.resolver)
	r.Set("fault", c.fault)
	r.Set("options", c.options)
	r.Set("flags", c.flags)
	r.Set("name", c.name)
	r.Set("schedule", c.schedule())
	if res.libc != "" {
		r.Set("probe_libc", res.libc)
	}
	if c.user {
		userRecord(res.lookups, &r)
	}
	if c.inHosts {
		// How many runs asked the server for a name /etc/hosts has: a
		// files-first lookup asks nothing.
		asked := 0
		for _, p := range res.lookups {
			if len(window(entries, p)) > 0 {
				asked++
			}
		}
		r.Set("in_hosts", true)
		r.Set("asked_dns", asked)
	}
	classes := map[string]int{}
	var ms []float64
	aOnly := 0
	var slow probeLine
	var errText []string
	measured, late := measuredLookups(c, res.lookups, entries)
	for _, p := range measured {
		classes[p.class()]++
		ms = append(ms, p.Ms)
		if p.OK {
			r.OK++
		} else {
			r.Failed++
			if p.Err == "" {
				// A command that printed nothing on failing (getent).
				errText = append(errText, fmt.Sprintf("%s after %.0f ms", p.Code, p.Ms))
			} else {
				errText = append(errText, fmt.Sprintf("%s (%s) after %.0f ms", p.Err, p.Code, p.Ms))
			}
		}
		if p.class() == "a-only" {
			aOnly++
		}
		if p.Ms >= slow.Ms {
			slow = p
		}
	}
	// The slowest lookup's own queries: by its time window, and by its
	// name too where the cell's lookups ran at once (sideBySide).
	own := entries
	if c.sideBySide() {
		own = ofName(entries, slow.Name)
	}
	// Tries are the lookups made: an exec or container the lab could not
	// run is its own error (Errors), never a failed lookup.
	r.Tries = len(res.lookups)
	r.Timings(ms)
	if len(late) > 0 {
		r.Set("lab_late", len(late))
	}
	if c.sideBySide() {
		r.Set("lookup_starts_ms", startOffsets(res.lookups))
	}
	r.Set("a_only", aOnly)
	r.Set("queries", len(entries))
	r.Set("ports", ports(entries))
	if slow.StartWallUS != 0 {
		r.Set("timeline", timeline(window(own, slow), slow.StartWallUS))
	}
	class := majority(classes)
	// The fast/stall line and the run's noise floor: floor.go.
	line := stallLineMs(c.resolver, c.options)
	if c.preset != nil {
		// A nameservers or hosts cell waits on a server (slow: 1 s), not
		// only on the resolver's timers: its stall is the lab's fast line.
		line = fastMs
	}
	rg.noise.stamp(&r, line)
	r.Set("class", class)
	speed := rg.noise.speed(r.P50ms, line)
	switch {
	case len(res.lookups) == 0:
		r.Outcome = lab.Error
	case len(classes) == 0:
		// Every lookup measured the lab's delivery, none the resolver.
		r.Outcome = lab.Error
		r.AddError("every lookup met a late answer: " + strings.Join(late, "; "))
	case speed == lab.Inconclusive:
		r.Outcome = lab.Inconclusive
	default:
		r.Outcome = class + "-" + speed
	}
	switch {
	case len(errText) > 0:
		r.Evidence = strings.Join(uniq(errText), "; ")
	case slow.StartWallUS != 0 && c.user:
		r.Evidence = fmt.Sprintf("slowest run: %.1f ms, timed in the container; the server saw %d queries from %d source ports in it",
			slow.Ms, len(window(own, slow)), ports(window(own, slow)))
	case slow.StartWallUS != 0:
		r.Evidence = fmt.Sprintf("slowest lookup: %d A + %d AAAA in %.1f ms; %d queries from %d source ports",
			slow.A, slow.AAAA, slow.Ms, len(window(own, slow)), ports(window(own, slow)))
	}
	if speed == lab.Inconclusive && r.P50ms != nil {
		r.Evidence = strings.TrimSuffix(rg.noise.why(*r.P50ms, line)+"; "+r.Evidence, "; ")
	}
	var tried []string
	if c.form != "" {
		r.Set("form", c.form)
		r.Set("lookup_name", lookupName(c.name, c.form))
		r.Set("resolv_conf", resolvConfBody(c.options))
		tried = namesTried(window(own, slow))
		r.Set("names_tried", tried)
		if n := len(res.lookups); n > 0 {
			r.Set("queries_per_lookup", float64(len(entries))/float64(n))
		}
	}
	addrs, addrsSame := addressCount(measured)
	if addrs >= 0 && !c.user {
		r.Set("addresses", addrs)
	}
	e := c.expect
	if !e.Known && c.form != "" && len(e.Names) > 0 && len(res.lookups) > 0 {
		// The result is not predicted, but where the walk stops is.
		r.Set("predicted_names", e.Names)
	}
	if len(late) > 0 {
		r.Evidence = strings.TrimPrefix(r.Evidence+"; ", "; ") + "left out as the lab's noise, not the resolver's: " + strings.Join(late, "; ")
	}
	if e.Known && len(classes) > 0 && c.preset == nil {
		v := e.judge(class, codeOf(measured), ms, r.P50ms, line, rg.noise)
		// Inconclusive timing still lets the conclusive checks below
		// (addresses, names tried, queries) refute the cell.
		ok, why, inconclusive := v.ok || v.inconclusive, v.why, v.inconclusive
		if want, known := e.predictedAddrs(window(own, slow)); known {
			r.Set("predicted_addresses", want)
			switch {
			case !ok:
			case !addrsSame:
				ok, why = false, "the lookups returned different numbers of addresses"
			case addrs != want:
				ok, why = false, fmt.Sprintf("%d addresses, predicted %d", addrs, want)
			}
		}
		if c.form != "" {
			r.Set("predicted_names", e.Names)
			if ok && !slices.Equal(tried, e.Names) {
				ok, why = false, fmt.Sprintf("names tried %v, predicted %v", tried, e.Names)
			}
			if e.Queries > 0 {
				r.Set("predicted_queries", e.Queries)
				if got := float64(len(entries)) / float64(len(res.lookups)); ok && got != float64(e.Queries) {
					ok, why = false, fmt.Sprintf("%.1f queries per lookup, predicted %d", got, e.Queries)
				}
			}
		}
		r.Set("predicted", fmt.Sprintf("%s after ~%.0f ms", e.Result, e.DelayMs))
		r.Detail = e.Why
		switch {
		case ok && inconclusive:
			// No as_predicted: inside the noise the comparison is not
			// made, and a claim on it could not be measured.
			r.Detail = "INCONCLUSIVE against the source (" + why + "): " + e.Why
		default:
			r.Set("as_predicted", ok)
			if !ok {
				r.Detail = "NOT as the source predicts (" + why + "): " + e.Why
			}
		}
		if c.user {
			r.Detail += " (predicted for the image's " + c.resolver + " getaddrinfo, which your command is taken to call)"
		}
	} else {
		r.Detail = e.Why
		if c.user {
			r.Detail = "your image and probe; timings run from your command's first query to its exit, taken inside the container (startup_ms: what came before)"
		}
	}
	if note := courseNote(c, class, speed, own, slow); note != "" {
		r.Detail += ". " + note
	}
	for _, e := range res.errs {
		r.AddError(e)
	}
	return r
}

// userRecord says how a user's command was timed and keeps, per run, the
// command's own time (what p50_ms and the rest summarise), the
// container's whole run time (start included: an upper bound, never the
// lookup's time) and the last line the command printed.
func userRecord(ls []probeLine, r *record.Record) {
	run := make([]float64, 0, len(ls))
	command := make([]float64, 0, len(ls))
	startup := make([]float64, 0, len(ls))
	outputs := make([]string, 0, len(ls))
	for _, p := range ls {
		run = append(run, p.containerMs)
		command = append(command, p.startupMs+p.Ms)
		startup = append(startup, p.startupMs)
		outputs = append(outputs, truncate(p.stdout, 300))
	}
	r.Set("run_ms", run)
	r.Set("command_ms", command)
	r.Set("startup_ms", startup)
	r.Set("outputs", outputs)
	r.Set("timing", timingTimer)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// addressCount is how many addresses (A + AAAA) the cell's successful
// lookups returned, -1 when none succeeded; same is false when they did not
// all return the same number.
func addressCount(ls []probeLine) (n int, same bool) {
	n, same = -1, true
	for _, p := range ls {
		if !p.OK || p.user {
			continue
		}
		if n >= 0 && p.A+p.AAAA != n {
			same = false
		}
		n = max(n, p.A+p.AAAA)
	}
	return n, same
}

// predictedAddrs is the address count the source predicts for a lookup
// whose queries the server logged as w.
func (e expect) predictedAddrs(w []dnsfaker.Entry) (int, bool) {
	if e.AddrsFromUDP {
		// musl before 1.2.4 keeps what the truncated UDP answers held.
		n := 0
		for _, q := range w {
			if q.Transport == "udp" && q.Action == dnsfaker.ActionTruncated {
				n += q.Answers
			}
		}
		return min(n, muslMaxAddrs), len(w) > 0
	}
	if e.Result == "fail" {
		return 0, false
	}
	return e.Addrs, e.Addrs > 0
}

func codeOf(ls []probeLine) string {
	for _, p := range ls {
		if !p.OK {
			return p.Code
		}
	}
	return ""
}

// courseNote says where the course's claims meet this cell's measurement.
func courseNote(c cell, class, speed string, entries []dnsfaker.Entry, slow probeLine) string {
	if c.user {
		return ""
	}
	w := window(entries, slow)
	samePort := len(w) >= 2 && ports(w[:2]) == 1 && w[1].TimeUS-w[0].TimeUS < 5000 && w[0].Transport == "udp"
	switch {
	case c.resolver == "glibc" && c.fault == "race" && c.options == "" && speed == outcomeStall && samePort:
		return "Course claim refuted: glibc is not \"sequential\" — it sent A and AAAA back to back from one source port and stalled like musl would (longer, in fact)"
	case c.resolver == "musl" && c.fault == "race" && strings.Contains(c.options, "single-request") && speed == outcomeStall:
		return "Course fix refuted on musl: `options " + c.options + "` is not a musl option (musl parses only ndots, attempts, timeout) and the stall remains"
	case c.resolver == "glibc" && c.fault == "race" && c.options == "single-request" && speed == outcomeFast:
		return "Course fix confirmed on glibc: single-request sends AAAA only after A's answer"
	case c.resolver == "musl" && c.fault == "race" && strings.Contains(c.options, "timeout:1") && class == "both":
		return "What does shorten musl's stall: a retry interval of timeout/attempts"
	case c.resolver == "go" && c.fault == "race" && speed == outcomeFast:
		return "Go's resolver sends each query from its own socket: the parallel-query fault cannot hit it"
	case c.resolver == "musl" && (c.fault == "servfail:AAAA" || c.fault == "refused:AAAA" || c.fault == "timeout:AAAA") && class == "fail":
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
