package wheel

import (
	"github.com/baselab/baselab/harness/record"
	"github.com/baselab/baselab/harness/report"
)

// reportLab is the wheel lab's part of the report: the failure and its
// evidence per variant is the whole story.
var reportLab = report.Lab{
	Title: "Wheel: glibc-built Python extensions on musl",
	Intro: "The same extension built against glibc and against musl, imported and called on each Python base.",
	Section: func(s *report.Section, rs []record.Record, _ []map[string]any) error {
		report.OutcomeTable(s, rs)
		return nil
	},
}
