package doctor

import (
	"strings"
	"testing"

	"github.com/baselab/baselab/harness/record"
	"github.com/baselab/baselab/labs/lab"
	"github.com/stretchr/testify/assert"
)

// TestJudgeOrderReadsTheServersLog: the order is confirmed only when every
// run asked DNS for a name /etc/hosts had; a run that asked nothing read
// the file first, and a mix says the order is not one.
func TestJudgeOrderReadsTheServersLog(t *testing.T) {
	rec := func(outcome string, tries, ok, asked int) record.Record {
		r := record.Record{Outcome: outcome, Tries: tries, OK: ok, Failed: tries - ok, Evidence: "exit 2 after 1 ms"}
		r.Set("in_hosts", true)
		r.Set("asked_dns", asked)
		r.Set("queries", 2*asked)
		return r
	}
	for _, c := range []struct {
		name string
		rec  record.Record
		want string
	}{
		{"DNS first, and its NXDOMAIN ends the lookup", rec("fail-fast", 3, 0, 3), "confirmed: with the name in /etc/hosts and nxdomain from DNS, every run of 3 asked DNS first (6 queries"},
		{"DNS first, then the file", rec("ok-fast", 3, 3, 3), "confirmed: with the name in /etc/hosts, every run of 3 asked DNS first"},
		{"files first: nothing asked", rec("ok-fast", 3, 3, 0), "not confirmed: with the name in /etc/hosts and nxdomain from DNS, none of 3 runs asked DNS"},
		{"not the same order every run", rec("mixed-fast", 3, 2, 1), "not confirmed: 1 of 3 runs asked DNS"},
		{"the lab could not run it", record.Record{Outcome: lab.Error, Errors: []string{"start container: no such image"}}, "not confirmed: the lab could not measure it (start container"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := judgeOrder(c.rec)
			assert.True(t, strings.HasPrefix(got, c.want), got)
		})
	}
}
