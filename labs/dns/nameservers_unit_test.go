package dns

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestGlibcWaitsPerServerAsResSendSays holds glibcNSSeconds to send_dg's
// "(statp->retrans << ns) / nscount" for ns > 0, which the lab measured:
// dead+dead+ok took 8.0 s on glibc (5 + 3), 10.0 s on Go (5 + 5).
func TestGlibcWaitsPerServerAsResSendSays(t *testing.T) {
	assert.Equal(t, []float64{5, 5}, []float64{glibcNSSeconds(0, 2), glibcNSSeconds(1, 2)})
	assert.Equal(t, []float64{5, 3, 6}, []float64{glibcNSSeconds(0, 3), glibcNSSeconds(1, 3), glibcNSSeconds(2, 3)})
	l, err := parseLayout("dead+dead+ok")
	require.NoError(t, err)
	g, _ := predictNS("glibc", l)
	gol, _ := predictNS("go", l)
	m, _ := predictNS("musl", l)
	assert.Equal(t, 8000.0, g[0].DelayMs)
	assert.Equal(t, 10000.0, gol[0].DelayMs)
	assert.Equal(t, 0.0, m[0].DelayMs, "musl asks all three at once")
}

func TestLayoutsAreCheckedBeforeDocker(t *testing.T) {
	for _, bad := range []string{"ok", "ok+ok+ok+ok", "dead+fast", "rotate+dead+ok"} {
		_, err := parseLayout(bad)
		assert.Error(t, err, bad)
	}
	l, err := parseLayout("dead+ok+rotate")
	require.NoError(t, err)
	assert.Equal(t, "nameservers:2 rotate", l.options())
	alts, _ := predictNS("glibc", l)
	assert.Len(t, alts, 2, "glibc's rotate starts a fresh process at a random server: two outcomes")
}

// TestAPresetLookupPastItsTimeByLessThanTheNoiseIsNotRefuted: a preset
// cell's lookup is held to each allowed outcome's time as every cell's is
// (floor.go lookups): past it by less than the run's noise floor, the
// comparison is not made; by more, or with another result or other
// servers, it is refuted; under a timer, never excused (a timer never
// fires early). The 428 ms case is slim/hosts/dns-first in a fresh-clone
// CI run, beside labs/doctor, with a noise floor of 428 ms.
func TestAPresetLookupPastItsTimeByLessThanTheNoiseIsNotRefuted(t *testing.T) {
	fast := nsAlt{Result: "both", Servers: []int{1}}
	timer := nsAlt{Result: "both", Servers: []int{1, 2}, DelayMs: 5000}
	cases := []struct {
		name    string
		alt     nsAlt
		got     nsAlt
		ms      float64
		exact   bool
		inNoise bool
	}{
		{"a fast lookup under the line is as predicted", fast, fast, 120, true, true},
		{"a fast lookup 28 ms past the line is inside a 428 ms floor", fast, fast, 428, false, true},
		{"a fast lookup past the line by more than the floor is refuted", fast, fast, 900, false, false},
		{"another result is refuted whatever the time", fast, nsAlt{Result: "fail", Servers: []int{1}}, 10, false, false},
		{"other servers asked are refuted whatever the time", fast, nsAlt{Result: "both", Servers: []int{1, 2}}, 10, false, false},
		{"a timer met late by less than the floor is inside it", timer, timer, 5600, false, true},
		{"a timer that fired early is refuted, noise or not", timer, timer, 4000, false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.exact, c.alt.allows(c.got, c.ms, 0), "without noise")
			assert.Equal(t, c.inNoise, c.alt.allows(c.got, c.ms, 428), "with a 428 ms floor")
		})
	}
}
