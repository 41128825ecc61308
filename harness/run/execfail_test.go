package run_test

import (
	"testing"

	"github.com/baselab/baselab/harness/run"
	"github.com/stretchr/testify/assert"
)

func TestExecNotFound(t *testing.T) {
	cases := []struct {
		name string
		text string
		want bool
	}{
		// runc 1.1 (Debian docker.io 20.10.24): a glibc program in the alpine stand-in.
		{"runc 1.1 names the program when its loader is missing", "exec /usr/local/bin/hello: no such file or directory", true},
		// runc 1.0 and earlier (Docker 19.03–20.10.7).
		{"runc 1.0 blames the user process", "standard_init_linux.go:228: exec user process caused: no such file or directory", true},
		{"runc rc93 from an older line number", "standard_init_linux.go:219: exec user process caused: no such file or directory", true},
		// The engine's start error when the program itself is absent.
		{"the engine refuses a program that is not there", `failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "/app": stat /app: no such file or directory: unknown`, true},
		{"the engine refuses a shell that is not there", `OCI runtime create failed: container_linux.go:380: starting container process caused: exec: "sh": executable file not found in $PATH: unknown`, true},
		// crun (Podman, Fedora's Docker).
		{"crun 1.5 suspects a dynamic library", "exec container process (missing dynamic library?) `/app`: No such file or directory", true},
		{"crun 1.4 says the same without the hint", "exec container process `/app`: No such file or directory", true},
		{"crun names an absent program", "executable file `/app` not found: No such file or directory", true},
		{"the line may follow other output", "starting\nexec /app: no such file or directory\n", true},
		// Not exec failures.
		{"a program's own ENOENT is not an exec failure", "open /etc/ssl/certs/ca-certificates.crt: no such file or directory", false},
		{"Python's import error is not an exec failure", "ImportError: Error relocating /x.so: __snprintf_chk: symbol not found", false},
		{"a missing user is not an exec failure", "unable to find user nobody: no matching entries in passwd file", false},
		{"no output is not an exec failure", "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, run.ExecNotFound(c.text), c.text)
		})
	}
}

func TestRefusedByImage(t *testing.T) {
	cases := []struct {
		text string
		want bool
	}{
		{`failed to create task for container: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "/app": stat /app: no such file or directory: unknown`, true},
		{`unable to find user nonroot: no matching entries in passwd file`, true},
		{`exec /app: exec format error`, true},
		{`network baselab-x not found`, false},
		{`Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?`, false},
		{`context canceled`, false},
	}
	for _, c := range cases {
		if got := run.RefusedByImage(c.text); got != c.want {
			t.Errorf("run.RefusedByImage(%q) = %v, want %v", c.text, got, c.want)
		}
	}
}
