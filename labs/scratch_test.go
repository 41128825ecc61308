package labs_test

import (
	"context"
	"io"
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/baselab/baselab/fixtures"
	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/harness/record"
	"github.com/baselab/baselab/harness/run"
	"github.com/baselab/baselab/labs"
	"github.com/baselab/baselab/labs/labtest"
	"github.com/spf13/pflag"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestScratch runs the lab on real containers and holds every step to the
// table: each failing step fails with the error the world shows, each fix
// works.
func TestScratch(t *testing.T) {
	t.Parallel()
	env := labtest.Env(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	rs, err := labs.Scratch().Run(ctx, env)
	require.NoError(t, err)
	require.Len(t, rs, len(labs.ScratchVariants()), "one record per step")
	byName := map[string]record.Record{}
	for _, r := range rs {
		byName[r.Variant] = r
	}
	for _, v := range labs.ScratchVariants() {
		t.Run(v.Case, func(t *testing.T) {
			r, ok := byName[v.Name]
			require.True(t, ok, "no record for %s", v.Name)
			assert.Equal(t, "scratch", r.Lab)
			assert.Equal(t, string(v.Base), r.Base)
			assert.NotEmpty(t, r.Image)
			require.Equal(t, v.Want, r.Outcome, "evidence: %s; detail: %s", r.Evidence, r.Detail)
			assert.Equal(t, 1, r.Tries)
			if v.Want != labs.ScratchWorks {
				assert.Contains(t, r.Evidence, v.WantEvidence)
				assert.Equal(t, 1, r.Failed)
				return
			}
			assert.Equal(t, 1, r.OK)
			assert.Equal(t, float64(0), scratchNum(t, r, "exit_code"))
			assert.Equal(t, float64(v.WantUID), scratchNum(t, r, "uid"), "uid")
			assert.Equal(t, float64(v.WantGID), scratchNum(t, r, "gid"), "gid")
			assert.Equal(t, v.WantName, r.Extra["user_name"], "user name")
			require.NotNil(t, r.P50ms, "the program's own run time")
			if v.HTTPS {
				assert.Equal(t, float64(200), scratchNum(t, r, "http_status"))
			}
			if v.TZ {
				assert.Equal(t, labs.ScratchZoneAbbrev, r.Extra["zone_abbrev"])
				assert.Equal(t, float64(labs.ScratchZoneOffsetS), scratchNum(t, r, "zone_offset_s"))
			}
		})
	}

	t.Run("a cgo build names glibc's loader, which scratch does not have", func(t *testing.T) {
		r := byName["dynamic-binary"]
		assert.Equal(t, false, r.Extra["static"])
		assert.Equal(t, "/lib64/ld-linux-x86-64.so.2", r.Extra["interpreter"], "the x86-64 psABI's glibc loader")
	})
	t.Run("time/tzdata adds about 450 KB to the binary", func(t *testing.T) {
		// The time/tzdata package documentation: "about 450 KB"; the
		// database grows a little each release, so allow 350-600 KB.
		added := scratchNum(t, byName["tzdata-embedded"], "adds_bytes")
		assert.InDelta(t, 475_000, added, 125_000)
		assert.Equal(t, added, scratchNum(t, byName["tzdata-embedded"], "binary_bytes")-scratchNum(t, byName["static-binary"], "binary_bytes"),
			"the image grows by exactly what the binary grows")
	})
	t.Run("copying zoneinfo adds what its files weigh", func(t *testing.T) {
		r := byName["zoneinfo-copied"]
		files := scratchNum(t, r, "zoneinfo_file_bytes")
		// The engine sizes a layer by the bytes of its regular files: the
		// copy adds them, and no more than a few KB besides.
		assert.InDelta(t, files, scratchNum(t, r, "adds_bytes"), 16_384)
		assert.Less(t, scratchNum(t, r, "zone_file_bytes"), float64(16_384),
			"one zone is a few KB: copying only the zones used is the smallest fix")
	})
	t.Run("the CA bundle adds Debian's bundle and the lab CA", func(t *testing.T) {
		r := byName["ca-bundle-copied"]
		bundle := scratchNum(t, r, "bundle_bytes")
		assert.InDelta(t, bundle+700, scratchNum(t, r, "adds_bytes"), 400, "plus one PEM certificate (~700 B)")
		assert.Greater(t, scratchNum(t, r, "bundle_debian_certs"), float64(100), "Debian's bundle holds the public roots")
	})
}

func scratchNum(t *testing.T, r record.Record, key string) float64 {
	t.Helper()
	v, ok := r.Extra[key]
	require.True(t, ok, "record %s has no %s", r.Variant, key)
	switch n := v.(type) {
	case float64:
		return n
	case int:
		return float64(n)
	case int64:
		return float64(n)
	case *int:
		require.NotNil(t, n, "%s is null", key)
		return float64(*n)
	}
	t.Fatalf("record %s: %s is %T, not a number", r.Variant, key, v)
	return 0
}

func TestScratchTable(t *testing.T) {
	t.Parallel()
	outcomes := []string{labs.ScratchWorks, labs.ScratchExecNotFound, labs.ScratchX509Unknown, labs.ScratchUnknownZone, labs.ScratchUnknownUser}
	seen := map[string]bool{}
	for _, v := range labs.ScratchVariants() {
		t.Run(v.Case, func(t *testing.T) {
			assert.False(t, seen[v.Name], "step names are unique")
			seen[v.Name] = true
			assert.Contains(t, outcomes, v.Want)
			df, err := fs.ReadFile(fixtures.Scratch, "dockerfiles/"+v.Dockerfile)
			require.NoError(t, err)
			assert.Contains(t, string(df), "ENTRYPOINT [\"/app\"]")
			final := df[strings.LastIndex(string(df), "FROM "):]
			assert.True(t, strings.HasPrefix(string(final), "FROM ${"+map[images.Key]string{
				images.Scratch: "SCRATCH", images.DistrolessStatic: "DISTROLESS_STATIC"}[v.Base]+"}"),
				"the step's base is the Dockerfile's final FROM")
			if v.Want != labs.ScratchWorks {
				assert.NotEmpty(t, v.WantEvidence, "a failing step names the error it must show")
			}
			assert.Equal(t, v.Bundle, strings.Contains(string(df), "COPY ca-certificates.crt"),
				"Bundle marks exactly the images that hold the run's CA")
		})
	}
}

func TestScratchClassify(t *testing.T) {
	t.Parallel()
	started := func(code int, stdout, stderr string) run.Result {
		return run.Result{Started: true, Output: run.Output{ExitCode: code, Stdout: stdout, Stderr: stderr}}
	}
	user := `{"check":"user","ok":true,"uid":0,"gid":0}` + "\n"
	cases := []struct {
		name     string
		res      run.Result
		want     string
		evidence string
	}{
		{"an engine that cannot find the user refuses to start",
			run.Result{StartError: "unable to find user nobody: no matching entries in passwd file", Output: run.Output{ExitCode: -1}},
			labs.ScratchUnknownUser, "unable to find user nobody"},
		{"runc's failed execve is exec-not-found",
			started(1, "", "exec /app: no such file or directory\n"), labs.ScratchExecNotFound, "exec /app: no such file or directory (exit code 1)"},
		{"an older runc's wording is exec-not-found too",
			started(1, "", "standard_init_linux.go:228: exec user process caused: no such file or directory\n"), labs.ScratchExecNotFound, "exec user process"},
		{"a start-time exec failure is exec-not-found",
			run.Result{StartError: `OCI runtime create failed: exec: "/app": stat /app: no such file or directory`}, labs.ScratchExecNotFound, "stat /app"},
		{"an unknown authority is x509-unknown-authority",
			started(1, user+`{"check":"https","ok":false,"error":"Get \"https://https.lab.test/\": tls: failed to verify certificate: x509: certificate signed by unknown authority"}`+"\n", ""),
			labs.ScratchX509Unknown, "x509: certificate signed by unknown authority (exit code 1)"},
		{"roots that fail to load are x509-unknown-authority",
			started(1, user+`{"check":"https","ok":false,"error":"x509: failed to load system roots and no roots provided"}`+"\n", ""),
			labs.ScratchX509Unknown, "failed to load system roots"},
		{"a refused connection is not a certificate problem",
			started(1, user+`{"check":"https","ok":false,"error":"dial tcp 192.0.2.1:443: connect: connection refused"}`+"\n", ""),
			labs.ScratchUnexpected, "connection refused"},
		{"a missing zone is unknown-time-zone",
			started(1, user+`{"check":"tz","ok":false,"error":"unknown time zone America/New_York"}`+"\n", ""),
			labs.ScratchUnknownZone, "unknown time zone America/New_York"},
		{"all checks passing with exit 0 works",
			started(0, user+`{"check":"tz","ok":true,"zone":"America/New_York","abbrev":"EDT","offset_s":-14400}`+"\n"+`{"check":"done","ok":true,"ms":1.5}`+"\n", ""),
			labs.ScratchWorks, "exit code 0"},
		{"a crash after the checks is unexpected",
			started(2, user+`{"check":"done","ok":true}`+"\n", "panic: boom\n"), labs.ScratchUnexpected, "panic: boom"},
		{"a program that prints nothing and exits is unexpected",
			started(137, "", ""), labs.ScratchUnexpected, "(no output) (exit code 137)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, evidence := labs.ScratchClassify(c.res)
			assert.Equal(t, c.want, got)
			assert.Contains(t, evidence, c.evidence)
		})
	}
}

func TestScratchFlags(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, args, err string
	}{
		{"an unknown step is refused before anything runs", "--variant=no-such-step", `unknown scratch step "no-such-step"`},
		{"one bad name among good ones is refused", "--variant=exercise-4,bogus", `unknown scratch step "bogus"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lab := labs.Scratch()
			fs := pflag.NewFlagSet("scratch", pflag.ContinueOnError)
			lab.Flags(fs)
			require.NoError(t, fs.Parse([]string{c.args}))
			// No engine: the lab must fail on the name before it needs one.
			_, err := lab.Run(context.Background(), &labs.Env{Progress: io.Discard})
			assert.ErrorContains(t, err, c.err)
		})
	}
}
