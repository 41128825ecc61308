package main

import (
	"bytes"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// buildCLI builds baselab once for the tests that run it as a user would:
// exit statuses and what reaches stderr are only real from a process.
func buildCLI(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "baselab")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "build baselab: %s", out)
	return bin
}

// TestBadInputIsOneLineAndTouchesNothing runs the CLI on bad input. Each case
// must fail in one line with its exit status, write nothing (the results
// folder it names never appears) and start nothing: every case but the
// missing engine runs against DOCKER_HOST=unix:///nonexistent, so a case
// that reached the engine would fail with the engine's message instead.
func TestBadInputIsOneLineAndTouchesNothing(t *testing.T) {
	bin := buildCLI(t)
	claimsFile := filepath.Join(t.TempDir(), "bad.yaml")
	require.NoError(t, os.WriteFile(claimsFile, []byte("claims:\n- id: x\n  lab: nosuchlab\n  bogus: 1\n"), 0o644))
	notADir := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(notADir, []byte("x"), 0o644))

	// An --out that holds an earlier run's records: refused, and left as
	// it was (checked after the cases).
	held := filepath.Join(t.TempDir(), "held")
	require.NoError(t, os.Mkdir(held, 0o755))
	heldRecords := []byte(`{"lab":"dns","variant":"alpine/ok/none/none"}` + "\n")
	require.NoError(t, os.WriteFile(filepath.Join(held, "results.jsonl"), heldRecords, 0o644))
	badAnswer := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(badAnswer, "answer.yaml"), []byte("scenarios: [\n"), 0o644))
	pulled := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(pulled, "answer.yaml"), []byte("probe: \"getent hosts {name}\"\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(pulled, "Dockerfile"), []byte("FROM node:20-alpine\n"), 0o644))

	// Port 53 on a loopback address of its own, held by this test.
	busy := "127.0.0.53:53"
	if pc, err := net.ListenPacket("udp", busy); err == nil {
		t.Cleanup(func() { pc.Close() })
	} else {
		busy = ""
	}

	noDocker := "unix:///nonexistent"
	pathNoDebootstrap := filepath.Dir(goBin(t)) + ":/usr/bin:/bin"
	cases := []struct {
		name string
		args []string
		env  []string
		code int
		want string // in the one line
		skip string
	}{
		{name: "unknown lab lists the labs", args: []string{"run", "nosuch"}, code: exitUsage, want: "the labs are dns, wheel, scratch, size, surface"},
		{name: "unknown command", args: []string{"nosuch"}, code: exitUsage, want: `unknown command "nosuch"`},
		{name: "unknown variant", args: []string{"run", "dns", "--variant", "nosuch/x"}, code: exitUsage, want: `no variant "nosuch/x"`},
		{name: "unknown fault", args: []string{"run", "dns", "--faults", "nosuch"}, code: exitUsage, want: "nosuch"},
		{name: "unknown base", args: []string{"run", "size", "--bases", "nosuch"}, code: exitUsage, want: `unknown image key "nosuch"`},
		{name: "unknown base for the dns lab lists the catalog", args: []string{"run", "dns", "--bases", "nosuch"}, code: exitUsage, want: `unknown image key "nosuch": known keys are alpine`},
		{name: "a variant that is not a pattern", args: []string{"run", "dns", "--variant", "["}, code: exitUsage, want: `--variant "[" is not a pattern`},
		{name: "an option of another lab", args: []string{"run", "size", "--faults", "race"}, code: exitUsage, want: "unknown flag: --faults"},
		{name: "an option value out of range", args: []string{"run", "dns", "--tries", "0"}, code: exitUsage, want: "--tries must be at least 1"},
		{name: "--in-hosts without an image", args: []string{"run", "dns", "--in-hosts"}, code: exitUsage, want: "--in-hosts puts your image's cell names in its /etc/hosts: it needs --image"},
		{name: "a probability out of range", args: []string{"run", "dns", "--load-p", "2"}, code: exitUsage, want: "--load-p 2: want a probability in (0, 1]"},
		{name: "an out that holds an earlier run", args: []string{"run", "dns", "--out", held}, code: exitUsage, want: "already holds the records of an earlier run"},
		{name: "claims into an out that holds an earlier run", args: []string{"claims", "course", "--out", held}, code: exitUsage, want: "already holds the records of an earlier run"},
		{name: "a claims file that does not exist", args: []string{"claims", "nosuch.yaml"}, code: exitUsage, want: "open nosuch.yaml: no such file"},
		{name: "unknown resolv.conf option", args: []string{"run", "dns", "--options", "nosuch"}, code: exitUsage, want: `unknown resolv.conf option "nosuch"`},
		{name: "unknown flag", args: []string{"run", "dns", "--bogus"}, code: exitUsage, want: "unknown flag: --bogus"},
		{name: "unwritable out", args: []string{"run", "dns", "--out", filepath.Join(notADir, "results")}, code: exitUsage, want: "--out"},
		{name: "compare --probe without {name}", args: []string{"compare", "--probe", "getent hosts", "a:1", "b:1"}, code: exitUsage, want: "{name}"},
		{name: "compare --probe with an unknown fault", args: []string{"compare", "--probe", "getent hosts {name}", "--probe-faults", "nosuch", "a:1", "b:1"}, code: exitUsage, want: "nosuch"},
		{name: "doctor --probe without {name}", args: []string{"doctor", "--confirm", "--probe", "getent hosts", "a:1"}, code: exitUsage, want: "{name}"},
		{name: "doctor --probe without --confirm", args: []string{"doctor", "--probe", "getent hosts {name}", "a:1"}, code: exitUsage, want: "give --confirm too"},
		{name: "doctor --probe with an unterminated quote", args: []string{"doctor", "--confirm", "--probe", "python3 -c 'x {name}", "a:1"}, code: exitUsage, want: "unterminated '"},
		{name: "doctor takes no faults: each DNS finding picks its own", args: []string{"doctor", "--confirm", "--probe", "getent hosts {name}", "--probe-faults", "nosuch", "a:1"}, code: exitUsage, want: "unknown flag: --probe-faults"},
		{name: "malformed claims file", args: []string{"claims", claimsFile, "--out", "OUT"}, code: 2, want: "bad.yaml"},
		{name: "unknown exercise", args: []string{"exercise", "check", "9", badAnswer}, code: exitUsage, want: `no exercise "9"`},
		{name: "exercise without PATH", args: []string{"exercise", "check", "2"}, code: exitUsage, want: "give the hand-in folder"},
		{name: "malformed answer file", args: []string{"exercise", "check", "5", badAnswer}, code: exitUsage, want: "answer.yaml"},
		{name: "exercise Dockerfile FROM an image that cannot be pulled", args: []string{"exercise", "check", "2", pulled}, code: exitUsage,
			want: "FROM node:20-alpine: images cannot be pulled here"},
		{name: "unknown exercise to show", args: []string{"exercise", "show", "0"}, code: exitUsage, want: `no exercise "0"`},
		{name: "missing Docker", args: []string{"run", "dns", "--out", "OUT"}, env: []string{"DOCKER_HOST=" + noDocker}, code: exitFailed,
			want: "docker engine not reachable at unix:///nonexistent"},
		{name: "port 53 in use", args: []string{"dnsfaker", "--listen", busy}, code: exitFailed, want: busy,
			skip: map[bool]string{true: "cannot hold port 53 here (not root?)"}[busy == ""]},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.skip != "" {
				t.Skip(tc.skip)
			}
			dir := t.TempDir()
			out := filepath.Join(dir, "out")
			args := make([]string, len(tc.args))
			for i, a := range tc.args {
				args[i] = strings.ReplaceAll(a, "OUT", out)
			}
			cmd := exec.Command(bin, args...)
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "DOCKER_HOST="+noDocker, "PATH="+pathNoDebootstrap+":/usr/sbin")
			cmd.Env = append(cmd.Env, tc.env...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			start := time.Now()
			err := cmd.Run()
			var ee *exec.ExitError
			require.True(t, errors.As(err, &ee), "want a failure, got %v; stderr %q", err, stderr.String())
			assert.Equal(t, tc.code, ee.ExitCode(), "exit status; stderr %q", stderr.String())
			lines := strings.Split(strings.TrimRight(stderr.String(), "\n"), "\n")
			assert.Len(t, lines, 1, "one line on stderr, got %q", stderr.String())
			assert.Contains(t, lines[0], tc.want)
			assert.Empty(t, stdout.String(), "nothing on stdout")
			assert.Less(t, time.Since(start), 5*time.Second, "fails fast")
			entries, err := os.ReadDir(dir)
			require.NoError(t, err)
			assert.Empty(t, entries, "nothing written in the working folder")
		})
	}

	after, err := os.ReadDir(held)
	require.NoError(t, err)
	assert.Len(t, after, 1, "the held --out gained nothing")
	b, err := os.ReadFile(filepath.Join(held, "results.jsonl"))
	require.NoError(t, err)
	assert.Equal(t, heldRecords, b, "the earlier run's records are untouched")

	t.Run("missing debootstrap and Docker: one block with both", func(t *testing.T) {
		dir := t.TempDir()
		cmd := exec.Command(bin, "run", "dns", "--out", filepath.Join(dir, "out"))
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "DOCKER_HOST="+noDocker, "PATH="+pathNoDebootstrap)
		if _, err := os.Stat("/usr/sbin/debootstrap"); err != nil && os.Geteuid() == 0 {
			t.Skip("debootstrap is not installed here; the case needs it absent from PATH only")
		}
		b, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		require.True(t, errors.As(err, &ee), "want a failure: %s", b)
		assert.Equal(t, exitFailed, ee.ExitCode())
		s := string(b)
		assert.Contains(t, s, "MISSING  engine")
		assert.Contains(t, s, "MISSING  debootstrap")
		assert.Equal(t, 1, strings.Count(s, "debootstrap "+map[bool]string{true: "is in /usr/sbin", false: "not found"}[os.Geteuid() == 0]), "said once: %s", s)
		entries, _ := os.ReadDir(dir)
		assert.Empty(t, entries)
	})
}

func goBin(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("go")
	require.NoError(t, err)
	return p
}
