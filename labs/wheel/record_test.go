package wheel

import (
	"maps"
	"slices"
	"testing"

	"github.com/baselab/baselab/harness/record"
	"github.com/baselab/baselab/harness/run"
	"github.com/stretchr/testify/assert"
)

// TestTryRecord: what app.py printed reaches the record as far as the run
// got, and the call's results only when the run got through the call.
func TestTryRecord(t *testing.T) {
	t.Parallel()
	python := `{"step": "python", "version": "3.11.2", "dlopenflags": 2, "ext_suffixes": [".abi3.so"], "package_files": ["__init__.py"]}`
	imported := python + "\n" + `{"step": "import", "ms": 0.4, "file": "/x/_errtext.abi3.so", "built_for": "glibc 2.36"}`
	called := imported + "\n" + `{"step": "call", "ms": 0.1, "describe": "No such file or directory", "label": "[Errno 2] No such file or directory"}`
	cases := []struct {
		name string
		res  run.Result
		want []string
	}{
		{"a run through the call records every step",
			run.Result{Started: true, Output: run.Output{Stdout: called}},
			[]string{"built_for", "call_ms", "describe", "dlopenflags", "exit_code", "ext_suffixes", "import_ms", "label", "loaded", "package_files", "python", "signal"}},
		{"a crash after the import records the import",
			run.Result{Started: true, Output: run.Output{ExitCode: 139, Signal: "SIGSEGV", Stdout: imported}},
			[]string{"built_for", "dlopenflags", "exit_code", "ext_suffixes", "import_ms", "loaded", "package_files", "python", "signal"}},
		{"a crash that printed the call's line keeps no call result",
			run.Result{Started: true, Output: run.Output{ExitCode: 139, Signal: "SIGSEGV", Stdout: called}},
			[]string{"built_for", "dlopenflags", "exit_code", "ext_suffixes", "import_ms", "loaded", "package_files", "python", "signal"}},
		{"a container that did not start records how it ended only",
			run.Result{StartError: "exec: \"/x\": stat /x: no such file or directory", Output: run.Output{ExitCode: -1}},
			[]string{"exit_code", "signal"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var r record.Record
			classify(c.res).record(&r)
			assert.Equal(t, c.want, slices.Sorted(maps.Keys(r.Extra)))
		})
	}
	var r record.Record
	classify(run.Result{Started: true, Output: run.Output{Stdout: called}}).record(&r)
	assert.Equal(t, 2, r.Extra["dlopenflags"])
	assert.Equal(t, "glibc 2.36", r.Extra["built_for"])
	assert.Equal(t, "[Errno 2] No such file or directory", r.Extra["label"])
}
