package lint

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/baselab/baselab/harness/record"
)

func runCommand(t testing.TB, c Command, stdin string, paths ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = c.Run(paths, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func fixture(name string) string { return filepath.Join("dockerfiles", name) }

func TestExitStatus(t *testing.T) {
	for _, tc := range []struct {
		name   string
		cmd    Command
		paths  []string
		code   int
		stderr string // a substring; "" means nothing on stderr
	}{
		{"warnings and infos only exit 0", Command{}, []string{fixture("root-by-default.Dockerfile")}, ExitClean, ""},
		{"an error finding exits 1", Command{}, []string{fixture("cgo-go-into-scratch.Dockerfile")}, ExitFindings, ""},
		{"an ignored error exits 0", Command{Ignore: []string{"bl006"}}, []string{fixture("cgo-go-into-scratch.Dockerfile")}, ExitClean, ""},
		{"a malformed Dockerfile exits 2 with its line", Command{}, []string{fixture("malformed.Dockerfile")}, ExitMalformed,
			"dockerfiles/malformed.Dockerfile:4: FROM requires either one or three arguments"},
		{"malformed wins over findings", Command{}, []string{fixture("cgo-go-into-scratch.Dockerfile"), fixture("malformed-instruction.Dockerfile")},
			ExitMalformed, "malformed-instruction.Dockerfile:3: unknown instruction: COPPY"},
		{"no Dockerfile exits 2", Command{}, nil, ExitMalformed, "give a Dockerfile"},
		{"a missing file exits 2", Command{}, []string{fixture("nope.Dockerfile")}, ExitMalformed, "read Dockerfile"},
		{"a bad format exits 2", Command{Format: "yaml"}, []string{fixture("tagged-base.Dockerfile")}, ExitMalformed, "--format yaml"},
		{"an unknown rule exits 2", Command{Ignore: []string{"BL999"}}, []string{fixture("tagged-base.Dockerfile")}, ExitMalformed, "--ignore BL999"},
		{"a missing results folder exits 2", Command{Results: "/nonexistent"}, []string{fixture("tagged-base.Dockerfile")}, ExitMalformed, "--results"},
		{"a context that is not a folder exits 2", Command{Context: "/nonexistent"}, []string{fixture("tagged-base.Dockerfile")}, ExitMalformed, "--context"},
		{"--rules needs no Dockerfile", Command{Rules: true}, nil, ExitClean, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCommand(t, tc.cmd, "", tc.paths...)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr: %s", code, tc.code, stderr)
			}
			if tc.stderr == "" && stderr != "" || !strings.Contains(stderr, tc.stderr) {
				t.Errorf("stderr %q, want %q", stderr, tc.stderr)
			}
			if tc.code == ExitMalformed && strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
				t.Errorf("want one line on stderr, got %q", stderr)
			}
		})
	}
}

func TestStandardInputAndBuildArgs(t *testing.T) {
	src := "ARG BASE\nFROM ${BASE}\nCOPY --from=python:3.11-slim /usr/local/lib/python3.11/site-packages /usr/local/lib/python3.11/site-packages\nUSER 1:1\n"
	code, out, _ := runCommand(t, Command{BuildArgs: []string{"BASE=python:3.11-alpine"}}, src, "-")
	if code != ExitFindings || !strings.Contains(out, "-:3: error BL003") {
		t.Errorf("exit %d:\n%s", code, out)
	}
	code, out, _ = runCommand(t, Command{}, src, "-")
	if code != ExitClean || !strings.Contains(out, "--build-arg BASE=IMAGE") {
		t.Errorf("without the arg: exit %d:\n%s", code, out)
	}
	t.Setenv("BASE", "python:3.11-alpine")
	code, _, _ = runCommand(t, Command{BuildArgs: []string{"BASE"}}, src, "-")
	if code != ExitFindings {
		t.Errorf("--build-arg BASE takes the value from the environment; exit %d", code)
	}
}

func TestFormatsAndJUnitFile(t *testing.T) {
	dir := t.TempDir()
	w, err := record.Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	_ = w.Write(record.Record{Lab: "scratch", Variant: "dynamic-binary", Outcome: "exec-not-found", Evidence: "exec /app: no such file or directory"})
	w.Close()
	junit := filepath.Join(dir, "lint.xml")
	code, out, stderr := runCommand(t, Command{Format: "json", Results: dir, JUnit: junit}, "", fixture("cgo-go-into-scratch.Dockerfile"))
	if code != ExitFindings || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	var doc struct {
		Files []Result `json:"files"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("--format json: %v\n%s", err, out)
	}
	found := false
	for _, f := range doc.Files[0].Findings {
		if f.Rule == CgoNoLibc && len(f.Records) == 1 && f.Records[0].Outcome == "exec-not-found" {
			found = true
		}
	}
	if !found {
		t.Errorf("BL006 with its record not in %s", out)
	}
	b, err := os.ReadFile(junit)
	if err != nil || !regexp.MustCompile(`<failure [^>]*type="error"`).Match(b) {
		t.Errorf("--junit: %v\n%s", err, b)
	}
	code, out, _ = runCommand(t, Command{Format: "sarif"}, "", fixture("cgo-go-into-scratch.Dockerfile"))
	if code != ExitFindings || !strings.Contains(out, `"version": "2.1.0"`) {
		t.Errorf("--format sarif: exit %d\n%s", code, out)
	}
	code, out, _ = runCommand(t, Command{Rules: true}, "")
	if code != ExitClean || strings.Count(out, "\n") != len(Rules()) || !strings.Contains(out, "BL003  error    wheel") {
		t.Errorf("--rules:\n%s", out)
	}
}
