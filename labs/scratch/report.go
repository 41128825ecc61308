package scratch

import (
	"github.com/baselab/baselab/harness/record"
	"github.com/baselab/baselab/harness/report"
)

// reportLab is the lab's part of the report: each step's outcome and the
// error it showed is the whole story; the records table has the sizes.
func reportLab() report.Lab {
	return report.Lab{
		Title: "Scratch: what an empty image lacks",
		Intro: "A static Go program fetching over HTTPS, loading a time zone and naming its user, on scratch with and without each fix.",
		Section: func(s *report.Section, rs []record.Record, _ []map[string]any) error {
			report.OutcomeTable(s, rs)
			return nil
		},
	}
}
