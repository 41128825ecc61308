package dns

import (
	"strconv"
	"strings"
	"sync"

	"github.com/baselab/baselab/dnsfaker"
)

// sideBySide reports whether a cell's lookups may run at once without
// changing what any of them sees.
//
// Each lookup is its own probe process with its own sockets, so the kernel
// gives each its own source ports: race pairs queries by source
// address:port (dnsfaker/race.go), and every other fault but two looks at
// nothing but the query itself. overload's token bucket and every's counter
// belong to the rule (dnsfaker/state.go): side by side, each lookup asks
// its own name, which has a rule of its own, so each meets a full bucket
// and a count from zero. One after another under one name, a lookup met
// what the lookups before it had spent, and what that was depended on how
// far apart the engine's execs happened to start them (one exec each): the
// overload:1 cells' outcomes changed from run to run with the machine's
// load (alpine/overload:1/none/addrconfig measured 1 ms in one run and
// 2502 ms in the next). Side by side they measure one lookup against a
// server that answers one query a second, every time.
//
// Only cells whose lookups wait on a resolver timer (or have no prediction,
// and may) gain from it: they make the matrix's length, tries × the timer.
// A fast cell's lookups one after another cost tries round trips, far below
// the slowest lookup, and keep the lookups in flight at the start — the
// load fastMs was measured under — as they were.
//
// Side by side, the lookups of a cell overlap in time, and the server's log
// is joined to a lookup by its time window: each lookup then asks its own
// name (lookupNames), under the cell's fault, so that its queries are its
// own. A search cell's walk, and how an answer too big for UDP is cut,
// depend on the name: those cells stay one lookup after another.
//
// Side by side, their starts are spread staggerMs apart (the probe's
// --at-once --interval-ms): all five at once, in every timer cell, put five
// times the matrix's first burst of process starts onto two cores, and a
// fresh-clone CI run beside the rest of the suite measured what that cost —
// a glibc race lookup whose pair reached the server more than race's 50 ms
// window apart (the fault never fired), and glibc's timeout:1 cell 128 ms
// past its tolerance. Spread out, each wave of starts is one lookup per
// timer cell, the burst the matrix had when its lookups ran one after
// another; the matrix gains (tries-1) × staggerMs over its slowest lookup.
func (c cell) sideBySide() bool { return lookupsAtOnce && c.mayRunAtOnce() }

// mayRunAtOnce is sideBySide's rule, whether or not it is on.
func (c cell) mayRunAtOnce() bool {
	if c.form != "" || c.inHosts || c.preset != nil || c.fault == "truncate" || sizeFault(c.fault) {
		// Search cells walk from the name they are given; an answer too
		// big for UDP is cut by its size, which the name is part of; an
		// --in-hosts cell's name is the one line /etc/hosts has for it.
		return false
	}
	if c.user {
		// Each of a user's runs is a container of its own, timed inside
		// it from its first query: one after another, a cell cost tries
		// × (a container's start and exit + the command's start-up +
		// the lookup), and a run's control cell (10 runs) as much again
		// — 37 s of a command with 3 s of start-up under ok.
		return true
	}
	return !c.expect.Known || c.expect.DelayMs > 0 || countsQueries(c.ruleFaults())
}

// lookupsAtOnce turns sideBySide on (off: every cell's lookups one after
// another, as before it).
const lookupsAtOnce = true

// staggerMs spaces the starts of a cell's lookups side by side. One second
// puts a wave's starts well apart from the next (a probe process starts in
// milliseconds; the engine's execs of the first wave are spread over
// seconds at ~20 a second), and keeps the matrix within 2× its slowest
// lookup: glibc's 15 s (three AAAA timeouts) + 4 × 1 s.
const staggerMs = 1000

// schedule says how the cell's lookups ran, for its record.
func (c cell) schedule() string {
	switch {
	case c.user && c.sideBySide():
		return "side by side, a container each under its own name, starts " + strconv.Itoa(staggerMs) + " ms apart"
	case c.user:
		return "one container after another"
	case c.sideBySide():
		return "side by side, each under its own name, starts " + strconv.Itoa(staggerMs) + " ms apart"
	case countsQueries(c.ruleFaults()):
		return "one after another, one exec each"
	}
	return "one after another, " + strconv.Itoa(freshGapMs) + " ms apart"
}

// startOffsets are when each lookup started, in ms after the first, in try
// order: side by side, each about staggerMs after the one before and long
// before it ended.
func startOffsets(ls []probeLine) []float64 {
	if len(ls) == 0 {
		return nil
	}
	out := make([]float64, len(ls))
	for i, p := range ls {
		out[i] = float64(p.StartWallUS-ls[0].StartWallUS) / 1000
	}
	return out
}

// lookupNames are the names a cell's lookups ask: the cell's name for
// each, or where they run at once one name each, the cell's first label
// with the lookup's number (c042-3.dns.test: as many labels as c042.dns.test,
// so ndots and the search rules read it the same).
func (c cell) lookupNames(tries int) []string {
	if !c.sideBySide() {
		return []string{lookupName(c.name, c.form)}
	}
	return c.namesAtOnce(tries)
}

// namesAtOnce is one name per lookup, for lookups side by side.
func (c cell) namesAtOnce(tries int) []string {
	first, rest, _ := strings.Cut(c.name, ".")
	names := make([]string, tries)
	for i := range names {
		names[i] = first + "-" + strconv.Itoa(i+1) + "." + rest
	}
	return names
}

// ofName keeps the entries of one query name.
func ofName(entries []dnsfaker.Entry, name string) []dnsfaker.Entry {
	name = strings.TrimSuffix(strings.ToLower(name), ".")
	var out []dnsfaker.Entry
	for _, e := range entries {
		if strings.TrimSuffix(e.Name, ".") == name {
			out = append(out, e)
		}
	}
	return out
}

// ruleFaults are the faults of the rules a cell's lookups meet.
func (c cell) ruleFaults() []string {
	if c.form == "" {
		return []string{c.fault}
	}
	// A search cell (never side by side, but its faults are the answer to
	// the question all the same): its own fault on one suffix, nxdomain on the others
	// and ok on the name as given (searchRules).
	sf, _ := parseSuffixFault(c.fault)
	return []string{sf.fault, "nxdomain", "ok"}
}

// countsQueries reports whether any of the faults keeps a count across
// queries; a fault that does not parse counts as one.
func countsQueries(faults []string) bool {
	for _, s := range faults {
		f, err := dnsfaker.ParseFault(s)
		if err != nil || f.Kind == dnsfaker.KindOverload || f.Kind == dnsfaker.KindEvery {
			return true
		}
	}
	return false
}

// fastAtOnce is how many short cells run at a time beside the long ones.
// The long cells' lookups spend the matrix waiting on timers; all cells
// and their lookups at once put some 1,200 process starts into the first
// second on two cores, which measured glibc's timer cells 750 ms late and
// its fast ones past fastMs. One exec per lookup had paced them at the
// engine's ~20 execs a second; this paces them by design.
const fastAtOnce = 8

// long reports whether a cell takes seconds (a resolver timer, a counting
// fault's one exec per lookup): those start at once, the rest queue.
func (c cell) long(tries int) bool {
	return c.expect.seconds(tries) > 2 || countsQueries(c.ruleFaults()) || c.user
}

// paced calls fn for every cell: the long ones at once, the others
// fastAtOnce at a time in order, and done(i) after each.
func paced(cells []cell, tries int, fn func(i int)) {
	var wg sync.WaitGroup
	queue := make(chan int, len(cells))
	for i, c := range cells {
		if !c.long(tries) {
			queue <- i
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(i)
		}()
	}
	close(queue)
	for range fastAtOnce {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range queue {
				fn(i)
			}
		}()
	}
	wg.Wait()
}
