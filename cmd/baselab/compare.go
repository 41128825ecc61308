package main

import (
	"github.com/baselab/baselab/labs/doctor"
	"github.com/spf13/cobra"
)

func newCompareCmd() *cobra.Command {
	var c doctor.CompareCommand
	cmd := &cobra.Command{
		Use:   "compare [flags] OLD NEW",
		Short: "A base-image migration in one page: doctor on both, size, layers and surface side by side, what NEW breaks",
		Long: `compare runs doctor on OLD and NEW (both must be in the engine; nothing is
pulled or run), reads their surface (packages, shells, package managers,
setuid files, user) as the surface lab does, and writes a Markdown summary
short enough for a pull-request comment: the two side by side, what NEW
breaks that OLD did not (a finding of the same check on the same file is
the same), and what NEW fixes.

Exit status: 0 NEW has no error finding OLD did not; 1 it has; 2 a bad flag
or not two images; 3 an image doctor cannot judge, or no engine.`,
		Example: `  baselab compare myapp:slim myapp:alpine
  baselab compare --markdown summary.md --junit compare.xml myapp:slim myapp:alpine
  baselab compare --json myapp:slim myapp:alpine > compare.json`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return exitWith(c.Run(cmd.Context(), args, cmd.OutOrStdout(), cmd.ErrOrStderr()))
		},
	}
	f := cmd.Flags()
	f.BoolVar(&c.JSON, "json", false, "write the comparison as JSON instead of the Markdown summary")
	f.StringVar(&c.Markdown, "markdown", "", "also write the Markdown summary to this file (for a pull-request comment)")
	f.StringVar(&c.JUnit, "junit", "", "also write JUnit XML to this file: a case per check, failing on what NEW breaks")
	return cmd
}
