package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/baselab/baselab/harness/record"
	"github.com/baselab/baselab/harness/report"
	"github.com/baselab/baselab/labs"
	"github.com/spf13/cobra"
)

func newReportCmd() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "report DIR",
		Short: "Turn a results folder into report.html (charts inline) and report.md",
		Long: `report reads DIR/results.jsonl (or a results file) and writes report.html
and report.md beside it (or into --out).

report.html is one self-contained page — styles and SVG charts inline, no
script, nothing fetched — so it opens from a CI artifact or a mail attachment:
per lab a table and charts (DNS latency per resolver × fault × options, the
timeline of one lookup under race for musl, glibc and Go, latency under load,
image sizes, packages per base). report.md has the same tables.

Every record's image (with digest) and libc are shown and every stand-in is
marked as one. A lab without records, a field no record carries, a chart
without the cells it needs: the report says so rather than leaving a gap.

'baselab run' writes the report into its --out folder by itself.`,
		Example: `  baselab report results/latest
  baselab report /tmp/dns/results.jsonl --out /tmp/pages`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			rs, err := record.Read(args[0])
			if err != nil {
				return err
			}
			dir := out
			if dir == "" {
				dir = args[0]
				if st, err := os.Stat(args[0]); err == nil && !st.IsDir() {
					dir = filepath.Dir(args[0])
				}
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return fmt.Errorf("create report folder: %w", err)
			}
			h, m, err := report.Write(dir, rs, report.Options{Labs: labs.Reports(), Source: args[0]})
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s\n%s\n", h, m)
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "folder to write report.html and report.md into (default: beside the results)")
	return cmd
}

// writeReport writes the report of a run into its results folder.
func writeReport(cmd *cobra.Command, out string) error {
	if _, err := os.Stat(filepath.Join(out, record.FileName)); err != nil {
		return fmt.Errorf("no report: %w", err)
	}
	h, _, err := report.WriteDir(out, report.Options{Labs: labs.Reports()})
	if err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	fmt.Fprintf(cmd.OutOrStdout(), "report: %s\n", h)
	return nil
}
