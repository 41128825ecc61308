package dnsfaker

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseRules(t *testing.T) {
	t.Parallel()
	const file = `# A lab's names, one fault each.
Pair.Race.Test   race            # case and the trailing dot do not matter
*.race.test      race:p=0.5

*.sf.test        servfail:AAAA
*                ok
`
	rules, err := ParseRules(strings.NewReader(file))
	require.NoError(t, err)
	assert.Equal(t, []Rule{
		{Name: "pair.race.test.", Fault: Race},
		{Name: "*.race.test.", Fault: mustFault(t, "race:p=0.5")},
		{Name: "*.sf.test.", Fault: mustFault(t, "servfail:AAAA")},
		{Name: "*", Fault: OK},
	}, rules)
}

func TestParseRulesRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		file    string
		mention string
	}{
		{"an unknown fault names its line", "a.test ok\nb.test rase\n", `line 2: parse fault "rase": unknown fault "rase"`},
		{"a missing fault", "a.test\n", `line 1: want "<name-pattern> <fault>", got "a.test"`},
		{"a third field", "a.test ok extra\n", "line 1: want"},
		{"a star inside a name", "a.*.test ok\n", `line 1: bad name pattern "a.*.test"`},
		{"a star without a dot", "*test ok\n", `bad name pattern "*test"`},
		{"a bare *.", "*. ok\n", "use * for every name"},
		{"a repeated pattern can never match", "a.test ok\n\nA.test. race\n", `line 3: pattern "A.test." already set on line 1`},
		{"a label too long", strings.Repeat("x", 64) + ".test ok\n", "not a domain name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseRules(strings.NewReader(tt.file))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.mention)
			var re *RuleError
			assert.ErrorAs(t, err, &re)
		})
	}
}

func TestReadRulesFileNamesFileAndLine(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "lab.rules")
	require.NoError(t, os.WriteFile(path, []byte("a.test ok\nb.test servfail:AAA\n"), 0o644))
	_, err := ReadRulesFile(path)
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), path+":2: "), err.Error())

	_, err = ReadRulesFile(filepath.Join(t.TempDir(), "missing.rules"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "missing.rules")
}

func TestRuleMatching(t *testing.T) {
	t.Parallel()
	rs := compile(Config{
		Default: mustFault(t, "servfail"),
		Rules: []Rule{
			{Name: "exact.test", Fault: mustFault(t, "nxdomain")},
			{Name: "*.race.test", Fault: Race},
			{Name: "*.test", Fault: mustFault(t, "refused")},
		},
	})
	tests := []struct {
		name string
		want string
	}{
		{"exact.test.", "nxdomain"},
		{"a.race.test.", "race"},
		{"a.b.race.test.", "race"},
		{"race.test.", "refused"}, // *.race.test is strictly below race.test
		{"xrace.test.", "refused"},
		{"other.example.org.", "servfail"},
		{"test.", "servfail"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, rs.lookup(tt.name).label, tt.name)
	}
	assert.True(t, rs.hasRace)
	assert.False(t, compile(Config{}).hasRace)
}

func TestConfigStringReadsBackAsRules(t *testing.T) {
	t.Parallel()
	cfg := Config{Default: Race, Rules: []Rule{
		{Name: "*.sf.test", Fault: mustFault(t, "servfail:AAAA")},
		{Name: "*", Fault: OK},
	}}
	text := cfg.String()
	assert.True(t, strings.HasPrefix(text, "# default: race\n"), text)
	rules, err := ParseRules(strings.NewReader(text))
	require.NoError(t, err)
	assert.Equal(t, []Rule{
		{Name: "*.sf.test.", Fault: mustFault(t, "servfail:AAAA")},
		{Name: "*", Fault: OK},
	}, rules)
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	assert.NoError(t, Config{Rules: []Rule{{Name: "*.a.test"}, {Name: "*"}}}.Validate())
	err := Config{Rules: []Rule{{Name: "ok.test"}, {Name: "a.*"}}}.Validate()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "rule 2")
}
