package claims

import (
	"strings"

	"github.com/baselab/baselab/labs/dns"
	"testing"

	"github.com/baselab/baselab/labs"
	"github.com/baselab/baselab/labs/lab"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// variantsOf lists the variants each lab runs by default, from the labs'
// own declarations, so that a shipped claim naming a cell that no lab runs
// fails here instead of turning into "no data" in CI.
func variantsOf(t *testing.T) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, l := range labs.All() {
		out[l.Name] = l.Variants()
	}
	return out
}

func matchesAny(pattern string, variants []string) bool {
	for _, v := range variants {
		if lab.Match(pattern, v) {
			return true
		}
	}
	return false
}

func TestCourseClaimsNameCellsTheLabsRun(t *testing.T) {
	f, err := Load("course")
	require.NoError(t, err)
	vs := variantsOf(t)
	for i, c := range f.Claims {
		t.Run(c.Label(i), func(t *testing.T) {
			assert.NotEmpty(t, c.Source, "a course claim says where the course makes it")
			require.NotEmpty(t, c.Variant, "a course claim names its cell")
			labVs := vs[c.Lab]
			if flags := c.labFlags(); len(flags) > 0 {
				// A claim that sets flags (--options nameservers) names a
				// cell of the lab so configured, not of its default matrix.
				ls, err := Prepare([]Job{{Lab: c.Lab, Flags: flags}})
				require.NoError(t, err)
				labVs = ls[0].Variants()
			}
			assert.True(t, matchesAny(c.Variant, labVs), "lab %s runs no variant %q", c.Lab, c.Variant)
			if c.Ratio() {
				b := c.baselineCell()
				assert.True(t, matchesAny(b.Variant, vs[b.Lab]), "lab %s runs no baseline variant %q", b.Lab, b.Variant)
			}
		})
	}
}

func TestExampleMigrationPlansOneRunOfTheUsersImage(t *testing.T) {
	f, err := Load("example-migration")
	require.NoError(t, err)
	jobs := Plan(f)
	var user []Job
	for _, j := range jobs {
		if j.Flags["image"] != "" {
			user = append(user, j)
		}
	}
	require.Len(t, user, 1, "every claim on the team's image shares one dns run: %v", jobs)
	// The probe asks for both families (no AI_ADDRCONFIG), or no AAAA
	// fault could reach it in an IPv4-only container.
	assert.Contains(t, user[0].Flags["probe"], "socket.getaddrinfo(sys.argv[1], 443, type=socket.SOCK_STREAM)")
	assert.NotContains(t, user[0].Flags["probe"], "getent ahosts")
	assert.ElementsMatch(t, []string{"image/ok/none", "image/race/none", "image/race/single-request", "image/servfail:AAAA/none"}, user[0].Only)
}

// TestCourseDNSTimeBoundsAreTheLabsStallLine: the course's DNS time bounds
// and the lab's classification use one line (dns.StallMs); a claim that
// drew its own would judge a lookup fast that the lab calls a stall.
func TestCourseDNSTimeBoundsAreTheLabsStallLine(t *testing.T) {
	f, err := Load("course")
	require.NoError(t, err)
	checked := 0
	for i, c := range f.Claims {
		if c.Lab != "dns" || c.Ratio() || !strings.HasSuffix(c.Measure, "_ms") {
			continue
		}
		switch c.bound.Op {
		case "<", "<=", ">", ">=":
			checked++
			assert.Equal(t, dns.StallMs, c.bound.Num, "%s: bound %q is not the lab's stall line (%v ms)", c.Label(i), c.Bound, dns.StallMs)
		}
	}
	assert.NotZero(t, checked, "the course has DNS time claims")
}
