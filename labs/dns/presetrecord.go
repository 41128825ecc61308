package dns

import (
	"fmt"
	"slices"
	"strings"

	"github.com/baselab/baselab/dnsfaker"
	"github.com/baselab/baselab/harness/record"
	"github.com/baselab/baselab/labs/lab"
)

// serverEvent is one query of a preset cell's slowest lookup: which
// server (1-based, resolv.conf order) saw it, when, and what it did.
type serverEvent struct {
	TMs    float64 `json:"t_ms"`
	Server int     `json:"server"`
	QType  string  `json:"qtype"`
	Action string  `json:"action"`
}

// presetRecord completes a nameservers or hosts cell's record: the
// servers' view of it, the addresses returned and, lookup by lookup, the
// comparison with what the source allows (nsAlt).
func (rg *rig) presetRecord(c cell, res result, log map[string][]dnsfaker.Entry, r *record.Record) {
	p := c.preset
	per := rg.serverEntries(log, c.name)
	if p.layout != nil {
		per = per[:len(p.layout.servers)]
	} else {
		per = per[:1]
	}
	total := 0
	byServer := make([]int, len(per))
	for i, es := range per {
		total += len(es)
		byServer[i] = len(es)
	}
	r.Set("queries", total)
	body, _ := presetBody(c.options)
	r.Set("resolv_conf", rg.nameserverLines(c.options)+body)
	if p.layout != nil {
		r.Set("servers", p.layout.servers)
		r.Set("queries_by_server", byServer)
	} else {
		r.Set("nsswitch", hostsLine(c.base, p.nss))
		r.Set("predicted_source", p.source)
	}
	var alts []string
	for _, a := range p.alts {
		alts = append(alts, a.String())
	}
	r.Set("predicted", strings.Join(alts, " or "))

	ok, why, noisy := len(res.lookups) > 0, "", ""
	if !ok {
		why = "no lookups"
	}
	var slow probeLine
	for _, l := range res.lookups {
		if l.Ms >= slow.Ms {
			slow = l
		}
		got := nsAlt{Result: l.class(), Code: l.Code, Servers: asked(per, l)}
		switch {
		case slices.ContainsFunc(p.alts, func(a nsAlt) bool { return a.allows(got, l.Ms, 0) }):
		case slices.ContainsFunc(p.alts, func(a nsAlt) bool { return a.allows(got, l.Ms, rg.noise.floorMs) }):
			// Only its time is past what the source allows, by less
			// than this run's noise floor: as for every cell (floor.go
			// lookups), that is inconclusive, never refuted.
			if noisy == "" {
				noisy = fmt.Sprintf("inconclusive: lookup %d: %s %s in %.0f ms asking servers %v is past the predicted time by less than this run's noise floor %.0f ms (the slowest of %d lookups under ok)",
					l.Try, got.Result, got.Code, l.Ms, got.Servers, rg.noise.floorMs, rg.noise.lookups)
			}
		case ok:
			ok, why = false, fmt.Sprintf("lookup %d: %s %s in %.0f ms asking servers %v", l.Try, got.Result, got.Code, l.Ms, got.Servers)
		}
		if p.layout == nil && ok && l.OK && addrSource(l.Addrs) != p.source {
			ok, why = false, fmt.Sprintf("lookup %d: addresses %v are from %s, predicted %s", l.Try, l.Addrs, addrSource(l.Addrs), p.source)
		}
	}
	if slow.StartWallUS != 0 {
		r.Set("address_list", slow.Addrs)
		if src := addrSource(slow.Addrs); src != "" {
			r.Set("address_source", src)
		}
		var all []dnsfaker.Entry
		var events []serverEvent
		for i, es := range per {
			w := window(es, slow)
			all = append(all, w...)
			for _, e := range w {
				events = append(events, serverEvent{TMs: float64(e.TimeUS-slow.StartWallUS) / 1000, Server: i + 1, QType: e.QType, Action: string(e.Action)})
			}
		}
		slices.SortFunc(events, func(a, b serverEvent) int { return int(a.TMs*1000 - b.TMs*1000) })
		r.Set("server_timeline", events)
		r.Set("servers_asked", askedInOrder(events))
		r.Set("names_tried", namesTried(all))
	}
	r.Detail = c.expect.Why
	switch {
	case ok && noisy != "":
		// No as_predicted: inside the noise the comparison is not made
		// (classify.go does the same for the matrix's cells).
		r.Outcome = lab.Inconclusive
		r.Detail = "INCONCLUSIVE against the source (" + noisy + "): " + c.expect.Why
	default:
		r.Set("as_predicted", ok)
		if !ok {
			r.Detail = "NOT as the source predicts (" + why + "): " + c.expect.Why
		}
	}
}

// allows reports whether a measured lookup (class, code, servers asked,
// ms) is this alternative: timings as for every cell, fast below fastMs,
// a timer within stallTolMs of its value — each upper bound raised by
// noiseMs (0, or the run's noise floor: noise only adds time, so the
// lower bound stays, a timer never fires early).
func (a nsAlt) allows(got nsAlt, ms, noiseMs float64) bool {
	if got.Result != a.Result || a.Code != "" && got.Code != a.Code || !slices.Equal(got.Servers, a.Servers) {
		return false
	}
	if a.DelayMs == 0 {
		return ms < fastMs+noiseMs
	}
	return ms >= a.DelayMs-stallTolMs && ms <= a.DelayMs+stallTolMs+noiseMs
}

// askSlackMs widens a lookup's window for asked: a server stamps a query
// when its handler runs, and the lab's first server, which serves every
// cell, stamped one of musl's first queries after the 1-ms lookup had
// ended and window's 2 ms had passed (measured, 1 of 105 lookups). The
// next lookup of the cell is another docker exec, tens of ms later.
const askSlackMs = 20

// asked is the servers (1-based, sorted) that saw a query of lookup l:
// in its window widened by askSlackMs, or from a source address:port its
// window shows, up to StallMs after it ended. musl sends to every server
// from one socket, and on a loaded machine a server that drops (dead)
// stamped musl's query past the slack (measured in a fresh-clone CI run:
// 1 of 3 lookups); the port is the lookup's own while its process lives,
// and the cell's next lookup starts after it ended, from another port.
func asked(per [][]dnsfaker.Entry, l probeLine) []int {
	wide := l
	wide.Ms += askSlackMs
	srcs := map[string]bool{}
	for _, es := range per {
		for _, e := range window(es, wide) {
			srcs[e.Src] = true
		}
	}
	late := l
	late.Ms += StallMs
	var out []int
	for i, es := range per {
		if len(window(es, wide)) > 0 || slices.ContainsFunc(window(es, late), func(e dnsfaker.Entry) bool { return srcs[e.Src] }) {
			out = append(out, i+1)
		}
	}
	return out
}

// askedInOrder is the servers in the order their first query came.
func askedInOrder(events []serverEvent) []int {
	var out []int
	for _, e := range events {
		if !slices.Contains(out, e.Server) {
			out = append(out, e.Server)
		}
	}
	return out
}
