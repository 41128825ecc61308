package doctor

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/baselab/baselab/harness/junit"
	"github.com/baselab/baselab/harness/record"
	"github.com/baselab/baselab/labs/dns"
	"github.com/baselab/baselab/labs/lab"
)

// probeFaults are the DNS lab's faults `compare --probe` runs on both
// images unless told others: its default faults, with no resolv.conf
// options (the image's own resolver as the engine starts it).
func probeFaults(faults []string) []string {
	if len(faults) == 0 {
		return dns.DefaultConfig().Faults
	}
	return faults
}

// probeTries is lookups per fault and image, each in a fresh container:
// enough for a median, few enough for a pull request's job.
const probeTries = 3

// ProbeSide is one image's lookups under one fault.
type ProbeSide struct {
	// Outcome is the DNS lab's word: <class>-<speed>, both-fast,
	// fail-stall, a-only-fast ..., or error (the lab could not run it).
	Outcome string   `json:"outcome"`
	P50ms   *float64 `json:"p50_ms"`
	OK      int      `json:"ok"`
	Failed  int      `json:"failed"`
	// Evidence is the lab's: what the server saw, what the command said.
	Evidence string `json:"evidence"`
}

// ProbeRow is one fault on both images.
type ProbeRow struct {
	Fault string    `json:"fault"`
	Old   ProbeSide `json:"old"`
	New   ProbeSide `json:"new"`
	// Worse: NEW's lookups fail where OLD's did not, or stall where OLD's
	// were fast.
	Worse bool `json:"worse"`
}

// checkProbe refuses a --probe the DNS lab would refuse, before the engine.
func checkProbe(probe string, faults []string) error {
	cfg := dns.DefaultConfig()
	cfg.Image, cfg.Probe, cfg.Options, cfg.Load, cfg.Faults = "image", probe, []string{"none"}, false, probeFaults(faults)
	return cfg.Validate()
}

// probeBoth runs the DNS lab's faults with the user's command on OLD, then
// on NEW (one after the other: the two cores are the lab's timing budget),
// through the lab's own --image/--probe mode: its server, its timer, its
// outcome words.
func probeBoth(ctx context.Context, env *lab.Env, oldRef, newRef, probe string, faults []string) ([]ProbeRow, error) {
	faults = probeFaults(faults)
	var sides [2]map[string]ProbeSide
	for i, ref := range []string{oldRef, newRef} {
		cfg := dns.DefaultConfig()
		cfg.Image, cfg.Probe, cfg.Options, cfg.Load, cfg.Tries, cfg.Faults = ref, probe, []string{"none"}, false, probeTries, faults
		recs, err := dns.Run(ctx, env, cfg)
		if err != nil {
			return nil, fmt.Errorf("--probe on %s: %w", ref, err)
		}
		sides[i] = map[string]ProbeSide{}
		for _, r := range recs {
			f, _ := r.Str("fault")
			sides[i][f] = probeSide(r)
		}
	}
	var rows []ProbeRow
	for _, f := range faults {
		o, n := sides[0][f], sides[1][f]
		rows = append(rows, ProbeRow{Fault: f, Old: o, New: n, Worse: worse(o.Outcome, n.Outcome)})
	}
	return rows, nil
}

func probeSide(r record.Record) ProbeSide {
	return ProbeSide{Outcome: r.Outcome, P50ms: r.P50ms, OK: int(r.OK), Failed: int(r.Failed), Evidence: r.Evidence}
}

// worse compares the DNS lab's words: a class of "fail" or "mixed" (some
// lookups failed) against one that did not, a speed of "stall" against
// "fast", or a cell the lab could not run.
func worse(old, new string) bool {
	oc, os, _ := strings.Cut(old, "-")
	nc, ns, _ := strings.Cut(new, "-")
	failing := func(c string) bool { return c == "fail" || c == "mixed" || c == lab.Error }
	return failing(nc) && !failing(oc) || ns == "stall" && os == "fast"
}

// writeProbeMarkdown is the summary's DNS table.
func writeProbeMarkdown(w io.Writer, probe string, rows []ProbeRow) {
	if len(rows) == 0 {
		return
	}
	fmt.Fprintf(w, "\n**DNS under the lab's faults** (`%s`, %d lookups each, timed inside the container)\n\n", probe, probeTries)
	fmt.Fprintf(w, "| fault | OLD | NEW |\n|---|---|---|\n")
	for _, r := range rows {
		mark := ""
		if r.Worse {
			mark = " **worse**"
		}
		fmt.Fprintf(w, "| `%s` | %s | %s%s |\n", r.Fault, probeCell(r.Old), probeCell(r.New), mark)
	}
}

func probeCell(s ProbeSide) string {
	if s.P50ms == nil {
		return s.Outcome
	}
	return fmt.Sprintf("%s, %.0f ms", s.Outcome, *s.P50ms)
}

// probeCases are the JUnit cases: one per fault, failing when NEW is worse.
func probeCases(class string, rows []ProbeRow) []junit.Case {
	var out []junit.Case
	for _, r := range rows {
		c := junit.Case{Classname: class, Name: "dns " + r.Fault,
			SystemOut: fmt.Sprintf("OLD: %s (%s)\nNEW: %s (%s)", probeCell(r.Old), r.Old.Evidence, probeCell(r.New), r.New.Evidence)}
		if r.Worse {
			c.Failure = &junit.Problem{Type: "dns", Message: fmt.Sprintf("under %s NEW's lookups are %s where OLD's were %s", r.Fault, probeCell(r.New), probeCell(r.Old)),
				Text: r.New.Evidence}
		}
		out = append(out, c)
	}
	return out
}
