package dns

import (
	"encoding/json"
	"testing"
)

// FuzzParseProbe feeds the probe output reader arbitrary text (a probe that
// crashed mid-line, a libc printing to stdout): it must never panic, and
// every line it returns must be one the probe could have printed, that is,
// one that encodes back to JSON and whose class is one of the four.
func FuzzParseProbe(f *testing.F) {
	for _, s := range []string{
		`{"name":"pair.race.test","try":1,"start_wall_us":1700000000000000,"ms":2500.3,"ok":true,"a":1,"aaaa":1,"addrs":["192.0.2.1","2001:db8::1"],"err":"","code":"","libc":"musl"}` + "\n",
		`{"name":"x.test","try":2,"ms":5004,"ok":false,"err":"Temporary failure in name resolution","code":"EAI_AGAIN","libc":"glibc"}` + "\n",
		"probe: starting\n{\"name\":\"a.test\",\"ok\":true,\"a\":1}\n", `{"name":`, "{}\n{}\n", `{"ms":1e999}`, `{"a":-1}`, "\n\n{\"addrs\":null}\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ls, _ := parseProbe(s)
		for _, l := range ls {
			if _, err := json.Marshal(l); err != nil {
				t.Fatalf("line does not encode back: %v", err)
			}
			switch l.class() {
			case "both", "a-only", "aaaa-only", "fail":
			default:
				t.Fatalf("class %q", l.class())
			}
		}
	})
}
