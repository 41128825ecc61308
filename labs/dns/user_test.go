package dns

import (
	"github.com/baselab/baselab/dnsfaker"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSplitWordsQuotesLikeAShell(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want []string
		err  string
	}{
		{"plain words", "getent ahosts api.example.test", []string{"getent", "ahosts", "api.example.test"}, ""},
		{"single quotes keep spaces and double quotes", `python3 -c 'import socket; socket.getaddrinfo("x.test", 80)'`,
			[]string{"python3", "-c", `import socket; socket.getaddrinfo("x.test", 80)`}, ""},
		{"double quotes honour escaped quotes", `node -e "require(\"dns\")"`, []string{"node", "-e", `require("dns")`}, ""},
		{"quotes join a word", `a'b c'd`, []string{"ab cd"}, ""},
		{"an unterminated quote is an error", `sh -c 'oops`, nil, "unterminated"},
		{"nothing is an error", "   ", nil, "empty"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := splitWords(c.in)
			if c.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), c.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, c.want, got)
		})
	}
}

// A user's image with a C library the caller names (doctor reads it) is
// predicted from that library's source, and judged on what a command can
// report: it worked or not, and how long it took.
func TestUserCellsWithALibcArePredicted(t *testing.T) {
	cases := []struct {
		name, libc, fault string
		known             bool
		result            string
		delayMs           float64
	}{
		{"musl under race waits timeout/attempts, and the command works", "musl", "race", true, "ok", 2500},
		{"musl under ok is fast", "musl", "ok", true, "ok", 0},
		{"musl fails the lookup when AAAA fails", "musl", "servfail:AAAA", true, "fail", 5000},
		{"glibc returns the A answer when AAAA fails: the command works", "glibc-2.36", "servfail:AAAA", true, "ok", 0},
		{"no C library named: measured only", "", "race", false, "", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.Image, cfg.Probe, cfg.Libc, cfg.Faults, cfg.Options = "myapp:alpine", "getent hosts {name}", c.libc, []string{c.fault}, []string{"none"}
			require.NoError(t, cfg.Validate())
			cells := cfg.cells()
			require.Len(t, cells, 1)
			e := cells[0].expect
			assert.Equal(t, c.known, e.Known)
			assert.Equal(t, c.result, e.Result)
			assert.Equal(t, c.delayMs, e.DelayMs)
			assert.Empty(t, e.Code, "a command reports an exit status, not an EAI code")
			assert.Zero(t, e.Addrs)
		})
	}
	cfg := DefaultConfig()
	cfg.Libc = "musl"
	assert.ErrorContains(t, cfg.Validate(), "needs the image", "a libc without --image predicts nothing")
	cfg.Image, cfg.Probe, cfg.Libc = "myapp:alpine", "getent hosts {name}", "bionic"
	assert.ErrorContains(t, cfg.Validate(), "musl or glibc")
}

// TestALookupIsTimedFromItsFirstQuery: a command that started 3 s before
// its first query reached the server, and exited 40 ms after it, took 40
// ms to look up; its window still holds every query it sent, the last one
// included. A run that sent nothing keeps its whole time.
func TestALookupIsTimedFromItsFirstQuery(t *testing.T) {
	const start = int64(1_000_000_000)
	entries := []dnsfaker.Entry{
		{TimeUS: start + 3_000_000, QType: "A"},
		{TimeUS: start + 3_000_100, QType: "AAAA"},
		{TimeUS: start + 3_030_000, QType: "AAAA"},
	}
	ls := []probeLine{
		{StartWallUS: start, Ms: 3040, user: true},
		{StartWallUS: start + 10_000_000, Ms: 900, user: true},
	}
	fromFirstQuery(ls, entries)
	assert.InDelta(t, 40, ls[0].Ms, 0.001)
	assert.InDelta(t, 3000, ls[0].startupMs, 0.001)
	assert.Len(t, window(entries, ls[0]), 3, "every query of the lookup is still in its window")
	assert.InDelta(t, 900, ls[1].Ms, 0.001, "no query: the whole run")
	assert.Zero(t, ls[1].startupMs)
}

func TestRunsSideBySideAreTimedFromTheirOwnNamesFirstQuery(t *testing.T) {
	const start = int64(1_000_000_000)
	// Two runs a second apart, each 3 s of start-up before it asks its own
	// name: the second run's window holds the first's queries too.
	entries := []dnsfaker.Entry{
		{TimeUS: start + 3_000_000, QType: "A", Name: "c001-1.dns.test."},
		{TimeUS: start + 3_000_100, QType: "AAAA", Name: "c001-1.dns.test."},
		{TimeUS: start + 4_000_000, QType: "A", Name: "c001-2.dns.test."},
		{TimeUS: start + 4_000_100, QType: "AAAA", Name: "c001-2.dns.test."},
	}
	ls := []probeLine{
		{Name: "c001-1.dns.test", StartWallUS: start, Ms: 3010, user: true},
		{Name: "c001-2.dns.test", StartWallUS: start + 900_000, Ms: 3110, user: true},
	}
	fromFirstQuery(ls, entries)
	assert.InDelta(t, 10, ls[0].Ms, 0.001)
	assert.InDelta(t, 10, ls[1].Ms, 0.001, "from its own first query, not the other run's at +3.0 s")
	assert.InDelta(t, 3100, ls[1].startupMs, 0.001)
}
