package main

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/baselab/baselab/harness/record"
	"github.com/baselab/baselab/labs"
	"github.com/spf13/cobra"
)

type runOpts struct {
	out   string
	short bool
}

func newRunCmd() *cobra.Command {
	o := &runOpts{}
	cmd := &cobra.Command{
		Use:   "run [LAB]",
		Short: "Run labs on real containers and record what they measure",
		Long: `run runs a lab (or, with no LAB, every lab) on real containers and appends
one JSON record per lab cell to OUT/results.jsonl. Every record names the
image (and digest), its libc, whether it is a stand-in, what was measured and
the evidence seen.

Each lab has its own options: 'baselab run LAB --help'.`,
		Example: `  baselab run                      # every lab, into ./results/<time>/
  baselab run dns --out /tmp/dns   # one lab
  baselab run wheel --short        # skip the slow cells (they are named)`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runLabs(cmd, o, labs.All())
		},
	}
	cmd.PersistentFlags().StringVar(&o.out, "out", "", "results folder (default ./results/<UTC time>)")
	cmd.PersistentFlags().BoolVar(&o.short, "short", false, "skip the cells whose expected time is long, and say which")
	for _, l := range labs.All() {
		lab := l
		sub := &cobra.Command{
			Use:   lab.Name,
			Short: lab.Summary,
			Args:  cobra.NoArgs,
			RunE: func(cmd *cobra.Command, args []string) error {
				return runLabs(cmd, o, []labs.Lab{lab})
			},
		}
		if lab.Flags != nil {
			lab.Flags(sub.Flags())
		}
		cmd.AddCommand(sub)
	}
	return cmd
}

func runLabs(cmd *cobra.Command, o *runOpts, ls []labs.Lab) error {
	if len(ls) == 0 {
		return fmt.Errorf("no labs are defined in this build")
	}
	out := o.out
	if out == "" {
		out = filepath.Join("results", time.Now().UTC().Format("20060102T150405Z"))
	}
	eng, cat, err := connect(cmd)
	if err != nil {
		return err
	}
	defer eng.Close()
	w, err := record.Create(out)
	if err != nil {
		return err
	}
	defer w.Close()
	env := &labs.Env{Engine: eng, Catalog: cat, Out: w, Progress: cmd.ErrOrStderr(), Short: o.short}
	start := time.Now()
	var failed []string
	total := 0
	for _, l := range ls {
		env.Logf("== lab %s: %s", l.Name, l.Summary)
		rs, err := l.Run(cmd.Context(), env)
		total += len(rs)
		if err != nil {
			env.Logf("lab %s: %v", l.Name, err)
			failed = append(failed, l.Name)
		}
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
