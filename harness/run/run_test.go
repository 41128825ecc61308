package run_test

import (
	"context"
	"testing"
	"time"

	"github.com/baselab/baselab/harness/engine"
	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/harness/run"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func slim(t testing.TB) (*engine.Engine, string) {
	t.Helper()
	eng := engine.ForTest(t)
	cat, err := images.New(eng, images.Options{})
	require.NoError(t, err)
	im, err := cat.Ensure(context.Background(), images.Slim)
	require.NoError(t, err)
	return eng, im.Ref
}

func TestOnceReportsExitCodeSignalAndBothStreams(t *testing.T) {
	eng, ref := slim(t)
	cases := []struct {
		name     string
		script   string
		code     int
		signal   string
		stdout   string
		stderr   string
		started  bool
		startErr string
	}{
		{name: "a clean exit", script: "echo out; echo err >&2", code: 0, stdout: "out\n", stderr: "err\n", started: true},
		{name: "a failing exit is data, not an error", script: "exit 3", code: 3, started: true},
		// The inner shell kills itself: PID 1 ignores signals it has no handler for.
		{name: "a segfault is named", script: `sh -c 'kill -SEGV $$'; exit $?`, code: 139, signal: "SIGSEGV", stderr: "Segmentation fault\n", started: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := run.Once(context.Background(), eng, run.Spec{Image: ref, Cmd: []string{"sh", "-c", c.script}})
			require.NoError(t, err)
			assert.Equal(t, c.started, res.Started)
			assert.Equal(t, c.code, res.ExitCode)
			assert.Equal(t, c.signal, res.Signal)
			assert.Equal(t, c.stdout, res.Stdout)
			assert.Equal(t, c.stderr, res.Stderr)
		})
	}
}

func TestOnceKeepsTheEnginesStartError(t *testing.T) {
	eng, ref := slim(t)
	res, err := run.Once(context.Background(), eng, run.Spec{Image: ref, Cmd: []string{"/no/such/program"}})
	require.NoError(t, err, "a container the engine will not start is a result")
	assert.False(t, res.Started)
	assert.Contains(t, res.StartError, "no such file or directory")
}

func TestExecInALongLivedContainer(t *testing.T) {
	eng, ref := slim(t)
	c, err := run.Start(context.Background(), eng, run.Spec{Image: ref, Cmd: []string{"sleep", "300"}, Lab: "test"})
	t.Cleanup(func() { _ = c.Terminate(context.Background()) })
	require.NoError(t, err)
	out, err := c.Exec(context.Background(), []string{"sh", "-c", "echo hi; exit 7"}, "")
	require.NoError(t, err)
	assert.Equal(t, 7, out.ExitCode)
	assert.Equal(t, "hi\n", out.Stdout)
}

func TestLogsKeepsALongLivedContainersStreamsApart(t *testing.T) {
	eng, ref := slim(t)
	c, err := run.Start(context.Background(), eng, run.Spec{Image: ref, Lab: "test",
		Cmd: []string{"sh", "-c", "echo out; echo err >&2; exec sleep 300"}})
	t.Cleanup(func() { _ = c.Terminate(context.Background()) })
	require.NoError(t, err)
	// The container runs on: Logs reads what it has printed so far.
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		stdout, stderr, err := c.Logs(context.Background())
		require.NoError(ct, err)
		assert.Equal(ct, "out\n", stdout)
		assert.Equal(ct, "err\n", stderr)
	}, 10*time.Second, 50*time.Millisecond)
}

// TestOnceTellsTheImagesRefusalFromTheEnginesFailure: a user the image does
// not have is the image's doing (a result the lab classifies); a network
// that does not exist, or a cancelled run, is the lab's own failure and must
// come back as an error, never as a result that looks like the software's.
func TestOnceTellsTheImagesRefusalFromTheEnginesFailure(t *testing.T) {
	eng, ref := slim(t)
	res, err := run.Once(context.Background(), eng, run.Spec{Image: ref, Cmd: []string{"true"}, User: "nosuchuser"})
	require.NoError(t, err, "a user the image lacks is a result")
	assert.False(t, res.Started)
	assert.Contains(t, res.StartError, "nosuchuser")

	_, err = run.Once(context.Background(), eng, run.Spec{Image: ref, Cmd: []string{"true"}, Network: "baselab-no-such-network-i12"})
	require.Error(t, err, "a network the engine does not have is the lab's failure")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = run.Once(ctx, eng, run.Spec{Image: ref, Cmd: []string{"true"}})
	require.Error(t, err, "a cancelled run is the lab's failure")
}
