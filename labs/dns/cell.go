package dns

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/baselab/baselab/harness/record"
)

// result is what a cell's lookups gave, before the server's log is read.
type result struct {
	lookups []probeLine
	errs    []string // the lab's own failures (exec, parse), not lookup failures
	wall    time.Duration
	libc    string
}

// probeTimeoutMs bounds one lookup: glibc's worst predicted case in the
// matrix is 3 × 5 s; anything past 60 s is reported as TIMEOUT by the probe.
const probeTimeoutMs = "60000"

// probeCmd runs the probe for tries lookups of name in one process; flags
// "" leaves the probe's default hints.
func probeCmd(tries int, flags, name string) []string {
	cmd := []string{"/usr/local/bin/probe", "--tries", strconv.Itoa(tries)}
	if flags != "" {
		cmd = append(cmd, "--flags", flags)
	}
	return append(cmd, "--timeout-ms", probeTimeoutMs, name)
}

// freshCmd runs the probe for tries lookups of each name, each lookup in a
// fresh process (the probe executes itself again per lookup: --fresh), side
// by side with their starts staggerMs apart when atOnce, else one after
// another freshGapMs apart. One exec per cell, not one
// per lookup: on two cores the engine starts about 20 execs a second, and a
// matrix of one exec per lookup cost a minute of execs however its lookups
// were scheduled.
func freshCmd(tries int, atOnce bool, flags string, names []string) []string {
	cmd := []string{"/usr/local/bin/probe", "--fresh", "--tries", strconv.Itoa(tries)}
	if atOnce {
		cmd = append(cmd, "--at-once", "--interval-ms", strconv.Itoa(staggerMs))
	} else {
		cmd = append(cmd, "--interval-ms", strconv.Itoa(freshGapMs))
	}
	if flags != "" {
		cmd = append(cmd, "--flags", flags)
	}
	return append(append(cmd, "--timeout-ms", probeTimeoutMs, "--"), names...)
}

// freshGapMs separates lookups run one after another in one exec: the log
// is joined to a lookup by its time window with 2 ms either side (window),
// so back-to-back lookups would share their neighbours' queries.
const freshGapMs = 10

// runCell does the cell's lookups, each in a fresh probe process, so that
// every lookup starts with the resolver's default state; a cell whose
// lookups wait on a resolver timer runs them side by side (sideBySide).
func (rg *rig) runCell(ctx context.Context, c cell, tries int) result {
	start := time.Now()
	var res result
	if c.user {
		res = rg.runUserCell(ctx, c, tries)
		res.wall = time.Since(start)
		return res
	}
	b := rg.boxes[boxKey(c.base, c.options)]
	if countsQueries(c.ruleFaults()) && !c.sideBySide() {
		// The lookups of a counting fault (overload, every) under one
		// name see what the lookups before them spent; they keep the
		// spacing they were measured with, one exec each.
		return rg.runCellExecs(ctx, c, tries, start)
	}
	names := c.lookupNames(tries)
	if len(names) > 1 {
		tries = 1 // one lookup of each name
	}
	out, err := b.c.Exec(ctx, freshCmd(tries, c.sideBySide(), c.flags, names), "")
	tries *= len(names)
	if err != nil {
		res.errs = append(res.errs, err.Error())
		res.wall = time.Since(start)
		return res
	}
	ls, err := parseProbe(out.Stdout)
	if err != nil || len(ls) != tries {
		res.errs = append(res.errs, fmt.Sprintf("probe exit %d %s: %d of %d lookups reported: %v %s",
			out.ExitCode, out.Signal, len(ls), tries, err, strings.TrimSpace(out.Stderr)))
	}
	res.lookups = ls
	if len(ls) > 0 {
		res.libc = ls[0].Libc
	}
	res.wall = time.Since(start)
	return res
}

// runCellExecs does the cell's lookups one after another, one exec of the
// probe each.
func (rg *rig) runCellExecs(ctx context.Context, c cell, tries int, start time.Time) result {
	var res result
	b := rg.boxes[boxKey(c.base, c.options)]
	for range tries {
		out, err := b.c.Exec(ctx, probeCmd(1, c.flags, lookupName(c.name, c.form)), "")
		if err != nil {
			res.errs = append(res.errs, err.Error())
			continue
		}
		ls, err := parseProbe(out.Stdout)
		if err != nil || len(ls) != 1 {
			res.errs = append(res.errs, fmt.Sprintf("probe exit %d %s: %v %s", out.ExitCode, out.Signal, err, strings.TrimSpace(out.Stderr)))
			continue
		}
		res.lookups = append(res.lookups, ls[0])
		res.libc = ls[0].Libc
	}
	res.wall = time.Since(start)
	return res
}

// summary is a matrix cell's progress line.
func (r result) summary() string {
	if len(r.lookups) == 0 {
		return "no lookups: " + strings.Join(r.errs, "; ")
	}
	classes := map[string]int{}
	var ms []float64
	for _, p := range r.lookups {
		classes[p.class()]++
		ms = append(ms, p.Ms)
	}
	s := fmt.Sprintf("%-8s p50 %7.0f ms  max %7.0f ms", majority(classes), record.Percentile(ms, 50), record.Percentile(ms, 100))
	if r.lookups[0].user {
		// This line comes before the server's log is read; the record
		// times each run from its first query (fromFirstQuery).
		s += "  (whole runs, start-up in)"
	}
	return s
}

// majority is the one class every lookup had, or "mixed".
func majority(classes map[string]int) string {
	best, n := "", -1
	keys := make([]string, 0, len(classes))
	for k := range classes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if classes[k] > n {
			best, n = k, classes[k]
		}
	}
	if len(classes) > 1 {
		return "mixed"
	}
	return best
}
