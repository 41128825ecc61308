package dns

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/harness/record"
	"github.com/baselab/baselab/labs/lab"
	"github.com/baselab/baselab/labs/labtest"
	"github.com/moby/moby/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// selfTimingImage builds an image baselab has never seen: the gai probe
// (the lab's own musl build of it, cProbes) on the alpine base, under a
// label unique to this test run (so its tag is new). gai times its own
// getaddrinfo call, which is what the timer's measurement is held to.
func selfTimingImage(t *testing.T, env *lab.Env) string {
	t.Helper()
	ctx := context.Background()
	bins, err := cProbes(ctx, env)
	require.NoError(t, err)
	im, err := env.Catalog.Derive(ctx, images.Derived{
		Name: "dns-test-selftimed", Lab: "dns",
		Dockerfile: "ARG RUNTIME\nARG NONCE\nFROM ${RUNTIME}\nARG NONCE\nLABEL org.baselab.project=baselab org.baselab.test-nonce=${NONCE}\n" +
			"COPY gai /usr/local/bin/gai\nENTRYPOINT [\"/bin/false\"]\n",
		Files: map[string][]byte{"gai": bins["musl"]},
		Bases: map[string]images.Key{"RUNTIME": images.Alpine},
		Args:  map[string]string{"NONCE": fmt.Sprint(time.Now().UnixNano())},
	})
	require.NoError(t, err)
	t.Cleanup(func() {
		_, _ = env.Engine.API.ImageRemove(context.Background(), im.Ref, client.ImageRemoveOptions{PruneChildren: true})
	})
	return im.Ref
}

// runUserImage runs cfg (an --image run) and returns its records by
// variant.
func runUserImage(t *testing.T, env *lab.Env, cfg Config) map[string]record.Record {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	recs, err := Run(ctx, env, cfg)
	require.NoError(t, err)
	byVariant := map[string]record.Record{}
	for _, r := range recs {
		byVariant[r.Variant] = r
	}
	return byVariant
}

// perRun reads a list field with one number per run (command_ms,
// startup_ms) as the record's JSON carries it, and holds it to tries.
func perRun(t *testing.T, r record.Record, field string, tries int) []float64 {
	t.Helper()
	var out []float64
	b, err := json.Marshal(r.Extra[field])
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &out))
	require.Len(t, out, tries, "%s: one per run", field)
	return out
}

// TestUserImageIsTimedInsideTheContainer is the acceptance of issue 12 §1:
// a musl program that times itself, in an image baselab has never seen, run
// with --image under timeout:AAAA, race and ok. The timer's durations must
// agree with the program's own within 50 ms, or within the run's noise
// floor where that is more (what lies between them is one fork/exec and
// musl's dynamic loading: 3-9 ms measured on a quiet machine; 81-87 ms in a
// fresh-clone CI run beside labs/doctor, whose control lookups, timed by
// the same timer, reached 121 ms); and the AAAA-timeout cell
// takes musl's whole timeout, 5 s (res_msend: timeout 5 s, nothing answers
// AAAA, then EAI_AGAIN), within the lab's stall tolerance.
func TestUserImageIsTimedInsideTheContainer(t *testing.T) {
	if testing.Short() {
		// -short would drop the AAAA-timeout cell, which is the measurement.
		t.Skip("-short: the AAAA-timeout cell (3 runs of 5 s) is the measurement")
	}
	env := labtest.Env(t)
	ref := selfTimingImage(t, env)
	cfg := DefaultConfig()
	cfg.Image, cfg.Probe = ref, "/usr/local/bin/gai {name}"
	cfg.Faults, cfg.Options, cfg.Tries = []string{"timeout:AAAA", "race", "ok"}, []string{"none"}, 3
	byVariant := runUserImage(t, env, cfg)
	require.Len(t, byVariant, 3)

	for variant, r := range byVariant {
		t.Run(variant, func(t *testing.T) {
			timing, _ := r.Str("timing")
			assert.Equal(t, timingTimer, timing)
			command := perRun(t, r, "command_ms", cfg.Tries)
			outputs := r.Strings("outputs")
			floor, _ := r.Float("noise_floor_ms")
			tol := max(50, floor)
			require.Len(t, outputs, cfg.Tries)
			owns := make([]float64, len(outputs))
			for i, out := range outputs {
				var own struct {
					Ms   float64 `json:"ms"`
					Libc string  `json:"libc"`
				}
				require.NoError(t, json.Unmarshal([]byte(out), &own), "gai's own line: %q", out)
				assert.Equal(t, "musl", own.Libc)
				owns[i] = own.Ms
				t.Logf("run %d: timer %.1f ms, gai's own %.1f ms", i+1, command[i], own.Ms)
				// The timer's window holds gai's: it cannot read less.
				assert.GreaterOrEqual(t, command[i], own.Ms, "run %d: the timer read less than the work inside it", i+1)
			}
			// Run by run, the timer less gai's own is the exec and exit
			// around getaddrinfo; its median is within tol, as the lab
			// judges by medians. One run of three 80 to 180 ms apart (exec
			// and exit delayed while labs/doctor builds beside this
			// package) failed a per-run bound in four of six fresh-clone
			// runs on 2026-12-07; the medians of timer and gai taken apart
			// compared two different runs (timer 2610.3 of run 2 against
			// gai 2555.7 of run 3, 54.6 ms, where the runs' own gaps were
			// 5.0, 58.4 and 15.7 ms).
			gaps := make([]float64, len(owns))
			for i := range owns {
				gaps[i] = command[i] - owns[i]
			}
			assert.LessOrEqual(t, record.Percentile(gaps, 50), tol, "median of the runs' gaps, timer less gai's own: %v ms (noise floor %.0f ms)", gaps, floor)
		})
	}
	aaaa := byVariant["image/timeout:AAAA/none"]
	require.NotNil(t, aaaa.P50ms)
	assert.InDelta(t, 5000, *aaaa.P50ms, stallTolMs, "musl waits its whole 5 s timeout when AAAA is never answered")
	race := byVariant["image/race/none"]
	require.NotNil(t, race.P50ms)
	assert.InDelta(t, 2500, *race.P50ms, stallTolMs, "musl resends the lost query after timeout/attempts = 2.5 s")
	ok := byVariant["image/ok/none"]
	require.NotNil(t, ok.P50ms)
	assert.Less(t, *ok.P50ms, fastMs)
	assert.True(t, strings.Contains(ok.Evidence, "timed in the container"), ok.Evidence)
}

// TestAProbeThatDoesNotWorkIsRefusedBeforeTheMatrix: a command the image
// does not have, and one that exits non-zero under fault ok, are refused in
// one line, and no cell runs.
func TestAProbeThatDoesNotWorkIsRefusedBeforeTheMatrix(t *testing.T) {
	env := labtest.Env(t)
	ref := selfTimingImage(t, env)
	for _, c := range []struct{ name, probe, want string }{
		{"a command not in the image", "/usr/bin/no-such-resolver {name}", "no such file"},
		{"a command that fails under ok", "/usr/local/bin/gai --tries 0 {name}", "exit 2"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.Image, cfg.Probe = ref, c.probe
			cfg.Faults, cfg.Options, cfg.Tries = []string{"race"}, []string{"none"}, 1
			recs, err := Run(context.Background(), env, cfg)
			require.Error(t, err)
			assert.Empty(t, recs)
			assert.Contains(t, err.Error(), "the probe does not work in this image")
			assert.Contains(t, err.Error(), c.want)
			assert.NotContains(t, err.Error(), "\n", "one line")
		})
	}
}

// TestACommandsStartUpIsNotItsLookup: a command that takes 3 s before it
// asks anything (here a shell's sleep; in life an interpreter compiling
// its modules: python-alpine's `import socket` took 0.7 s quiet and up to
// 7 s beside the suite) is timed from its first query. Under ok it is
// fast, though each run took over 3 s — past musl's 2.5 s stall line, so
// timed whole it would not be — and under timeout:AAAA it still shows
// musl's whole 5 s timeout, not 8 s. The start-up is in startup_ms, and
// a sleep never ends early, so each is at least 3000 ms.
func TestACommandsStartUpIsNotItsLookup(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the AAAA-timeout cell (3 runs of 8 s) is the measurement")
	}
	env := labtest.Env(t)
	ref := selfTimingImage(t, env)
	cfg := DefaultConfig()
	cfg.Image, cfg.Probe = ref, `/bin/sh -c "sleep 3; exec /usr/local/bin/gai {name}"`
	cfg.Faults, cfg.Options, cfg.Tries = []string{"timeout:AAAA", "ok"}, []string{"none"}, 3
	byVariant := runUserImage(t, env, cfg)
	require.Len(t, byVariant, 2)
	for variant, r := range byVariant {
		startup, command := perRun(t, r, "startup_ms", cfg.Tries), perRun(t, r, "command_ms", cfg.Tries)
		for i := range startup {
			t.Logf("%s run %d: start-up %.0f ms, whole command %.0f ms", variant, i+1, startup[i], command[i])
			assert.GreaterOrEqual(t, startup[i], 3000.0, "%s run %d: the sleep is before the first query", variant, i+1)
			assert.Greater(t, command[i], startup[i], "%s run %d", variant, i+1)
		}
	}
	ok := byVariant["image/ok/none"]
	require.NotNil(t, ok.P50ms)
	assert.Equal(t, "ok-fast", ok.Outcome, ok.Evidence)
	assert.Less(t, *ok.P50ms, fastMs, "from the first query: the 3 s sleep is not the lookup's")
	aaaa := byVariant["image/timeout:AAAA/none"]
	require.NotNil(t, aaaa.P50ms)
	assert.InDelta(t, 5000, *aaaa.P50ms, stallTolMs, "musl's whole 5 s timeout, counted from its first query")
}
