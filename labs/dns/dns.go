// Package dns is the Alpine DNS mystery lab: the stub resolvers a container
// meets — musl, glibc and Go's own — against dnsfaker, a server that loses
// the second of two queries outstanding from one source port, across
// faults, resolv.conf options and getaddrinfo hints, each cell compared with
// what the resolver's source predicts (resolver-notes.md). README.md says
// what runs and what was measured.
package dns

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/baselab/baselab/dnsfaker"
	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/harness/record"
	"github.com/baselab/baselab/labs/lab"
)

// New returns the lab with its default matrix; its Config binds the flags
// that change it.
func New() lab.Lab {
	cfg := DefaultConfig()
	return lab.Lab{
		Name:     "dns",
		Summary:  "the Alpine DNS delay: musl, glibc and Go resolvers against a server that loses parallel A/AAAA queries",
		Config:   &cfg,
		Variants: func() []string { return cfg.Variants() },
		Fields:   slices.Concat(fields, floorFields),
		Run:      func(ctx context.Context, env *lab.Env) ([]record.Record, error) { return Run(ctx, env, cfg) },
		Images:   func(env *lab.Env) []images.Key { return cfg.imageKeys(env) },
		Report:   reportLab(),
	}
}

// Run runs the cells of cfg that env wants, and emits their records sorted
// by variant. The long cells run at once: they wait on resolver timers, not
// on the CPU, and one server serves them all, each cell under its own name;
// the short ones run a few at a time beside them (paced).
func Run(ctx context.Context, env *lab.Env, cfg Config) ([]record.Record, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cells := lab.Select(env, "dns", cfg.cells(), func(c cell) string { return c.variant }, func(c cell) string {
		if s := c.expect.seconds(cfg.Tries); s > 10 {
			return fmt.Sprintf("expected %.0f s", s)
		}
		return ""
	})
	loads := lab.Select(env, "dns", cfg.loads(), func(c loadCell) string { return c.variant }, nil)
	if len(cells) == 0 && len(loads) == 0 {
		return nil, nil
	}
	// Every run gets a control under fault ok (floor.go): the cells
	// after the selected ones, run beside them, never recorded.
	ctl := controlCells(cfg, cells)
	all := append(slices.Clone(cells), ctl...)
	setup := time.Now()
	rg, err := startRig(ctx, env, cfg, all, loads)
	if rg != nil {
		defer rg.close()
	}
	if err != nil {
		return nil, err
	}
	if cfg.Image != "" {
		if err := rg.preflight(ctx); err != nil {
			return nil, err
		}
	}
	env.Logf("dns: images and %d containers ready in %s; %d cells (%d of them control cells under ok) and %d under-load cells start now",
		len(rg.boxes)+1, time.Since(setup).Round(100*time.Millisecond), len(all), len(ctl), len(loads))
	start := time.Now()

	// A cell is kept when it finished before an interrupt (Ctrl-C): one
	// cut short would record the lab's cancellation as the resolver's
	// behaviour.
	results := make([]result, len(all))
	finished := make([]bool, len(all))
	ord := lab.NewOrdered(len(all), func(i int) { env.Logf("dns: %-48s %s", all[i].variant, results[i].summary()) })
	paced(all, cfg.Tries, func(i int) {
		results[i] = rg.runCell(ctx, all[i], all[i].triesIn(cfg.Tries))
		finished[i] = ctx.Err() == nil
		ord.Done(i)
	})
	wall := time.Since(start)

	// The under-load cells come after the matrix, not beside it: their
	// hundreds of concurrent lookups would otherwise load the two cores
	// enough to blur the matrix's fast/stall line.
	loadResults := make([]result, len(loads))
	loadFinished := make([]bool, len(loads))
	for _, wave := range loadWaves(loads, cfg.LoadBusy) {
		if ctx.Err() != nil {
			break
		}
		lab.InParallel(len(wave), len(wave), func(k int) {
			i := wave[k]
			loadResults[i] = rg.runLoad(ctx, loads[i], cfg.LoadTries)
			loadFinished[i] = ctx.Err() == nil
		})
		for _, i := range wave {
			env.Logf("dns: %-48s %s", loads[i].variant, loadResults[i].loadSummary())
		}
	}

	// A record needs the server's view of its cell: the log is read once,
	// after every cell, so records are made and emitted only then. After an
	// interrupt it is still read (on a context the interrupt does not
	// cancel, bounded) so that the cells that finished keep their records.
	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	entries, err := rg.serverLog(lctx)
	if err != nil {
		return nil, err
	}
	if err := rg.readNameserverLogs(ctx); err != nil {
		return nil, err
	}
	for i, c := range all {
		if c.user {
			fromFirstQuery(results[i].lookups, cellEntries(entries, c, c.triesIn(cfg.Tries)))
		}
	}
	// The floor comes after fromFirstQuery: a user's control lookups are
	// timed as its cells' are.
	rg.noise = measureNoise(all, results)
	if len(cells) > 0 {
		env.Logf("dns: noise floor %.0f ms (the slowest of %d lookups under ok); a median past its resolver's shortest timer but inside it is inconclusive",
			rg.noise.floorMs, rg.noise.lookups)
	}
	var recs []record.Record
	var slowest time.Duration
	var slowestMs float64
	for i, c := range cells {
		if !finished[i] {
			continue
		}
		r := rg.cellRecord(c, results[i], cellEntries(entries, c, cfg.Tries))
		if c.preset != nil {
			rg.presetRecord(c, results[i], entries, &r)
		}
		recs = append(recs, r)
		slowest = max(slowest, results[i].wall)
		for _, l := range results[i].lookups {
			slowestMs = max(slowestMs, l.Ms)
		}
	}
	for i, lc := range loads {
		if loadFinished[i] {
			recs = append(recs, rg.loadRecord(lc, cfg, loadResults[i], entries[lc.name]))
		}
	}
	sort.SliceStable(recs, func(i, j int) bool { return recs[i].Variant < recs[j].Variant })
	for _, r := range recs {
		if err := env.Emit(r); err != nil {
			return recs, err
		}
	}
	if err := ctx.Err(); err != nil {
		return recs, fmt.Errorf("dns: interrupted: %d of %d cells finished and are recorded: %w", len(recs), len(cells)+len(loads), err)
	}
	if len(cells) > 0 {
		env.Logf("dns: matrix wall time %s, slowest cell %s, slowest lookup %.1f s (%.2f× the slowest lookup)", wall.Round(100*time.Millisecond),
			slowest.Round(100*time.Millisecond), slowestMs/1000, wall.Seconds()/max(slowestMs/1000, 0.001))
	}
	return recs, nil
}

// cellEntries are the server's entries for a cell: its name's, or for a
// search cell every name its walk may ask, in time order.
func cellEntries(entries map[string][]dnsfaker.Entry, c cell, tries int) []dnsfaker.Entry {
	if c.form == "" {
		var out []dnsfaker.Entry
		for _, n := range c.lookupNames(tries) {
			out = append(out, entries[n]...)
		}
		return sortedByTime(out)
	}
	var out []dnsfaker.Entry
	for n := range searchNames(c) {
		out = append(out, entries[n]...)
	}
	return sortedByTime(out)
}
