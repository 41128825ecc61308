package dns_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/baselab/baselab/harness/record"
	"github.com/baselab/baselab/labs/dns"
	"github.com/baselab/baselab/labs/lab"
	"github.com/baselab/baselab/labs/labtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestConfigRejectsBadInput(t *testing.T) {
	cases := []struct {
		name string
		edit func(*dns.Config)
		want string
	}{
		{"an unknown fault names the valid ones", func(c *dns.Config) { c.Faults = []string{"explode"} }, "valid:"},
		{"an unknown qtype is refused", func(c *dns.Config) { c.Faults = []string{"servfail:AAAAA"} }, "AAAAA"},
		{"an unknown base lists the catalog", func(c *dns.Config) { c.Bases = []string{"ubuntu"} }, "known keys"},
		{"a base without a probe is refused", func(c *dns.Config) { c.Bases = []string{"builder"} }, "no resolver probe"},
		{"an unknown resolv.conf option is refused", func(c *dns.Config) { c.Options = []string{"single-requests"} }, "unknown resolv.conf option"},
		{"a probe without {name} is refused", func(c *dns.Config) { c.Image, c.Probe = "app:alpine", "getent ahosts api.example.test" }, "{name}"},
		{"an image without a probe is refused", func(c *dns.Config) { c.Image = "app:alpine" }, "go together"},
		{"unknown hints are refused", func(c *dns.Config) { c.Flags = []string{"v4mapped"} }, "unknown --flags"},
		{"--in-hosts without an image is refused", func(c *dns.Config) { c.InHosts = true }, "needs --image"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := dns.DefaultConfig()
			c.edit(&cfg)
			// A nil Env: validation must fail before anything touches Docker.
			_, err := dns.Run(context.Background(), &lab.Env{}, cfg)
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

// runMatrix runs the default matrix once for every assertion below. Each
// cell's expected result and delay come from the resolver's source (see
// expect.go and resolver-notes.md, which cite file and function); the
// tolerances are in expect.go with where they come from.
func runMatrix(t *testing.T) map[string]record.Record {
	t.Helper()
	env := labtest.Env(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	cfg := dns.DefaultConfig()
	cfg.Flags = []string{"none", "addrconfig"}
	cfg.Clients = []int{1, 8, 32}
	if testing.Short() {
		cfg.Clients = []int{8}
	}
	recs, err := dns.Run(ctx, env, cfg)
	require.NoError(t, err)
	require.NotEmpty(t, recs)
	// Read the records back the way results.jsonl is read, so the
	// assertions see what a user's tools see.
	out := map[string]record.Record{}
	for _, r := range recs {
		b, err := json.Marshal(r)
		require.NoError(t, err)
		var back record.Record
		require.NoError(t, json.Unmarshal(b, &back))
		out[r.Variant] = back
	}
	return out
}

func TestMatrix(t *testing.T) {
	recs := runMatrix(t)

	t.Run("every cell matches what its resolver's source predicts", func(t *testing.T) {
		predicted := 0
		for v, r := range recs {
			if strings.HasPrefix(v, "load/") {
				continue
			}
			assert.Equal(t, r.Tries, r.OK+r.Failed+int(r.Int("lab_late")), "%s: every try is accounted for", v)
			assert.NotContains(t, r.Evidence, "lab errors", "%s: the lab itself failed", v)
			if ok, known := r.Bool("as_predicted"); known {
				predicted++
				assert.True(t, ok, "%s: %s (measured p50 %v ms, outcome %s; evidence: %s)", v, r.Detail, deref(r.P50ms), r.Outcome, r.Evidence)
			}
		}
		assert.Greater(t, predicted, 50, "most of the matrix has a prediction from source")
		inconclusive := 0
		for _, r := range recs {
			if r.Outcome == lab.Inconclusive {
				inconclusive++
				t.Logf("%s: %s", r.Variant, r.Evidence)
			}
		}
		t.Logf("%d of %d records inconclusive (their median inside the run's noise floor)", inconclusive, len(recs))
	})

	cases := []struct {
		name    string
		variant string
		outcome string
		minP50  float64
		maxP50  float64
	}{
		// musl src/network/res_msend.c: retry_interval = timeout/attempts = 2.5 s.
		{"musl stalls under race for timeout/attempts", "alpine/race/none/none", "both-stall", 2100, 2900},
		// musl src/network/resolvconf.c parses no single-request: the course's fix does nothing.
		{"single-request does not fix musl", "alpine/race/single-request/none", "both-stall", 2100, 2900},
		{"single-request-reopen does not fix musl", "alpine/race/single-request-reopen/none", "both-stall", 2100, 2900},
		// What does: a shorter retry interval (1 s / 2 attempts).
		{"timeout:1 attempts:2 shortens musl's stall to half a second", "alpine/race/timeout:1+attempts:2/none", "both-stall", 400, 900},
		// glibc resolv/res_send.c send_dg: both queries with one sendmmsg; 5 s timeout, then single-request mode.
		{"glibc stalls under race too: it is not sequential", "slim/race/none/none", "both-stall", 4600, 5400},
		{"distroless-base stalls the same: it is the libc, not the distro", "distroless-base/race/none/none", "both-stall", 4600, 5400},
		{"single-request fixes glibc", "slim/race/single-request/none", "both-fast", 0, 400},
		{"use-vc fixes glibc (TCP)", "slim/race/use-vc/none", "both-fast", 0, 400},
		// getaddrinfo with AI_ADDRCONFIG (Node's net.connect) in a container with no IPv6.
		{"AI_ADDRCONFIG in a container without IPv6 sends no AAAA on glibc", "slim/race/none/addrconfig", "a-only-fast", 0, 400},
		{"AI_ADDRCONFIG in a container without IPv6 sends no AAAA on musl either", "alpine/race/none/addrconfig", "a-only-fast", 0, 400},
		// Go src/net/dnsclient_unix.go: one socket per query.
		{"Go's resolver does not suffer the race", "scratch/race/none/none", "both-fast", 0, 400},
		{"Go's resolver does not suffer the race on distroless-static", "distroless-static/race/none/none", "both-fast", 0, 400},
		// musl name_from_dns: a failed AAAA fails the lookup (EAI_AGAIN after the timeout).
		{"musl fails the lookup when AAAA SERVFAILs", "alpine/servfail:AAAA/none/none", "fail-stall", 4600, 5400},
		{"glibc returns the IPv4 address when AAAA SERVFAILs", "slim/servfail:AAAA/none/none", "a-only-fast", 0, 400},
		{"Go returns the IPv4 address when AAAA SERVFAILs", "scratch/servfail:AAAA/none/none", "a-only-fast", 0, 400},
		{"musl gives up after the timeout when AAAA never comes", "alpine/timeout:AAAA/none/none", "fail-stall", 4600, 5400},
		{"glibc waits three timeouts when AAAA never comes, then returns A", "slim/timeout:AAAA/none/none", "a-only-stall", 14600, 15400},
		{"Go waits attempts × timeout when AAAA never comes, then returns A", "scratch/timeout:AAAA/none/none", "a-only-stall", 9600, 10400},
		{"glibc retries a truncated answer over TCP", "slim/truncate/none/none", "both-fast", 0, 400},
		// musl res_msend.c: TCP after TC only from 1.2.4 (commit 51d4669f).
		{"musl 1.2.3 takes an empty truncated answer as final", "alpine-3.17/tcponly/none/none", "fail-fast", 0, 400},
		{"musl 1.2.5 retries the empty truncated answer over TCP", "alpine/tcponly/none/none", "both-fast", 0, 400},
		{"musl 1.2.3 loses the address at the end of a cut CNAME chain", "alpine-3.17/cname/none/none", "fail-fast", 0, 400},
		{"musl 1.2.5 gets the whole chain over TCP", "alpine/cname/none/none", "both-fast", 0, 400},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, ok := recs[c.variant]
			if !ok {
				if testing.Short() {
					t.Skipf("%s is a long cell; -short skips it", c.variant)
				}
				t.Fatalf("no record for %s", c.variant)
			}
			if r.Outcome == lab.Inconclusive {
				// The run's noise reached the cell's line (floor.go):
				// the lab says it cannot tell, and so does the test.
				t.Skipf("%s is inconclusive on this run: %s", c.variant, r.Evidence)
			}
			assert.Equal(t, c.outcome, r.Outcome, "%s: %s", c.variant, r.Evidence)
			require.NotNil(t, r.P50ms)
			assert.GreaterOrEqual(t, *r.P50ms, c.minP50, c.variant)
			assert.LessOrEqual(t, *r.P50ms, c.maxP50, c.variant)
		})
	}

	t.Run("the two musls return as many addresses as their sources say", func(t *testing.T) {
		cases := []struct {
			variant string
			want    int64
		}{
			// 1.2.5: TCP, AAAA parsed first, MAXADDRS 48 (lookup_name.c name_from_dns, dns_parse_callback).
			{"alpine/truncate/none/none", 48},
			{"alpine/tcponly/none/none", 48},
			{"alpine/truncate/none/addrconfig", 40},
			// 1.2.3: the records of the 512-byte UDP answers, no TCP.
			{"alpine-3.17/truncate/none/addrconfig", 30},
		}
		for _, c := range cases {
			r, ok := recs[c.variant]
			require.True(t, ok, c.variant)
			assert.Equal(t, c.want, r.Int("addresses"), "%s: %s", c.variant, r.Evidence)
		}
		old, now := recs["alpine-3.17/truncate/none/none"], recs["alpine/truncate/none/none"]
		assert.NotEqual(t, old.Int("addresses"), now.Int("addresses"), "the versions differ in what they return, not only in whether")
		assert.Equal(t, old.Int("predicted_addresses"), old.Int("addresses"), "1.2.3 keeps exactly what the truncated answers held")
		assert.Equal(t, "musl-1.2.3", old.Libc, "read from the image")
		assert.Equal(t, "musl-1.2.5", now.Libc, "read from the image")
	})

	t.Run("glibc sends the pair from one source port at once", func(t *testing.T) {
		r, ok := recs["slim/race/none/none"]
		if !ok && testing.Short() {
			t.Skip("slim/race/none/none is a long cell; -short skips it")
		}
		require.True(t, ok)
		tl, _ := r.Extra["timeline"].([]any)
		require.GreaterOrEqual(t, len(tl), 3, "the pair, the loss and the resend are in the server's log: %v", r.Extra)
		first, second := tl[0].(map[string]any), tl[1].(map[string]any)
		assert.Equal(t, first["port"], second["port"], "one socket for A and AAAA")
		// sendmmsg puts both on the wire within µs; single-request would
		// wait for A's answer, which race holds for its 50 ms window.
		assert.Less(t, second["t_ms"].(float64)-first["t_ms"].(float64), 25.0, "back to back, not one after the other's answer")
		assert.Contains(t, []any{first["action"], second["action"]}, "dropped", "the server lost one of the pair")
	})

	t.Run("a timer cell's lookups run side by side, their starts a second apart", func(t *testing.T) {
		r, ok := recs["slim/timeout:AAAA/none/none"]
		if !ok && testing.Short() {
			t.Skip("slim/timeout:AAAA/none/none is a long cell; -short skips it")
		}
		require.True(t, ok)
		sched, _ := r.Str("schedule")
		assert.Contains(t, sched, "side by side")
		starts, _ := r.Extra["lookup_starts_ms"].([]any)
		require.Len(t, starts, r.Tries, "a start per lookup")
		// The probe forks them a second apart (schedule.go staggerMs; a
		// sleep never ends early), and each child stamps its start once it
		// runs: a child slow to start (hundreds of ms on a loaded machine)
		// narrows its gap to the next, so the spread is held to one
		// stagger less than four. All at once, it would be ~0.
		first, last := starts[0].(float64), starts[len(starts)-1].(float64)
		assert.GreaterOrEqual(t, last-first, float64(len(starts)-2)*1000, "the starts are spread a second apart: %v", starts)
		// Each lookup waits glibc's three AAAA timeouts (p50 ≥ 14.6 s,
		// asserted above), so the fifth started while the first still
		// waited: they overlapped.
		require.NotNil(t, r.P50ms)
		assert.Less(t, last, *r.P50ms, "the last lookup started before a typical one had ended")
	})

	t.Run("under load the musl tail is the retry interval and Go has none", func(t *testing.T) {
		for v, r := range recs {
			if !strings.HasPrefix(v, "load/") {
				continue
			}
			switch resolver, _ := r.Str("resolver"); resolver {
			case "go":
				assert.Equal(t, "fast", r.Outcome, "%s: %s", v, r.Evidence)
			case "musl":
				clients, _ := r.Float("clients")
				busy, _ := r.Float("busy")
				if busy > 0 && 2*clients-1 <= busy {
					// c clients keep at most 2c-1 of the name's queries in
					// flight when a pair's second one arrives: race:busy
					// spares them, the "low traffic" of the story.
					assert.Equal(t, "fast", r.Outcome, "%s: %s", v, r.Evidence)
					continue
				}
				if r.Outcome == "intermittent" {
					// One retry interval (2.5 s) is the floor; the ceiling adds the
					// scheduling delay measured with 200+ probes at once on 2
					// cores (up to ~600 ms). A second loss cannot happen: the
					// resend is a single query, never a pair.
					p99, _ := r.Float("p99_ms")
					stalls, _ := r.Float("stalls")
					if stalls >= float64(r.Tries)/100 {
						assert.GreaterOrEqual(t, p99, 2400.0, "%s: the tail is one retry interval", v)
						assert.LessOrEqual(t, p99, 3600.0, "%s: the tail is one retry interval", v)
					}
				}
			}
		}
	})
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}
