package dnsfaker

import (
	"strings"
	"testing"
)

// FuzzParseRules feeds the rules file reader arbitrary text: it must never
// panic, and whatever it accepts must read back the same from its own
// rendering (Config.String), which is what GET /rules serves and PUT takes.
func FuzzParseRules(f *testing.F) {
	for _, s := range []string{
		"pair.race.test   race\n*.race.test race:p=0.5  # below race.test\n*  ok\n",
		"*.sf.test servfail:AAAA\nslow.test delay:150ms:A\n",
		"x.test every:3\ny.test overload:20\nz.test truncate\nt.test timeout:AAAA\n",
		"race.test race:inflight=1ms,p=1\n", "# only a comment\n\n", "*.*.test ok\n", "a.test\n",
		"a.test race:p=2\n", "a.test delay:-1s\n", "a.test nosuch\n", "\x00 ok\n", "a.test ok extra\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		rules, err := ParseRules(strings.NewReader(s))
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error is not one line: %q", err)
			}
			return
		}
		if err := (Config{Rules: rules}).Validate(); err != nil {
			t.Fatalf("accepted rules do not validate: %v", err)
		}
		text := Config{Rules: rules}.String()
		back, err := ParseRules(strings.NewReader(text))
		if err != nil {
			t.Fatalf("own rendering rejected: %v\n%s", err, text)
		}
		if got := (Config{Rules: back}).String(); got != text {
			t.Fatalf("round trip differs:\n%s\nvs\n%s", text, got)
		}
	})
}
