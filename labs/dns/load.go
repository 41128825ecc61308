package dns

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/baselab/baselab/dnsfaker"
	"github.com/baselab/baselab/harness/record"
	"github.com/baselab/baselab/labs/lab"
)

// loadWaves orders the under-load cells into waves, each wave's cells run
// at once, the waves one after another. A cell's load is its own clients'
// (race:busy counts the queries in flight for the cell's own name). Quiet
// cells — those whose clients can never pass busy: c clients keep at most
// 2c-1 of the name's queries in flight when a pair's second one arrives —
// of the same client count run side by side on the other bases, as long as
// the wave has no more processes than the biggest quiet cell has alone
// ((busy+1)/2: 8 under busy 16). So the five 1-client cells run at once, 5
// processes, and every other cell alone. Measured on this machine: the
// 1-client cells' p99 stayed 52–55 ms side by side (52–54 one after
// another); the five 8-client cells at once, 40 processes, put the lab's
// own CPU into their tail (p99 106–147 ms against 52–54 alone), so they
// stay one after another. A loaded cell (32 clients) always runs alone:
// "only under load" is its own clients' load. With busy 0 every cell may
// lose pairs and runs alone.
func loadWaves(loads []loadCell, busy int) [][]int {
	limit := (busy + 1) / 2
	var waves [][]int
	open := map[int]int{} // clients → the wave still taking cells of that count
	for i, c := range loads {
		if busy <= 0 || 2*c.clients-1 > busy {
			waves = append(waves, []int{i})
			continue
		}
		w, ok := open[c.clients]
		if !ok || (len(waves[w])+1)*c.clients > limit {
			w = len(waves)
			open[c.clients] = w
			waves = append(waves, nil)
		}
		waves[w] = append(waves[w], i)
	}
	return waves
}

// runLoad runs the clients at once, each one long-lived process doing its
// lookups back to back — the shape of a server's worker.
func (rg *rig) runLoad(ctx context.Context, c loadCell, tries int) result {
	start := time.Now()
	b := rg.boxes[boxKey(c.base, "")]
	var mu sync.Mutex
	var res result
	lab.InParallel(c.clients, c.clients, func(int) {
		out, err := b.c.Exec(ctx, probeCmd(tries, "", c.name), "")
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
	})
	res.wall = time.Since(start)
	return res
}

// loadSummary is an under-load cell's progress line.
func (r result) loadSummary() string {
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

func (rg *rig) loadRecord(c loadCell, cfg Config, res result, entries []dnsfaker.Entry) record.Record {
	r := record.Record{Lab: "dns", Variant: c.variant, Started: time.Now().UTC().Add(-res.wall)}
	lab.Stamp(&r, rg.boxes[boxKey(c.base, "")].im)
	r.Base = string(c.base)
	fault := cfg.loadFault()
	r.Set("resolver", c.resolver)
	r.Set("fault", fault)
	r.Set("options", "")
	r.Set("clients", c.clients)
	r.Set("probability", cfg.LoadP)
	r.Set("busy", cfg.LoadBusy)
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
	// Tries are the lookups made; a client the lab could not run made
	// none, and is the lab's error, not the resolver's failure.
	r.Tries = len(res.lookups)
	r.Timings(ms)
	if len(ms) > 0 {
		r.Set("p99_ms", record.Percentile(ms, 99))
	}
	r.Set("stalls", stalls)
	r.Outcome = outcomeFast
	if stalls > 0 {
		r.Outcome = outcomeIntermittent
	}
	if len(ms) == 0 {
		r.Outcome = lab.Error
	}
	r.Evidence = fmt.Sprintf("%d of %d lookups stalled ≥ %.0f ms", stalls, len(ms), loadStallMs)
	for _, e := range res.errs {
		r.AddError(e)
	}
	r.Detail = fmt.Sprintf("%d clients, each one process doing %d lookups back to back, against %s: the second query of a same-port pair lost with probability %g%s. ",
		c.clients, cfg.LoadTries, fault, cfg.LoadP, busyNote(cfg.LoadBusy)) + loadNote(c.resolver)
	return r
}

func busyNote(busy int) string {
	if busy <= 0 {
		return ", whatever the load"
	}
	return fmt.Sprintf(" while more than %d race queries are in flight (one client alone never has more than one when its second query arrives)", busy)
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
