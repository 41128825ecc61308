package main

import "github.com/spf13/cobra"

// addMoreCommands adds the commands that live in their own files.
func addMoreCommands(root *cobra.Command) {
	root.AddCommand(newDNSFakerCmd(), newCheckCmd())
	root.AddCommand(newReportCmd(), newClaimsCmd(), newRecommendCmd(), newLintCmd())
	root.AddCommand(newDoctorCmd(), newCompareCmd(), newExerciseCmd())
}
