package main

import (
	"fmt"

	"github.com/baselab/baselab/labs/exercise"
	"github.com/spf13/cobra"
)

func newExerciseCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "exercise list | show N | check N PATH [--json]",
		Short: "The course's five exercises, graded on real containers",
		Long: `exercise grades the course's five exercises: the learner hands in a folder,
baselab builds and runs it with the labs' own machinery, and answers check
by check with what was measured and, for a failure, the lab README section
that explains it.

Exit status of check: 0 every check passed; 1 a check failed; 2 bad input
(no such exercise, no PATH, a malformed hand-in), before Docker; 3 the
hand-in could not be graded (no engine, a lab that failed).`,
		Example: `  baselab exercise list
  baselab exercise show 2
  baselab exercise check 2 labs/exercise/samples/2/good
  baselab exercise check 5 my-answers --json`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(&cobra.Command{
		Use: "list", Short: "The exercises", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			exercise.List(cmd.OutOrStdout())
			return nil
		},
	})
	cmd.AddCommand(&cobra.Command{
		Use: "show N", Short: "An exercise's task, what to hand in, how it is checked",
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usage(fmt.Errorf("show takes one exercise number: baselab exercise show N (`baselab exercise list`)"))
			}
			return usage(exercise.Show(cmd.OutOrStdout(), args[0]))
		},
	})
	var asJSON bool
	check := &cobra.Command{
		Use: "check N PATH", Short: "Grade a hand-in folder on containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			n, path := "", ""
			if len(args) > 0 {
				n = args[0]
			}
			if len(args) > 1 {
				path = args[1]
			}
			if len(args) > 2 {
				return usage(fmt.Errorf("check takes an exercise number and one hand-in folder, %d arguments given", len(args)))
			}
			return exitWith(exercise.RunCheck(cmd.Context(), n, path, asJSON, cmd.OutOrStdout(), cmd.ErrOrStderr()))
		},
	}
	check.Flags().BoolVar(&asJSON, "json", false, "write the grade as JSON")
	cmd.AddCommand(check)
	return cmd
}
