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
