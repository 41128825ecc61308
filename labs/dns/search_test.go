package dns_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/baselab/baselab/harness/record"
	"github.com/baselab/baselab/labs/dns"
	"github.com/baselab/baselab/labs/labtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSearchLists runs the k8s preset (a pod's search list, ndots:5) and
// its ndots:1 fix on both musls, glibc and Go, with SERVFAIL, a timeout and
// NODATA on the pod's namespace suffix. What each must do comes from the
// walk in each resolver's source (search.go predictSearch cites it); every
// cell's names tried, queries per lookup and result are compared there.
func TestSearchLists(t *testing.T) {
	if testing.Short() {
		// -short would drop the slow cells, and they are the measurement.
		t.Skip("-short: the walk on a SERVFAIL or timing-out suffix is the measurement, and those cells take 15 s and more")
	}
	env := labtest.Env(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	cfg := dns.DefaultConfig()
	cfg.Bases = []string{"alpine", "alpine-3.17", "slim", "scratch"}
	cfg.Options = []string{"k8s", "k8s ndots:1"}
	cfg.Load = false
	cfg.Tries = 3
	recs, err := dns.Run(ctx, env, cfg)
	require.NoError(t, err)
	got := map[string]record.Record{}
	for _, r := range recs {
		b, err := json.Marshal(r)
		require.NoError(t, err)
		var back record.Record
		require.NoError(t, json.Unmarshal(b, &back))
		got[r.Variant] = back
	}
	require.Len(t, got, 4*4*3*2)

	for v, r := range got {
		ok, known := r.Bool("as_predicted")
		require.True(t, known, "%s: every search cell has a prediction", v)
		assert.True(t, ok, "%s: %s (outcome %s, tried %v)", v, r.Detail, r.Outcome, r.Extra["names_tried"])
	}

	queries := func(v string) float64 { f, _ := got[v].Float("queries_per_lookup"); return f }
	tried := func(v string) int { return got[v].Len("names_tried") }
	for _, base := range []string{"alpine", "alpine-3.17", "slim", "scratch"} {
		// (3 suffixes + the name) × A and AAAA; a trailing dot: the name alone.
		assert.Equal(t, 8.0, queries(base+"/ok/k8s/short"), base)
		assert.Equal(t, 8.0, queries(base+"/ok/k8s/dotted"), base)
		assert.Equal(t, 2.0, queries(base+"/ok/k8s/fqdn"), base)
		assert.Equal(t, 2.0, queries(base+"/ok/k8s+ndots:1/dotted"), "%s: ndots:1 asks a dotted name as it is first", base)
	}
	for _, v := range []string{"alpine/servfail@1/k8s/dotted", "alpine-3.17/servfail@1/k8s/dotted", "alpine/nodata@1/k8s/short"} {
		assert.Equal(t, "fail", got[v].Outcome[:4], "%s: musl stops at the first answer that is not NXDOMAIN", v)
		assert.Equal(t, 1, tried(v), "%s: no name after the failing suffix is asked", v)
	}
	for _, v := range []string{"slim/servfail@1/k8s/dotted", "scratch/servfail@1/k8s/dotted", "slim/nodata@1/k8s/short"} {
		assert.Equal(t, "both-fast", got[v].Outcome, "%s: glibc and Go go on to the next name", v)
		assert.Equal(t, 4, tried(v), v)
	}
	for _, base := range []string{"alpine", "slim", "scratch"} {
		assert.Equal(t, "both-fast", got[base+"/servfail@1/k8s+ndots:1/dotted"].Outcome, "%s: ndots:1 fixes a dotted name", base)
		assert.Equal(t, "both-fast", got[base+"/servfail@1/k8s/fqdn"].Outcome, "%s: a trailing dot fixes any name", base)
	}
}
