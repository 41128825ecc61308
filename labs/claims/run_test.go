package claims

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/baselab/baselab/harness/record"
	"github.com/baselab/baselab/labs/labtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// On real containers: a claims file runs only the cells it names, in one
// run of the dns lab, and the verdicts come out as the resolvers' sources
// say (labs/dns/resolver-notes.md): musl resends the lost query after
// timeout/attempts = 2.5 s; glibc with single-request never has two
// queries outstanding; Go uses a socket per query.
func TestClaimsRunOnlyTheCellsTheyNeed(t *testing.T) {
	env := labtest.Env(t)
	y := `name: docker
claims:
  - {id: musl-stalls, claim: musl stalls under race, lab: dns, variant: alpine/race/none/none, flags: {tries: "2", load: "false"}, measure: p95_ms, bound: ">= 1 s"}
  - {id: musl-2500, claim: musl's stall is timeout/attempts, lab: dns, variant: alpine/race/none/none, flags: {tries: "2", load: "false"}, measure: p95_ms, bound: within 20% of 2.5 s}
  - {id: glibc-single-request, claim: single-request makes glibc fast, lab: dns, variant: slim/race/single-request/none, flags: {tries: "2", load: "false"}, measure: p95_ms, bound: "< 1 s"}
  - {id: go-fast, claim: Go's resolver is not hit, lab: dns, variant: distroless-static/race/none/none, flags: {tries: "2", load: "false"}, measure: p95_ms, bound: "< 1 s"}
  - id: musl-single-request-ratio
    claim: single-request makes musl 5x faster
    lab: dns
    variant: alpine/race/single-request/none
    flags: {tries: "2", load: "false"}
    baseline: {variant: alpine/race/none/none}
    measure: p95_ms
    bound: "< 0.2"
`
	f, err := Parse(strings.NewReader(y), "docker.yaml")
	require.NoError(t, err)
	jobs := Plan(f)
	require.Len(t, jobs, 1, "one run of the dns lab")

	dir := t.TempDir()
	w, err := record.Create(dir)
	require.NoError(t, err)
	env.Out = w
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	rs, err := Run(ctx, env, jobs)
	require.NoError(t, err)
	require.NoError(t, w.Close())

	var variants []string
	for _, r := range rs {
		variants = append(variants, r.Variant)
	}
	assert.ElementsMatch(t, []string{"alpine/race/none/none", "alpine/race/single-request/none", "slim/race/single-request/none",
		"distroless-static/race/none/none"}, variants, "only the cells the claims name ran")
	onDisk, err := record.Read(dir)
	require.NoError(t, err)
	assert.Len(t, onDisk, len(rs), "the run's records are kept")

	want := map[string]Status{"musl-stalls": Holds, "musl-2500": Holds, "glibc-single-request": Holds, "go-fast": Holds,
		"musl-single-request-ratio": Refuted}
	for _, v := range Evaluate(f, rs) {
		t.Logf("%s %s: %s", v.Status, v.Claim.ID, v.Line())
		assert.Equal(t, want[v.Claim.ID], v.Status, "%s: %s — %s", v.Claim.ID, v.Line(), v.Evidence())
	}
}
