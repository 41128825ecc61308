package wheel_test

import (
	"testing"

	"github.com/baselab/baselab/harness/run"
	"github.com/baselab/baselab/labs/lab"
	"github.com/baselab/baselab/labs/wheel"
	"github.com/stretchr/testify/assert"
)

// TestClassify holds the lab's reading of a run to what CPython, the
// kernel and runc print; the lines are the ones the lab measured (see README.md).
func TestClassify(t *testing.T) {
	t.Parallel()
	// What Docker 20.10 with runc 1.1.5 says for `docker run IMAGE /hello`.
	const missingFile = `failed to create shim task: OCI runtime create failed: runc create failed: ` +
		`unable to start container process: exec: "/hello": stat /hello: no such file or directory: unknown`
	imported := `{"step": "python"}` + "\n" +
		`{"step": "import", "ms": 0.4, "file": "/x/_errtext.abi3.so", "built_for": "glibc 2.36"}` + "\n"
	cases := []struct {
		name         string
		res          run.Result
		want, expect string
	}{
		{"a run that prints the call's result works",
			run.Result{Started: true, Output: run.Output{Stdout: imported + `{"step": "call", "describe": "No such file or directory"}`}},
			lab.Works, `exit 0: describe(2) = "No such file or directory"`},
		{"a traceback ending in ModuleNotFoundError is module-not-found",
			run.Result{Started: true, Output: run.Output{ExitCode: 1, Stderr: "Traceback (most recent call last):\n  File \"/app/app.py\"\nModuleNotFoundError: No module named 'errtext._errtext'\n"}},
			wheel.ModuleNotFound, "ModuleNotFoundError: No module named 'errtext._errtext'"},
		{"a traceback ending in ImportError is import-error",
			run.Result{Started: true, Output: run.Output{ExitCode: 1, Stderr: "Traceback\nImportError: Error relocating /x.so: __snprintf_chk: symbol not found\n"}},
			wheel.ImportError, "ImportError: Error relocating /x.so: __snprintf_chk: symbol not found"},
		{"exit 139 after the import is a segfault with nothing on stderr",
			run.Result{Started: true, Output: run.Output{ExitCode: 139, Signal: "SIGSEGV", Stdout: imported}},
			wheel.Segfault, "exit 139 (SIGSEGV), nothing on stderr"},
		{"runc's exec error inside a started container is exec-not-found",
			run.Result{Started: true, Output: run.Output{ExitCode: 1, Stderr: "exec /usr/local/bin/hello: no such file or directory\n"}},
			lab.ExecNotFound, "exec /usr/local/bin/hello: no such file or directory"},
		{"runc before 1.1's wording of the same exec failure is exec-not-found",
			run.Result{Started: true, Output: run.Output{ExitCode: 1, Stderr: "standard_init_linux.go:228: exec user process caused: no such file or directory\n"}},
			lab.ExecNotFound, "standard_init_linux.go:228: exec user process caused: no such file or directory"},
		{"crun's wording of the same exec failure is exec-not-found",
			run.Result{Started: true, Output: run.Output{ExitCode: 127, Stderr: "exec container process (missing dynamic library?) `/usr/local/bin/hello`: No such file or directory\n"}},
			lab.ExecNotFound, "exec container process (missing dynamic library?) `/usr/local/bin/hello`: No such file or directory"},
		{"an engine that refuses to start a program that is not there at all is exec-not-found",
			run.Result{StartError: missingFile, Output: run.Output{ExitCode: -1}},
			lab.ExecNotFound, missingFile},
		{"exit 0 without the call's line is unexpected",
			run.Result{Started: true, Output: run.Output{Stdout: imported}},
			lab.Unexpected, "exit 0 without the call's output"},
		{"any other failure is unexpected and keeps its last line",
			run.Result{Started: true, Output: run.Output{ExitCode: 2, Stderr: "python3: can't open file\n"}},
			lab.Unexpected, "exit 2: python3: can't open file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, evidence := wheel.Classify(c.res)
			assert.Equal(t, c.want, got)
			assert.Equal(t, c.expect, evidence)
		})
	}
}
