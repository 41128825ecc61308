package claims

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func parse(t *testing.T, y string) (*File, error) {
	t.Helper()
	return Parse(strings.NewReader(y), "test.yaml")
}

// one wraps a claim's keys into a file.
func one(keys string) string {
	return "claims:\n  - id: c1\n    claim: a claim under test\n" + indent(keys)
}

func indent(s string) string {
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
		b.WriteString("    " + strings.TrimSpace(l) + "\n")
	}
	return b.String()
}

func TestBadInputIsOneLineNamingTheClaimAndWhatIsWrong(t *testing.T) {
	cases := []struct {
		name string
		keys string
		want string
	}{
		{"an unknown lab lists the labs there are", "lab: tls\nmeasure: p95_ms\nbound: \"< 1\"", `unknown lab "tls": the labs are dns, scratch, size, surface, wheel`},
		{"an unknown measure names the lab's numeric fields", "lab: dns\nvariant: alpine/ok/none/none\nmeasure: p96_ms\nbound: \"< 1\"", `unknown measure "p96_ms": lab dns's records have no such field`},
		{"a malformed bound says what a bound looks like", "lab: dns\nvariant: alpine/ok/none/none\nmeasure: p95_ms\nbound: \"<< 100\"", `bound "<< 100": want OP VALUE`},
		{"a bound without an operator is malformed", "lab: dns\nvariant: alpine/ok/none/none\nmeasure: p95_ms\nbound: \"100\"", `bound "100": want OP VALUE`},
		{"an unknown fault in the variant is caught by dnsfaker's parser", "lab: dns\nvariant: alpine/racy/none/none\nmeasure: p95_ms\nbound: \"< 1\"", `unknown fault "racy"`},
		{"an unknown fault in fault: is caught too", "lab: dns\nfault: timeout:AAAAA\nmeasure: p95_ms\nbound: \"< 1\"", `unknown qtype`},
		{"an unknown fault in the faults flag is caught too", "lab: dns\nflags: {faults: \"ok,lost\"}\nmeasure: p95_ms\nbound: \"< 1\"", `unknown fault "lost"`},
		{"an unknown lab flag lists the lab's flags", "lab: dns\nflags: {retries: \"3\"}\nmeasure: p95_ms\nbound: \"< 1\"", "lab dns has no flag --retries (its flags: bases"},
		{"a flag value the lab rejects", "lab: dns\nflags: {tries: many}\nmeasure: p95_ms\nbound: \"< 1\"", `flag --tries="many"`},
		{"a word against a number", "lab: dns\nmeasure: p95_ms\nbound: \"== fast\"", `compares p95_ms, a number, with a word`},
		{"a number against a word", "lab: wheel\nmeasure: outcome\nbound: \"< 3\"", `compares outcome, a word, with a number`},
		{"a size unit on a time", "lab: dns\nmeasure: p95_ms\nbound: \"< 2 MB\"", `unit "mb" is not a time`},
		{"a time unit on a size", "lab: size\nmeasure: size_bytes\nbound: \"< 2 s\"", `unit "s" is not a size`},
		{"a tolerance that is not a percentage", "lab: size\nmeasure: size_bytes\nbound: within 0.3 of 2 MB", "the tolerance must be a percentage"},
		{"an unknown where field", "lab: dns\nwhere: {resolvr: musl}\nmeasure: p95_ms\nbound: \"< 1\"", `where: unknown field "resolvr" for lab dns`},
		{"an unknown of", "lab: dns\nmeasure: p95_ms\nbound: \"< 1\"\nof: most", `of "most": want all`},
		{"a ratio with a word bound", "lab: wheel\nmeasure: outcome\nbound: \"== works\"\nbaseline: {variant: x}", "a ratio claim needs a numeric bound"},
		{"a baseline with an unknown lab", "lab: dns\nmeasure: p95_ms\nbound: \"< 1\"\nbaseline: {lab: tls}", `baseline: unknown lab "tls"`},
		{"a variant that is not a pattern", "lab: dns\nvariant: \"alpine/[race\"\nmeasure: p95_ms\nbound: \"< 1\"", "is not a valid pattern"},
		{"no lab", "measure: p95_ms\nbound: \"< 1\"", "no lab"},
		{"no measure", "lab: dns\nbound: \"< 1\"", "no measure"},
		{"no bound", "lab: dns\nmeasure: p95_ms", "no bound"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := parse(t, one(c.keys))
			require.Error(t, err)
			var ps Problems
			require.True(t, errors.As(err, &ps), "%v", err)
			require.Len(t, ps, 1, "exactly one problem: %v", err)
			line := ps[0].Error()
			assert.NotContains(t, line, "\n", "one line")
			assert.True(t, strings.HasPrefix(line, "test.yaml: claim c1: "), line)
			assert.Contains(t, line, c.want)
		})
	}
}

func TestFileLevelProblems(t *testing.T) {
	cases := []struct{ name, yaml, want string }{
		{"a typo in a key is an error, not an ignored key", one("lab: dns\nmesure: p95_ms\nbound: \"< 1\""), "field mesure not found"},
		{"an empty file", "", "empty file"},
		{"a file without claims", "name: x\n", "no claims"},
		{"a duplicated id", "claims:\n  - {id: a, claim: x, lab: dns, measure: ok, bound: \">= 1\"}\n  - {id: a, claim: y, lab: dns, measure: ok, bound: \">= 1\"}\n", "claim a: the id is used twice"},
		{"a claim without words", "claims:\n  - {id: a, lab: dns, measure: ok, bound: \">= 1\"}\n", "no claim: say what is claimed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := parse(t, c.yaml)
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

func TestEveryProblemOfAFileIsReported(t *testing.T) {
	y := `claims:
  - {id: a, claim: x, lab: tls, measure: p95_ms, bound: "< 1"}
  - {id: b, claim: y, lab: dns, variant: alpine/bogus/none/none, measure: p95_ms, bound: "< 1"}
  - {id: c, claim: z, lab: dns, measure: p95_ms, bound: "about 3"}
`
	_, err := parse(t, y)
	var ps Problems
	require.True(t, errors.As(err, &ps))
	require.Len(t, ps, 3)
	assert.Equal(t, []string{"a", "b", "c"}, []string{ps[0].Claim, ps[1].Claim, ps[2].Claim})
}

func TestBounds(t *testing.T) {
	cases := []struct {
		name, text, measure string
		holds, fails        float64
		word                string
	}{
		{"less than in ms", "< 100", "p95_ms", 99.9, 100, ""},
		{"seconds convert to ms", "<= 1 s", "p95_ms", 1000, 1000.5, ""},
		{"at least", ">= 2", "ports", 2, 1, ""},
		{"megabytes convert to bytes", "> 2 MB", "size_bytes", 2e6 + 1, 2e6, ""},
		{"mebibytes are binary", "< 1 MiB", "size_bytes", 1048575, 1048576, ""},
		{"within a percentage of a value", "within 25% of 2 MB", "size_bytes", 2.5e6, 2.6e6, ""},
		{"within is symmetric", "within 25% of 2 MB", "size_bytes", 1.5e6, 1.4e6, ""},
		{"equality with a number", "== 0", "failed", 0, 1, ""},
		{"inequality with a number", "!= 0", "failed", 3, 0, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, err := ParseBound(c.text, c.measure, false)
			require.NoError(t, err)
			assert.True(t, b.Holds(c.holds), "%v holds", c.holds)
			assert.False(t, b.Holds(c.fails), "%v fails", c.fails)
		})
	}
	b, err := ParseBound("== works", "outcome", false)
	require.NoError(t, err)
	assert.True(t, b.IsWord)
	assert.True(t, b.HoldsWord("works"))
	assert.False(t, b.HoldsWord("segfault"))
	b, err = ParseBound("!= segfault", "outcome", false)
	require.NoError(t, err)
	assert.True(t, b.HoldsWord("works"))
	_, err = ParseBound("< 0.2 s", "p95_ms", true)
	assert.ErrorContains(t, err, "a ratio has no unit")
}

func TestShippedFilesLoadByNameFromAnyFolder(t *testing.T) {
	for _, name := range []string{"course", "course.yaml", "claims/course.yaml", "example-migration", "/nowhere/example-migration.yaml"} {
		t.Run(name, func(t *testing.T) {
			f, err := Load(name)
			require.NoError(t, err)
			assert.NotEmpty(t, f.Claims)
		})
	}
	_, err := Load("/nowhere/mine.yaml")
	assert.ErrorContains(t, err, "read claims")
}

func TestSetImageRetargetsOnlyUserImageClaims(t *testing.T) {
	f, err := Load("example-migration")
	require.NoError(t, err)
	n := f.SetImage("registry.example.org/team/api:abc123")
	assert.Equal(t, 4, n)
	for _, c := range f.Claims {
		if c.Image != "" {
			assert.Equal(t, "registry.example.org/team/api:abc123", c.Image)
		}
	}
}
