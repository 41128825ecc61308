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

With --probe CMD ({name} is the name to look up, e.g. 'getent hosts
{name}'), the DNS lab's faults run with your command on both images (the
lab's --image/--probe mode: its fake server on an internal network, the
static timer bind-mounted so scratch and distroless work), 3 lookups per
fault each in a fresh container, and the summary sets the outcomes side by
side.

Exit status: 0 NEW has no error finding OLD did not (and, with --probe, no
fault under which its lookups fail or stall where OLD's did not); 1 it has;
2 a bad flag, a bad --probe or not two images; 3 an image doctor cannot
judge, a probe that does not work in an image, or no engine.`,
		Example: `  baselab compare myapp:slim myapp:alpine
  baselab compare --markdown summary.md --junit compare.xml myapp:slim myapp:alpine
  baselab compare --json myapp:slim myapp:alpine > compare.json
  baselab compare --probe 'python3 -c "import socket,sys; socket.getaddrinfo(sys.argv[1], 443)" {name}' myapp:slim myapp:alpine`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return exitWith(c.Run(cmd.Context(), args, cmd.OutOrStdout(), cmd.ErrOrStderr()))
		},
	}
	f := cmd.Flags()
	f.BoolVar(&c.JSON, "json", false, "write the comparison as JSON instead of the Markdown summary")
	f.StringVar(&c.Markdown, "markdown", "", "also write the Markdown summary to this file (for a pull-request comment)")
	f.StringVar(&c.JUnit, "junit", "", "also write JUnit XML to this file: a case per check, failing on what NEW breaks")
	f.StringSliceVar(&c.Faults, "probe-faults", nil, "with --probe: the DNS lab's faults to run (default: the lab's, see 'baselab run dns --help')")
	f.StringVar(&c.Probe, "probe", "", "your lookup command with {name}: run the DNS lab's faults with it on both images")
	return cmd
}
