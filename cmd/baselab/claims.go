package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/baselab/baselab/harness/record"
	"github.com/baselab/baselab/harness/report"
	"github.com/baselab/baselab/labs/claims"
	"github.com/baselab/baselab/labs/lab"
	"github.com/spf13/cobra"
)

// Exit codes of 'baselab claims'.
const (
	claimsOK          = 0 // every claim holds
	claimsRefuted     = 1 // a claim is refuted (measured, and it went the other way)
	claimsBadInput    = 2 // the claims file is wrong: nothing ran
	claimsNotMeasured = 3 // something could not be measured: no Docker, a lab error, no data
)

type claimsOpts struct {
	results, out, junit, image string
	short, plan                bool
}

func newClaimsCmd() *cobra.Command {
	o := &claimsOpts{}
	cmd := &cobra.Command{
		Use:   "claims FILE",
		Short: "Check a file of claims about base images against lab results (pass/fail, JUnit for CI)",
		Long: `claims turns statements such as "on alpine under the race fault, p95 lookup
time is under 100 ms" into pass/fail evidence. FILE is a YAML list of
claims; each names a lab cell, a measure and a bound:

  name: our-migration
  claims:
    - id: alpine-dns-fast
      claim: alpine lookups stay fast when the server loses parallel queries
      lab: dns
      variant: alpine/race/none/none     # path.Match pattern on the lab's variants
      measure: p95_ms                    # any field of the lab's records
      bound: "< 100"                     # < <= > >= == != VALUE [ms|s|MB...], or "within 25% of 2 MB"

Optional keys: where: {field: value} (exact values the records must have;
base:, fault:, options: are shorthands), of: any (one matching record is
enough; the default, all, needs every one), baseline: {variant: ...} (the
claim then bounds measure(cell) / measure(baseline)), image: and probe:
(your own image and lookup command, for 'baselab run dns --image --probe'),
flags: {name: value} (any other lab flag), source:, note:.

The whole file is checked first: an unknown lab, measure, fault or flag, or
a malformed bound, prints one line naming the claim and what is wrong, and
nothing runs (exit 2). Then only what the claims need runs — each lab once,
limited to the variants named — or, with --results, nothing runs and the
claims are judged against an existing results folder.

Each claim gets a verdict (HOLDS, REFUTED, COULD NOT MEASURE) with the
measured number and the record behind it (lab/variant, image digest, libc,
stand-in). A claim over a record that measured nothing, or that the lab
failed while making (its errors), could not be measured: it never holds.

Exit status, for CI:
  0  every claim holds
  1  a claim is refuted (even when others could not be measured)
  2  the claims file is wrong; nothing ran
  3  something could not be measured: no Docker engine, a lab error, a
     claim without data — or a claim is NOT JUDGED OFFLINE: measured on a
     stand-in that does not reproduce what it is about (size, package
     database, package manager; the number is shown). Missing Docker is
     never "refuted".

Shipped files (usable by name from any folder): course — the course's own
claims, each verified or refuted by the labs; example-migration — how a
team guards its move to alpine with its own image and probe.`,
		Example: `  baselab claims course                              # run what the course's claims need
  baselab claims course --results results/latest     # judge an existing run, run nothing
  baselab claims guard.yaml --image registry.example.org/app:$SHA --junit claims.xml
  baselab claims course --plan                       # only say what would run`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			code, err := runClaims(cmd.Context(), o, args[0], cmd.OutOrStdout(), cmd.ErrOrStderr(), func() (*lab.Env, func(), error) {
				// The same check as `baselab run`, once, before any lab.
				eng, cat, err := preflight(cmd.Context(), cmd.ErrOrStderr())
				if err != nil {
					return nil, nil, err
				}
				return &lab.Env{Engine: eng, Catalog: cat, Progress: cmd.ErrOrStderr(), Short: o.short}, func() { eng.Close() }, nil
			})
			if err != nil {
				fmt.Fprintln(cmd.ErrOrStderr(), "baselab:", err)
			}
			return exitWith(code)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.results, "results", "", "judge the claims against this results folder (or results.jsonl): nothing runs")
	f.StringVar(&o.out, "out", "", "folder for the records of the labs run (default ./results/claims-<UTC time>)")
	f.StringVar(&o.junit, "junit", "", "also write the verdicts as JUnit XML to this file, for CI")
	f.StringVar(&o.image, "image", "", "use this image in every claim that names a user's image (the one CI just built)")
	f.BoolVar(&o.short, "short", false, "skip the slow cells (their claims then have no data)")
	f.BoolVar(&o.plan, "plan", false, "check the file and print the lab runs it needs, run nothing")
	return cmd
}

// runClaims is the command without its exit: it returns the exit code.
// newEnv connects to the engine only when a lab must run.
func runClaims(ctx context.Context, o *claimsOpts, name string, stdout, stderr io.Writer, newEnv func() (*lab.Env, func(), error)) (int, error) {
	file, err := claims.Load(name)
	if err != nil {
		if ps, ok := err.(claims.Problems); ok {
			if len(ps) == 1 {
				// One problem is one line.
				fmt.Fprintf(stderr, "%s; nothing was run\n", ps[0].Error())
				return claimsBadInput, nil
			}
			for _, p := range ps {
				fmt.Fprintln(stderr, p.Error())
			}
			fmt.Fprintf(stderr, "%d problems: nothing was run\n", len(ps))
			return claimsBadInput, nil
		}
		return claimsBadInput, err
	}
	if o.image != "" && file.SetImage(o.image) == 0 {
		fmt.Fprintf(stderr, "%s: --image %s: no claim names a user's image\n", file.Path, o.image)
		return claimsBadInput, nil
	}
	jobs := claims.Plan(file)
	if o.plan {
		fmt.Fprintf(stdout, "%s: %d claims need %d lab runs:\n", file.Path, len(file.Claims), len(jobs))
		for _, j := range jobs {
			fmt.Fprintf(stdout, "  %s\n", j)
		}
		return claimsOK, nil
	}
	var rs []record.Record
	labFailed := false
	if o.results != "" {
		if rs, err = record.Read(o.results); err != nil {
			return claimsBadInput, err
		}
	} else {
		out := o.out
		if out == "" {
			out = filepath.Join("results", "claims-"+time.Now().UTC().Format("20060102T150405Z"))
		}
		if err := record.CheckFresh(out, false); err != nil {
			return claimsBadInput, err
		}
		env, done, err := newEnv()
		if err != nil {
			return claimsNotMeasured, err
		}
		defer done()
		w, err := record.Create(out)
		if err != nil {
			return claimsNotMeasured, err
		}
		defer w.Close()
		env.Out = w
		var needs []string
		for _, j := range jobs {
			needs = append(needs, j.String())
		}
		fmt.Fprintf(stderr, "claims: %d claims need: %s\n", len(file.Claims), strings.Join(needs, "; "))
		rs, err = claims.Run(ctx, env, jobs)
		if err != nil {
			fmt.Fprintln(stderr, "claims:", err)
			labFailed = true
		}
		fmt.Fprintf(stderr, "claims: %d records in %s\n", len(rs), w.Path())
		if h, _, err := report.WriteDir(out, report.Options{}); err != nil {
			fmt.Fprintln(stderr, "claims: no report:", err)
		} else {
			fmt.Fprintf(stderr, "claims: report %s\n", h)
		}
	}
	vs := claims.Evaluate(file, rs)
	sum := claims.WriteText(stdout, file, vs)
	if o.junit != "" {
		jf, err := os.Create(o.junit)
		if err != nil {
			return claimsNotMeasured, fmt.Errorf("write junit: %w", err)
		}
		if err := claims.WriteJUnit(jf, file, vs); err != nil {
			jf.Close()
			return claimsNotMeasured, err
		}
		if err := jf.Close(); err != nil {
			return claimsNotMeasured, fmt.Errorf("write junit: %w", err)
		}
	}
	switch {
	case sum.Refuted > 0:
		return claimsRefuted, nil
	case sum.CouldNotMeasure > 0 || sum.NotJudged > 0 || labFailed:
		return claimsNotMeasured, nil
	}
	return claimsOK, nil
}
