package dns

import (
	"encoding/json"
	"strings"
	"testing"
)

// FuzzParseTimer feeds the reader of the timer's output (parseTimer, then
// lookup: what a user cell makes of one run of the user's command) arbitrary
// stdout — a command that prints JSON of its own, a line cut short, a timer
// killed mid-write: it must never panic; a line it takes must carry the
// timer's marker, and the lookup made of it must say what the line says
// (worked only on exit 0, without a signal or the timeout, the time the timer measured).
// Seeds are below and in testdata/fuzz/FuzzParseTimer.
func FuzzParseTimer(f *testing.F) {
	for _, s := range []string{
		`{"timer":"baselab","start_wall_us":1700000000000000,"ms":2554.7,"started":true,"exit_code":0,"signal":"","timed_out":false,"stderr_tail":"","stdout_tail":"192.0.2.1 STREAM c001.dns.test","error":""}` + "\n",
		"192.0.2.1 STREAM c001.dns.test\n" + `{"timer":"baselab","ms":5006.6,"started":true,"exit_code":2,"stderr_tail":"getaddrinfo: Try again"}` + "\n",
		`{"timer":"baselab","ms":60000,"started":true,"exit_code":-1,"signal":"SIGKILL","timed_out":true}`,
		`{"timer":"baselab","started":false,"error":"exec: \"node\": executable file not found in $PATH"}`,
		`{"timer":"other","ms":1}` + "\n" + `{"timer":"baselab","ms":1,"started":true}`,
		`{"timer":"baselab","ms":`, `{"timer":"baselab","ms":1e999,"started":true}`, "{}\n\n{\"timer\":null}", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, stdout string) {
		l, err := parseTimer(stdout)
		if err != nil {
			if !strings.Contains(err.Error(), "no timer line") {
				t.Fatalf("unexpected error: %v", err)
			}
			return
		}
		if l.Timer != "baselab" {
			t.Fatalf("took a line without the timer's marker: %+v", l)
		}
		p, err := userRun{line: l, containerMs: 1}.lookup("c001.dns.test", 1)
		if !l.Started {
			if err == nil {
				t.Fatalf("a command that did not run made a lookup: %+v", p)
			}
			return
		}
		if err != nil {
			t.Fatalf("a command that ran made no lookup: %v", err)
		}
		if p.OK != (l.ExitCode == 0 && l.Signal == "" && !l.TimedOut) || p.Ms != l.Ms || !p.user {
			t.Fatalf("lookup %+v does not say what the line %+v says", p, l)
		}
		if c := p.class(); c != "ok" && c != "fail" {
			t.Fatalf("a user's lookup has class %q", c)
		}
		if p.OK && p.Code != "" || !p.OK && p.Code == "" {
			t.Fatalf("code %q for ok=%v", p.Code, p.OK)
		}
		if _, err := json.Marshal(l); err != nil {
			t.Fatalf("the line does not encode back: %v", err)
		}
	})
}
