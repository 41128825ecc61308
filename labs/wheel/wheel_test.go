package wheel_test

import (
	"encoding/json"
	"testing"

	"github.com/baselab/baselab/harness/record"
	"github.com/baselab/baselab/labs/lab"
	"github.com/baselab/baselab/labs/labtest"
	"github.com/baselab/baselab/labs/wheel"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWheel runs the wheel lab on real containers and holds every cell to
// its expected outcome and evidence (wheel.Variants), then checks the
// facts each cell's story rests on.
func TestWheel(t *testing.T) {
	env := labtest.Env(t)
	recs, err := wheel.New().Run(t.Context(), env)
	require.NoError(t, err)

	byName := map[string]record.Record{}
	for _, r := range recs {
		b, err := json.Marshal(r)
		require.NoError(t, err, "a record must serialise")
		var back record.Record
		require.NoError(t, json.Unmarshal(b, &back))
		byName[back.Variant] = back
	}
	variants := wheel.Variants()
	require.Len(t, recs, len(variants), "one record per variant")

	for _, v := range variants {
		t.Run(v.Name, func(t *testing.T) {
			r, ok := byName[v.Name]
			require.True(t, ok, "no record for %q", v.Name)
			assert.Equal(t, v.Want, r.Outcome, "evidence: %s; detail: %s", r.Evidence, r.Detail)
			assert.Contains(t, r.Evidence, v.WantEvidence)
			assert.Positive(t, r.Tries)
			if v.Want == lab.Works {
				assert.Equal(t, r.Tries, r.OK, "every run must work")
			} else {
				assert.Equal(t, r.Tries, r.Failed, "every run must fail the same way: the failure is deterministic")
			}
			_, mixed := r.Get("mixed_outcomes")
			assert.False(t, mixed, "outcomes differed between runs")
			assert.Equal(t, string(v.Runtime), r.Base)
			assert.NotEmpty(t, r.Libc)
			require.NotNil(t, r.P50ms)
			if check := checks[v.Name]; check != nil {
				check(t, r)
			}
		})
	}
}

// checks are the facts behind each cell, beyond its outcome. Where a
// number or a line comes from is said next to it.
var checks = map[string]func(t *testing.T, r record.Record){
	"glibc wheel on python-slim works": func(t *testing.T, r record.Record) {
		// PEP 600 tag from --plat-name; EXT_SUFFIX of Debian's CPython 3.11.
		assert.Equal(t, "cp311-cp311-manylinux_2_36_x86_64", str(t, r, "wheel_tag"))
		assert.Equal(t, "errtext/_errtext.cpython-311-x86_64-linux-gnu.so", str(t, r, "extension"))
		assert.Equal(t, "glibc 2.36", str(t, r, "built_for"))
		// glibc's and musl's message for ENOENT are the same words.
		assert.Equal(t, "[Errno 2] No such file or directory", str(t, r, "label"))
	},
	"site-packages copied from a glibc stage into python-alpine is not found": func(t *testing.T, r record.Record) {
		// The file is there; CPython on musl does not look for its suffix.
		assert.Contains(t, strs(t, r, "package_files"), "_errtext.cpython-311-x86_64-linux-gnu.so")
		assert.Equal(t, []string{".cpython-311-x86_64-linux-musl.so", ".abi3.so", ".so"}, strs(t, r, "ext_suffixes"))
	},
	"fortified glibc abi3 wheel forced onto python-alpine fails to relocate": func(t *testing.T, r record.Record) {
		assert.Equal(t, "cp311-abi3-manylinux_2_36_x86_64", str(t, r, "wheel_tag"))
		// The static reading of the ELF predicts exactly what musl's loader said.
		assert.Equal(t, []string{"__snprintf_chk"}, strs(t, r, "unresolved_on_musl"))
		// RTLD_NOW (2 on Linux): musl binds every symbol at dlopen, nothing is deferred.
		assert.Equal(t, float64(2), r.Extra["dlopenflags"])
		assert.Contains(t, str(t, r, "pip_without_platform"),
			"ERROR: Could not find a version that satisfies the requirement errtext (from versions: none)",
			"pip on musl must not pick a manylinux wheel by itself")
	},
	"glibc abi3 wheel forced onto python-alpine loads and segfaults when called": func(t *testing.T, r record.Record) {
		assert.Empty(t, strs(t, r, "unresolved_on_musl"), "every symbol resolves: the crash is a meaning, not a gap")
		// Built with glibc's GNU declaration; musl's strerror_r is its XSI one.
		assert.Contains(t, strs(t, r, "imports"), "strerror_r@GLIBC_2.2.5")
		assert.Equal(t, true, r.Extra["musl_strerror_r_is_xsi"])
		assert.Equal(t, "glibc 2.36", str(t, r, "built_for"), "the import worked and said what it was built for")
		assert.Equal(t, float64(139), r.Extra["exit_code"])
		assert.Equal(t, "SIGSEGV", str(t, r, "signal"))
		assert.Contains(t, str(t, r, "faulthandler"), "Fatal Python error: Segmentation fault")
		assert.Contains(t, str(t, r, "faulthandler"), `File "/app/app.py"`)
	},
	"fix: the same sdist built on musl works on python-alpine": func(t *testing.T, r record.Record) {
		assert.Equal(t, "cp311-cp311-musllinux_1_2_x86_64", str(t, r, "wheel_tag"))
		assert.Equal(t, "errtext/_errtext.cpython-311-x86_64-linux-musl.so", str(t, r, "extension"))
		assert.Empty(t, strs(t, r, "unresolved_on_musl"))
		assert.Equal(t, "[Errno 2] No such file or directory", str(t, r, "label"))
	},
	"fix: python-slim runs the abi3 wheel that segfaulted on alpine": func(t *testing.T, r record.Record) {
		assert.Equal(t, "errtext/_errtext.abi3.so", str(t, r, "extension"))
	},
	"fix: python-slim runs the fortified abi3 wheel that failed on alpine": func(t *testing.T, r record.Record) {
		assert.Equal(t, []string{"__snprintf_chk"}, strs(t, r, "unresolved_on_musl"), "same binary as on alpine")
	},
	"glibc program on alpine is not found although it is there": func(t *testing.T, r record.Record) {
		assert.Equal(t, "/lib64/ld-linux-x86-64.so.2", str(t, r, "interpreter"))
		assert.Equal(t, false, r.Extra["interpreter_in_image"])
		assert.Equal(t, true, r.Extra["program_in_image"])
		assert.Contains(t, str(t, r, "file"), "interpreter /lib64/ld-linux-x86-64.so.2")
		// busybox ash reports ENOENT from execve as "not found", exit 127.
		assert.Contains(t, str(t, r, "shell"), "not found")
		assert.Contains(t, str(t, r, "shell"), "[exit 127]")
		// Nothing else is missing: musl's loader, asked by name, runs it.
		assert.Empty(t, strs(t, r, "unresolved_on_musl"))
		assert.Contains(t, str(t, r, "via_musl_loader"), "hello from a dynamically linked program")
		// A file that is really missing fails earlier, at create, with stat in the message.
		assert.Contains(t, str(t, r, "missing_file"), "not started: ")
		assert.Contains(t, str(t, r, "missing_file"), "stat /usr/local/bin/missing: no such file or directory")
	},
	"fix: the same program built with musl-gcc runs on alpine": func(t *testing.T, r record.Record) {
		assert.Equal(t, "/lib/ld-musl-x86_64.so.1", str(t, r, "interpreter"))
		assert.Equal(t, true, r.Extra["interpreter_in_image"])
	},
}

func str(t *testing.T, r record.Record, k string) string {
	t.Helper()
	v, ok := r.Get(k)
	require.True(t, ok, "record has no %q", k)
	s, ok := v.(string)
	require.True(t, ok, "%q is %T, not a string", k, v)
	return s
}

func strs(t *testing.T, r record.Record, k string) []string {
	t.Helper()
	v, ok := r.Get(k)
	require.True(t, ok, "record has no %q", k)
	xs, ok := v.([]any)
	require.True(t, ok, "%q is %T, not a list", k, v)
	out := make([]string, 0, len(xs))
	for _, x := range xs {
		s, ok := x.(string)
		require.True(t, ok, "%q holds %T", k, x)
		out = append(out, s)
	}
	return out
}
