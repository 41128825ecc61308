package dns

import (
	"fmt"
	"slices"

	"github.com/baselab/baselab/dnsfaker"
)

// A musl lookup asks again only for what has no answer: res_msend.c
// __res_msend_rc (v1.2.5 and v1.2.3 alike) resends query i every
// retry_interval only "if (!alens[i])", and alens[i] is set by the first
// answer with rcode 0 or 3. So when the server's log shows a musl socket
// asking again for a question the server had already answered, that
// answer did not reach the resolver in time: the server (descheduled on a
// loaded machine) or the lab's network was late. Under race this matters:
// the late answer makes musl resend both queries of the pair back to back,
// the pair races again, and the lookup fails after the timeout — a fault
// of the lab's delivery, not a behaviour of the resolver (measured: 1 of 5
// lookups of alpine/race/timeout:1+attempts:2, in 2 of 5 CI runs of the
// whole suite, EAI_AGAIN after 1061 ms).
//
// Such a lookup is the lab's noise: it is counted in lab_late, kept out of
// the cell's class, timings and failures, and named in the evidence. The
// test still sees it: a cell whose lookups are all late has no verdict.

// measuredLookups splits a cell's lookups into those that measured the
// resolver and why each of the others met a late answer.
func measuredLookups(c cell, ls []probeLine, entries []dnsfaker.Entry) ([]probeLine, []string) {
	if c.user {
		return ls, nil
	}
	var measured []probeLine
	var late []string
	for i, p := range ls {
		w := entries
		if c.sideBySide() {
			w = ofName(entries, p.Name)
		}
		w = window(w, p)
		why := lateServer(w)
		if why == "" && c.resolver == "musl" {
			why = lateAnswer(w)
		}
		if why == "" {
			why = missedFault(c, w)
		}
		if why != "" {
			late = append(late, fmt.Sprintf("lookup %d: %s", i+1, why))
			continue
		}
		measured = append(measured, p)
	}
	return measured, late
}

// missedFault returns why a lookup's window shows that race never fired
// where the prediction rests on it: the cell's resolver sends its pair from
// one socket (a predicted stall), yet no query was lost. The pair then
// reached the server more than race's window apart — the server's read
// loop descheduled between them on a loaded machine — and the lookup
// measured the resolver without the fault.
func missedFault(c cell, w []dnsfaker.Entry) string {
	if c.fault != "race" || !c.expect.Known || c.expect.DelayMs == 0 || len(w) == 0 {
		return ""
	}
	for _, e := range w {
		if e.Action == dnsfaker.ActionDropped {
			return ""
		}
	}
	return fmt.Sprintf("the race fault never fired: the server lost none of the lookup's %d queries (its pair reached the server more than race's window apart)", len(w))
}

// lateServer returns why a lookup's window holds an answer the server
// itself sent late by the lab's fast/stall line or more (dnsfaker's
// late_us): that much of the server's own time would turn a fast lookup
// into a stall, whatever the resolver did.
func lateServer(w []dnsfaker.Entry) string {
	for _, e := range w {
		if e.LateUS >= int64(fastMs*1000) {
			return fmt.Sprintf("the server sent its answer to %s from %s %.0f ms after it was due (late_us), past the %.0f ms fast/stall line",
				e.QType, e.Src, float64(e.LateUS)/1000, fastMs)
		}
	}
	return ""
}

// lateAnswer returns why a musl lookup's window shows an answer that did
// not reach the resolver in time, or "" when it shows none.
func lateAnswer(w []dnsfaker.Entry) string {
	// The log is in the order entries were written, and a held answer is
	// written when it leaves: arrival order is the queries' own.
	w = slices.Clone(w)
	slices.SortStableFunc(w, func(a, b dnsfaker.Entry) int { return int(a.TimeUS - b.TimeUS) })
	type q struct{ src, name, qtype string }
	answered := map[q]dnsfaker.Entry{}
	for _, e := range w {
		if e.Transport != "udp" {
			continue
		}
		k := q{e.Src, e.Name, e.QType}
		if first, ok := answered[k]; ok {
			return fmt.Sprintf("the server answered %s from %s at %s (held %d ms) and the resolver asked again %.0f ms after it arrived: the answer reached it late",
				e.QType, e.Src, first.Time.Format("15:04:05.000"), first.DelayUS/1000, float64(e.TimeUS-first.TimeUS)/1000)
		}
		if accepted(e.Action) {
			answered[k] = e
		}
	}
	return ""
}

// accepted reports whether musl's res_msend.c takes the reply as final:
// rcode 0 (with or without records) or 3. A truncated reply is not here:
// 1.2.4 and later redo it over TCP.
func accepted(a dnsfaker.Action) bool {
	switch a {
	case dnsfaker.ActionAnswered, dnsfaker.ActionDelayed, dnsfaker.ActionNoData, dnsfaker.ActionNXDomain:
		return true
	}
	return false
}
