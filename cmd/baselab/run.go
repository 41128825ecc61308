package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/baselab/baselab/harness/engine"
	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/harness/record"
	"github.com/baselab/baselab/labs"
	"github.com/baselab/baselab/labs/lab"
	"github.com/spf13/cobra"
)

type runOpts struct {
	out    string
	short  bool
	append bool
}

// labOpts are the options every lab has; the contract applies them.
type labOpts struct {
	only []string
	list bool
}

func newRunCmd() *cobra.Command {
	o := &runOpts{}
	cmd := &cobra.Command{
		Use:   "run [LAB]",
		Short: "Run labs on real containers and record what they measure",
		Long: `run runs a lab (or, with no LAB, every lab) on real containers and writes
one JSON record per lab cell to OUT/results.jsonl. An OUT that already holds
records is refused before anything runs (--append adds to them). Every record names the
image (and digest), its libc, whether it is a stand-in, what was measured and
the evidence seen.

Each lab has its own options: 'baselab run LAB --help'. Every lab takes
--list (print its variants and stop; no Docker needed) and --variant
PATTERN (run only the variants named: a variant's name, or a glob where
'*' stops at '/', e.g. 'alpine/race/*').

Ctrl-C (or SIGTERM) stops the run: no further lab starts, the records of the
cells that finished are kept and the report is written from them, every
container and network the run started is removed (they carry the label
org.baselab.run=<the run id printed first>), and baselab exits 130.`,
		Example: `  baselab run                               # every lab, into ./results/<time>/
  baselab run dns --out /tmp/dns            # one lab
  baselab run dns --list                    # its variants, without Docker
  baselab run dns --variant 'alpine/race/*' # only those
  baselab run wheel --short                 # skip the slow cells (they are named)`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return nil
			}
			names := make([]string, 0, len(labs.All()))
			for _, l := range labs.All() {
				names = append(names, l.Name)
			}
			return usage(fmt.Errorf("unknown lab %q: the labs are %s", args[0], strings.Join(names, ", ")))
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runLabs(cmd, o, labs.All(), labOpts{})
		},
	}
	cmd.PersistentFlags().StringVar(&o.out, "out", "", "results folder (default ./results/<UTC time>)")
	cmd.PersistentFlags().BoolVar(&o.short, "short", false, "skip the cells whose expected time is long, and say which")
	cmd.PersistentFlags().BoolVar(&o.append, "append", false, "add to the records already in --out (without it, a folder holding records is refused)")
	for _, l := range labs.All() {
		l := l
		lo := &labOpts{}
		sub := &cobra.Command{
			Use:   l.Name,
			Short: l.Summary,
			Args:  cobra.NoArgs,
			RunE: func(cmd *cobra.Command, args []string) error {
				if lo.list {
					if err := l.Validate(lo.only); err != nil {
						return usage(err)
					}
					for _, v := range l.Variants() {
						if len(lo.only) == 0 || (&lab.Env{Only: lo.only}).Want(v) {
							fmt.Fprintln(cmd.OutOrStdout(), v)
						}
					}
					return nil
				}
				return runLabs(cmd, o, []lab.Lab{l}, *lo)
			},
		}
		if l.Config != nil {
			l.Config.Bind(sub.Flags())
		}
		sub.Flags().StringSliceVar(&lo.only, "variant", nil, "run only these variants (repeatable): a name or a glob, '*' stops at '/' (see --list)")
		sub.Flags().BoolVar(&lo.list, "list", false, "print the variants this configuration runs and stop (no Docker needed)")
		cmd.AddCommand(sub)
	}
	return cmd
}

func runLabs(cmd *cobra.Command, o *runOpts, ls []lab.Lab, lo labOpts) error {
	if len(ls) == 0 {
		return fmt.Errorf("no labs are defined in this build")
	}
	// Every configuration is checked before the engine is reached and
	// before the results folder exists: a typo costs nothing.
	for _, l := range ls {
		if err := l.Validate(lo.only); err != nil {
			return usage(err)
		}
	}
	out := o.out
	if out == "" {
		out = filepath.Join("results", time.Now().UTC().Format("20060102T150405Z"))
	}
	if err := checkOut(out); err != nil {
		return err
	}
	if err := record.CheckFresh(out, o.append); err != nil {
		return usage(err)
	}
	// What the run needs is checked once, here, before any lab starts.
	eng, cat, err := preflight(cmd.Context(), cmd.ErrOrStderr())
	if err != nil {
		return err
	}
	defer eng.Close()
	w, err := record.Create(out)
	if err != nil {
		return err
	}
	defer w.Close()
	env := &lab.Env{Engine: eng, Catalog: cat, Out: w, Progress: cmd.ErrOrStderr(), Short: o.short, Only: lo.only}
	ctx := cmd.Context()
	// The run id is printed so that what this run left on the engine (if
	// it was killed outright) can be found by its label.
	env.Logf("run %s: its containers and networks carry the label %s=%s", eng.RunID, engine.LabelRun, eng.RunID)
	start := time.Now()
	var keys []images.Key
	for _, l := range ls {
		keys = append(keys, l.Keys(env)...)
	}
	stop := lab.Prefetch(ctx, env, keys)
	defer stop()
	var failed, notStarted []string
	total := 0
	for _, l := range ls {
		if ctx.Err() != nil {
			notStarted = append(notStarted, l.Name)
			continue
		}
		env.Logf("== lab %s: %s", l.Name, l.Summary)
		rs, err := l.Run(ctx, env)
		total += len(rs)
		if err != nil {
			env.Logf("lab %s: %v", l.Name, err)
			if ctx.Err() == nil {
				failed = append(failed, l.Name)
			}
		}
	}
	if ctx.Err() != nil {
		return interrupted(cmd, eng, w, out, total, notStarted)
	}
	fmt.Fprintf(cmd.OutOrStdout(), "%d records in %s (%s)\n", total, w.Path(), time.Since(start).Round(time.Second))
	if err := writeReport(cmd, out); err != nil {
		return err
	}
	if len(failed) > 0 {
		return fmt.Errorf("labs that could not finish: %v (see the lines above)", failed)
	}
	return nil
}

// interrupted ends a run stopped by Ctrl-C (or SIGTERM): the labs have
// removed what they started, each on its way out; the sweep by this run's
// label catches whatever a cancelled step left behind. It runs on a context
// that is not cancelled, or the interrupt that asks for the cleanup would
// also cancel it. The records already written are kept and reported.
func interrupted(cmd *cobra.Command, eng *engine.Engine, w *record.Writer, out string, total int, notStarted []string) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(cmd.Context()), time.Minute)
	defer cancel()
	s, cerr := eng.Clean(ctx, engine.CleanOptions{RunID: eng.RunID})
	stderr := cmd.ErrOrStderr()
	fmt.Fprintf(stderr, "interrupted: removed %d containers and %d networks of run %s\n", s.Containers, s.Networks, eng.RunID)
	if len(notStarted) > 0 {
		fmt.Fprintf(stderr, "interrupted: labs not started: %s\n", strings.Join(notStarted, ", "))
	}
	fmt.Fprintf(cmd.OutOrStdout(), "%d records finished before the interrupt, in %s\n", total, w.Path())
	if total > 0 {
		if err := writeReport(cmd, out); err != nil {
			return errInterrupted{err}
		}
	}
	if cerr != nil {
		return errInterrupted{fmt.Errorf("remove run %s: %w (remove what is left by its label %s=%s)", eng.RunID, cerr, engine.LabelRun, eng.RunID)}
	}
	return errInterrupted{fmt.Errorf("interrupted: the partial results are in %s", out)}
}
