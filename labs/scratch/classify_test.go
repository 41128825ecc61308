package scratch_test

import (
	"testing"

	"github.com/baselab/baselab/harness/run"
	"github.com/baselab/baselab/labs/lab"
	"github.com/baselab/baselab/labs/scratch"
	"github.com/stretchr/testify/assert"
)

func TestClassify(t *testing.T) {
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
			scratch.UnknownUser, "unable to find user nobody"},
		{"runc's failed execve is exec-not-found",
			started(1, "", "exec /app: no such file or directory\n"), lab.ExecNotFound, "exec /app: no such file or directory (exit code 1)"},
		{"an older runc's wording is exec-not-found too",
			started(1, "", "standard_init_linux.go:228: exec user process caused: no such file or directory\n"), lab.ExecNotFound, "exec user process"},
		{"a start-time exec failure is exec-not-found",
			run.Result{StartError: `OCI runtime create failed: exec: "/app": stat /app: no such file or directory`}, lab.ExecNotFound, "stat /app"},
		{"an unknown authority is x509-unknown-authority",
			started(1, user+`{"check":"https","ok":false,"error":"Get \"https://https.lab.test/\": tls: failed to verify certificate: x509: certificate signed by unknown authority"}`+"\n", ""),
			scratch.X509Unknown, "x509: certificate signed by unknown authority (exit code 1)"},
		{"roots that fail to load are x509-unknown-authority",
			started(1, user+`{"check":"https","ok":false,"error":"x509: failed to load system roots and no roots provided"}`+"\n", ""),
			scratch.X509Unknown, "failed to load system roots"},
		{"a refused connection is not a certificate problem",
			started(1, user+`{"check":"https","ok":false,"error":"dial tcp 192.0.2.1:443: connect: connection refused"}`+"\n", ""),
			lab.Unexpected, "connection refused"},
		{"a public chain the image's roots do not reach is x509-unknown-authority",
			started(1, user+`{"check":"https","ok":true,"status":200}`+"\n"+`{"check":"chain","ok":false,"error":"x509: certificate signed by unknown authority"}`+"\n", ""),
			scratch.X509Unknown, "public chain: x509: certificate signed by unknown authority"},
		{"a missing zone is unknown-time-zone",
			started(1, user+`{"check":"tz","ok":false,"error":"unknown time zone America/New_York"}`+"\n", ""),
			scratch.UnknownZone, "unknown time zone America/New_York"},
		{"all checks passing with exit 0 works",
			started(0, user+`{"check":"tz","ok":true,"zone":"America/New_York","abbrev":"EDT","offset_s":-14400}`+"\n"+`{"check":"done","ok":true,"ms":1.5}`+"\n", ""),
			lab.Works, "exit code 0"},
		{"a crash after the checks is unexpected",
			started(2, user+`{"check":"done","ok":true}`+"\n", "panic: boom\n"), lab.Unexpected, "panic: boom"},
		{"a program that prints nothing and exits is unexpected",
			started(137, "", ""), lab.Unexpected, "(no output) (exit code 137)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, evidence := scratch.Classify(c.res)
			assert.Equal(t, c.want, got)
			assert.Contains(t, evidence, c.evidence)
		})
	}
}
