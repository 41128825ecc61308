package dns

import (
	"testing"

	"github.com/baselab/baselab/harness/record"
	"github.com/stretchr/testify/assert"
)

// TestPredictionModel holds as_predicted to its definition, without Docker:
// a cell's prediction comes from predict (the resolver's source, cited in
// resolver-notes.md) and its lookups are the durations a run could measure.
// The median alone would pass a cell with two stalls in five lookups; each
// lookup is compared.
func TestPredictionModel(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                                  string
		resolver, libc, fault, options, flags string
		class, code                           string
		ms                                    []float64
		ok                                    bool
		why                                   string // part of the reason when !ok
	}{
		{name: "glibc race waits one 5 s timeout per lookup",
			resolver: "glibc", fault: "race", class: "both", ms: []float64{5104, 5102, 5106, 5101, 5103}, ok: true},
		{name: "glibc race with two of five lookups fast is not as predicted though its p50 is 5 s",
			resolver: "glibc", fault: "race", class: "both", ms: []float64{5104, 52, 5106, 51, 5103}, why: "2 of 5 lookups under 4600 ms"},
		{name: "musl race resends after timeout/attempts, 2.5 s",
			resolver: "musl", libc: "musl-1.2.5", fault: "race", class: "both", ms: []float64{2553, 2551, 2555, 2552, 2554}, ok: true},
		{name: "musl race at glibc's 5 s is not musl's retry interval",
			resolver: "musl", libc: "musl-1.2.5", fault: "race", class: "both", ms: []float64{5104, 5102, 5106, 5101, 5103}, why: "p50 5103 ms, predicted 2500"},
		{name: "musl timeout:1 attempts:2 retries after 500 ms",
			resolver: "musl", libc: "musl-1.2.5", fault: "race", options: "timeout:1 attempts:2", class: "both", ms: []float64{553, 551, 560, 552, 549}, ok: true},
		{name: "glibc ok is fast",
			resolver: "glibc", fault: "ok", class: "both", ms: []float64{4, 5, 3, 6, 4}, ok: true},
		{name: "glibc ok with two stalls in five lookups is not fast though its p50 is",
			resolver: "glibc", fault: "ok", class: "both", ms: []float64{4, 5105, 3, 5102, 4}, why: "2 of 5 lookups stalled"},
		{name: "a fast cell tolerates scheduling noise under the stall line",
			resolver: "glibc", fault: "ok", class: "both", ms: []float64{4, 650, 3, 5, 4}, ok: true},
		{name: "glibc timeout:AAAA waits three timeouts (parallel, single-request, reopen)",
			resolver: "glibc", fault: "timeout:AAAA", class: "a-only", ms: []float64{15104, 15102, 15110, 15101, 15103}, ok: true},
		{name: "glibc timeout:AAAA with one lookup of two timeouts is not as predicted",
			resolver: "glibc", fault: "timeout:AAAA", class: "a-only", ms: []float64{15104, 10102, 15110, 15101, 15103}, why: "1 of 5 lookups under 14600 ms"},
		{name: "glibc timeout:AAAA with single-request waits two timeouts",
			resolver: "glibc", fault: "timeout:AAAA", options: "single-request", class: "a-only", ms: []float64{10104, 10102, 10110, 10101, 10103}, ok: true},
		{name: "a lookup that waited another timer on top is not as predicted",
			resolver: "musl", libc: "musl-1.2.5", fault: "race", class: "both", ms: []float64{2553, 2551, 5055, 2552, 2554}, why: "1 of 5 lookups waited another timer"},
		{name: "musl timeout:AAAA fails with EAI_AGAIN after the timeout",
			resolver: "musl", libc: "musl-1.2.5", fault: "timeout:AAAA", class: "fail", code: "EAI_AGAIN", ms: []float64{5004, 5002, 5003, 5001, 5006}, ok: true},
		{name: "musl timeout:AAAA with another error is not as predicted",
			resolver: "musl", libc: "musl-1.2.5", fault: "timeout:AAAA", class: "fail", code: "EAI_NONAME", ms: []float64{5004, 5002, 5003, 5001, 5006}, why: "got error EAI_NONAME"},
		{name: "addrconfig without IPv6 asks A only: fast even under race",
			resolver: "musl", libc: "musl-1.2.5", fault: "race", flags: "addrconfig", class: "a-only", ms: []float64{3, 4, 3, 5, 4}, ok: true},
		{name: "v4mapped-addrconfig is addrconfig for an AF_UNSPEC lookup (glibc)",
			resolver: "glibc", fault: "race", flags: "v4mapped-addrconfig", class: "a-only", ms: []float64{3, 4, 3, 5, 4}, ok: true},
		{name: "v4mapped-addrconfig is addrconfig for an AF_UNSPEC lookup (musl)",
			resolver: "musl", libc: "musl-1.2.5", fault: "timeout:AAAA", flags: "v4mapped-addrconfig", class: "a-only", ms: []float64{3, 4, 3, 5, 4}, ok: true},
		{name: "v4mapped-addrconfig returning both families is not as predicted",
			resolver: "glibc", fault: "race", flags: "v4mapped-addrconfig", class: "both", ms: []float64{5104, 5102, 5106, 5101, 5103}, why: "got both, predicted a-only"},
		{name: "mixed lookups are not one class",
			resolver: "glibc", fault: "servfail:AAAA", class: "mixed", ms: []float64{3, 4, 3, 5, 4}, why: "got mixed, predicted a-only"},
		{name: "Go under race is fast: one socket per query",
			resolver: "go", fault: "race", class: "both", ms: []float64{2, 3, 2, 2, 3}, ok: true},
		{name: "Go timeout:AAAA waits attempts × timeout",
			resolver: "go", fault: "timeout:AAAA", class: "a-only", ms: []float64{10004, 10002, 10003, 10001, 10006}, ok: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := predict(tt.resolver, tt.libc, tt.fault, tt.options, tt.flags)
			assert.True(t, e.Known, "the source predicts this cell: %s", e.Why)
			p50 := record.Percentile(tt.ms, 50)
			// A quiet run: the floor is a fast lookup's (floor_test.go
			// judges the same model with a noisy one).
			v := e.judge(tt.class, tt.code, tt.ms, &p50, stallLineMs(tt.resolver, tt.options), noise{floorMs: 50, lookups: 10})
			ok, why := v.ok, v.why
			assert.Equal(t, tt.ok, ok, "predicted %s after %.0f ms (%s); why: %s", e.Result, e.DelayMs, e.Why, why)
			if !tt.ok {
				assert.Contains(t, why, tt.why)
			}
		})
	}
}

// A cell without timings is never as predicted.
func TestPredictionNeedsTimings(t *testing.T) {
	t.Parallel()
	e := predict("glibc", "", "ok", "", "none")
	v := e.judge("both", "", nil, nil, stallLineMs("glibc", ""), noise{})
	assert.False(t, v.ok)
	assert.Equal(t, "no timing", v.why)
}
