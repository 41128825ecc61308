package claims

import (
	"strings"
	"testing"

	"github.com/baselab/baselab/harness/record"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An inconclusive record (its timing was inside the run's noise floor) backs
// no verdict: each of these claims would hold or be refuted on the same
// numbers in a conclusive record, and is "could not measure" here.
func TestAnInconclusiveRecordCouldNotBeMeasured(t *testing.T) {
	const why = "inconclusive: p50 640 ms is past the stall line 500 ms (the resolver's shortest timer) but inside this run's noise floor 910 ms (the slowest of 60 lookups under ok): a stall and a busy machine look the same here"
	noisy := dnsRec("alpine", "musl", "race", "timeout:1 attempts:2", record.OutcomeInconclusive, 620, 640, 700)
	noisy.Evidence = why
	calm := dnsRec("alpine", "musl", "race", "", "both-stall", 2522, 2523, 2523)
	conclusive := noisy.Clone()
	conclusive.Outcome = "both-stall"
	const file = `name: noise
claims:
  - {id: stalls, claim: musl stalls half a second, lab: dns, variant: "alpine/race/timeout:1+attempts:2/none", measure: p50_ms, bound: ">= 500"}
  - {id: fast, claim: musl is fast, lab: dns, variant: "alpine/race/timeout:1+attempts:2/none", measure: p50_ms, bound: "< 500"}
  - {id: all-stall, claim: every musl race cell stalls, lab: dns, variant: "alpine/race/*/none", measure: p50_ms, bound: ">= 500"}
  - {id: ratio, claim: a shorter timeout is 2x faster, lab: dns, variant: "alpine/race/timeout:1+attempts:2/none", baseline: {variant: alpine/race/none/none}, measure: p50_ms, bound: "< 0.5"}
`
	f, err := Parse(strings.NewReader(file), "noise.yaml")
	require.NoError(t, err)

	judged := map[string]Status{}
	for _, v := range Evaluate(f, []record.Record{conclusive, calm}) {
		judged[v.Claim.ID] = v.Status
	}
	assert.Equal(t, map[string]Status{"stalls": Holds, "fast": Refuted, "all-stall": Holds, "ratio": Holds}, judged,
		"the same numbers in a conclusive record are judged")

	for _, v := range Evaluate(f, []record.Record{noisy, calm}) {
		assert.Equal(t, CouldNotMeasure, v.Status, "%s: %s", v.Claim.ID, v.Line())
		assert.Contains(t, v.Why, "is inconclusive ("+why, v.Claim.ID)
	}
}
