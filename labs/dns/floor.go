package dns

import (
	"fmt"
	"math"

	"github.com/baselab/baselab/harness/record"
	"github.com/baselab/baselab/labs/lab"
)

// A DNS cell's verdict is fast or stall: did its lookups wait on a resolver
// timer? On two cores shared with other work a lookup that waited on
// nothing can take 900 ms, so the verdict is not read off one fixed line.
// Every run carries a control — its lookups under fault ok, which wait on
// no timer by every resolver's source — whose slowest lookup is the run's
// noise floor: what scheduling, exec and round trips cost on this machine
// now, beyond the resolver's own work. The line is the shortest timer in the
// cell's resolver's schedule (stallLineMs). No timer fires early, and
// nothing that waited on no timer took longer than the floor, so a median
//
//   - below the line is fast, whatever the noise;
//   - past the line and past the floor is a stall;
//   - past the line but inside the floor is inconclusive: the measurement
//     cannot tell a stall from noise, and says so (lab.Inconclusive)
//     instead of guessing.
//
// The record says the line (stall_line_ms), the floor (noise_floor_ms) and
// how many control lookups it came from (noise_lookups).

// floorFields are the record fields of a cell's verdict line and noise.
var floorFields = []lab.Field{
	{Name: "class", Kind: lab.Str, Meaning: "what the cell's lookups returned: both, a-only, fail, mixed (kept when the outcome is inconclusive)"},
	{Name: "stall_line_ms", Kind: lab.Num, Meaning: "the fast/stall line the verdict used: the shortest timer in the resolver's schedule with the cell's options, in ms"},
	{Name: "noise_floor_ms", Kind: lab.Num, Meaning: "this run's noise: the slowest lookup under fault ok (they wait on no timer), in ms; a median past the line but inside it is inconclusive"},
	{Name: "noise_lookups", Kind: lab.Num, Meaning: "how many lookups under ok the noise floor is the slowest of"},
}

// noise is a run's control: its lookups under fault ok.
type noise struct {
	floorMs float64 // the slowest control lookup
	lookups int     // how many control lookups the floor is the slowest of
}

// controlTries is the fewest control lookups per base a run makes: the
// floor is a maximum, and a cell's median above the maximum of 10 lookups
// of the same kind, taken beside it, is already unlikely (the matrix gives
// each base 30 or more).
const controlTries = 10

// controlCells are the cells a run adds so that every base in it has at
// least controlTries lookups under ok: one cell per such base, fault ok,
// no options, no hints, named ctlN.dns.test. They run beside the cells and
// measure the floor; they write no record (they are not the user's cells:
// `baselab run dns --list` does not list them).
func controlCells(cfg Config, cells []cell) []cell {
	okLookups := map[string]int{}
	var bases []cell
	for _, c := range cells {
		k := string(c.base)
		if _, seen := okLookups[k]; !seen {
			okLookups[k] = 0
			bases = append(bases, c)
		}
		if isControl(c) {
			okLookups[k] += cfg.Tries
		}
	}
	var out []cell
	for i, b := range bases {
		if okLookups[string(b.base)] >= controlTries {
			continue
		}
		c := cell{base: b.base, resolver: b.resolver, fault: "ok", flags: "none", user: b.user, control: true,
			name: fmt.Sprintf("ctl%d.dns.test", i+1), variant: "control/" + string(b.base)}
		if b.user {
			c.variant = "control/image"
		} else {
			c.expect = predict(c.resolver, libcOf(c.base), c.fault, "", c.flags)
		}
		out = append(out, c)
	}
	return out
}

// isControl reports whether a cell's lookups wait on no timer by every
// resolver's source: fault ok, a plain name (a search walk under ok is
// NXDOMAIN on every suffix: fast too, but more queries than a lookup).
func isControl(c cell) bool { return c.fault == "ok" && c.form == "" }

// controlTriesFor is how many lookups a control cell makes.
func controlTriesFor(tries int) int { return max(tries, controlTries) }

// triesIn is how many lookups c makes in a run of tries per cell: a control
// cell makes more. Its rules, its names and its entries all follow it.
func (c cell) triesIn(tries int) int {
	if c.control {
		return controlTriesFor(tries)
	}
	return tries
}

// measureNoise is the floor of a run: the slowest lookup of its control
// cells (every cell under ok, and those controlCells added).
func measureNoise(cells []cell, results []result) noise {
	var n noise
	for i, c := range cells {
		if !isControl(c) {
			continue
		}
		for _, p := range results[i].lookups {
			n.floorMs = math.Max(n.floorMs, p.Ms)
			n.lookups++
		}
	}
	return n
}

// stallLineMs is the shortest timer a lookup by resolver with options can
// wait on, in ms: musl resends after timeout/attempts (res_msend.c
// __res_msend_rc, retry_interval), glibc and Go wait timeout for the first
// answer (glibc res_send.c send_dg, seconds = retrans; Go dnsclient_unix.go
// tryOneName, conf.timeout). A user's image brings an unknown resolver: the
// shortest of the three.
func stallLineMs(resolver, options string) float64 {
	rc := parseResolvOptions(optionsOf(options))
	musl := 1000 * rc.timeout / max(rc.attempts, 1)
	switch resolver {
	case "musl":
		return musl
	case "glibc", "go":
		return 1000 * rc.timeout
	}
	return min(musl, 1000*rc.timeout)
}

// speed is a median's verdict against line under n (see the top of this
// file): outcomeFast, outcomeStall or lab.Inconclusive.
func (n noise) speed(p50 *float64, line float64) string {
	switch {
	case p50 == nil || *p50 < line:
		return outcomeFast
	case *p50 > n.floorMs:
		return outcomeStall
	}
	return lab.Inconclusive
}

// why says, for an inconclusive median, which line and which noise.
func (n noise) why(p50, line float64) string {
	return fmt.Sprintf("inconclusive: p50 %.0f ms is past the stall line %.0f ms (the resolver's shortest timer) but inside this run's noise floor %.0f ms (the slowest of %d lookups under ok): a stall and a busy machine look the same here",
		p50, line, n.floorMs, n.lookups)
}

// stamp writes the line and the floor a record's verdict used.
func (n noise) stamp(r *record.Record, line float64) {
	r.Set("stall_line_ms", line)
	r.Set("noise_floor_ms", n.floorMs)
	r.Set("noise_lookups", n.lookups)
}

// verdict is a cell's comparison with its prediction: as predicted or not,
// or inconclusive (the timing is inside the noise; why says so).
type verdict struct {
	ok, inconclusive bool
	why              string
}

// judge compares a measured cell with the prediction, its timing against
// line and n: a class or error word that differs is never noise; a fast
// prediction follows the cell's speed; a predicted timer must be met
// within stallTolMs, and a median later than that but by no more than the
// floor is inconclusive (noise only adds time: a timer never fires early).
// Then every lookup on its own (ms), since a median hides two stalls in
// five: see lookups.
func (e expect) judge(class, code string, ms []float64, p50 *float64, line float64, n noise) verdict {
	if e.Result != "" && class != e.Result {
		return verdict{why: fmt.Sprintf("got %s, predicted %s", class, e.Result)}
	}
	if e.Code != "" && code != e.Code {
		return verdict{why: fmt.Sprintf("got error %s, predicted %s", code, e.Code)}
	}
	if p50 == nil || len(ms) == 0 {
		return verdict{why: "no timing"}
	}
	m := *p50
	var v verdict
	switch {
	case e.DelayMs == 0:
		switch n.speed(p50, line) {
		case outcomeFast:
			v = verdict{ok: true}
		case outcomeStall:
			return verdict{why: fmt.Sprintf("p50 %.0f ms, predicted fast (no timer: below the stall line %.0f ms)", m, line)}
		default:
			v = verdict{inconclusive: true, why: n.why(m, line)}
		}
	case m >= e.DelayMs-stallTolMs && m <= e.DelayMs+stallTolMs:
		v = verdict{ok: true}
	case m > e.DelayMs+stallTolMs && m <= e.DelayMs+stallTolMs+n.floorMs:
		v = verdict{inconclusive: true, why: fmt.Sprintf("inconclusive: p50 %.0f ms is past the predicted %.0f ± %.0f ms by less than this run's noise floor %.0f ms (the slowest of %d lookups under ok)",
			m, e.DelayMs, stallTolMs, n.floorMs, n.lookups)}
	default:
		return verdict{why: fmt.Sprintf("p50 %.0f ms, predicted %.0f ± %.0f ms", m, e.DelayMs, stallTolMs)}
	}
	// A refuting lookup wins; a noisy one makes an ok median inconclusive.
	if lv := e.lookups(ms, n); !lv.ok && (!lv.inconclusive || v.ok) {
		return lv
	}
	return v
}

// lookups judges each lookup of a cell whose median matched. One predicted
// fast must not reach StallMs (a timer of a second or more fired); one
// predicted to wait a timer must not come in under it (a timer never fires
// early) nor wait another timer on top (StallMs more). Past those bounds by
// less than the run's noise floor is inconclusive, not refuted.
func (e expect) lookups(ms []float64, n noise) verdict {
	over := func(bound float64) (refuted, noisy int) {
		for _, x := range ms {
			switch {
			case x >= bound+n.floorMs:
				refuted++
			case x >= bound:
				noisy++
			}
		}
		return refuted, noisy
	}
	if e.DelayMs == 0 {
		r, q := over(StallMs)
		switch {
		case r > 0:
			return verdict{why: fmt.Sprintf("%d of %d lookups stalled (>= %.0f ms), predicted fast", r, len(ms), StallMs+n.floorMs)}
		case q > 0:
			return verdict{inconclusive: true, why: fmt.Sprintf("inconclusive: %d of %d lookups past %.0f ms, predicted fast, by less than this run's noise floor %.0f ms", q, len(ms), StallMs, n.floorMs)}
		}
		return verdict{ok: true}
	}
	early := 0
	for _, x := range ms {
		if x < e.DelayMs-stallTolMs {
			early++
		}
	}
	if early > 0 {
		return verdict{why: fmt.Sprintf("%d of %d lookups under %.0f ms, predicted each %.0f ± %.0f ms", early, len(ms), e.DelayMs-stallTolMs, e.DelayMs, stallTolMs)}
	}
	r, q := over(e.DelayMs + StallMs)
	switch {
	case r > 0:
		return verdict{why: fmt.Sprintf("%d of %d lookups waited another timer (>= %.0f ms), predicted each %.0f ± %.0f ms", r, len(ms), e.DelayMs+StallMs+n.floorMs, e.DelayMs, stallTolMs)}
	case q > 0:
		return verdict{inconclusive: true, why: fmt.Sprintf("inconclusive: %d of %d lookups past %.0f ms, by less than this run's noise floor %.0f ms", q, len(ms), e.DelayMs+StallMs, n.floorMs)}
	}
	return verdict{ok: true}
}
