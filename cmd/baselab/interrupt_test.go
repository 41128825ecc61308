package main

import (
	"bufio"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/baselab/baselab/harness/engine"
	"github.com/baselab/baselab/harness/record"
	"github.com/moby/moby/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCtrlCKeepsFinishedRecordsAndRemovesEverything runs `baselab run dns`
// as a user would, on two cells: alpine/ok (one fast lookup) and
// slim/timeout:AAAA (glibc waits out its timeout: 5 s × 2 attempts per
// lookup, resolver-notes.md, so three lookups take ≈ 30 s). SIGINT goes
// in as soon as the fast cell's progress line is out, while the slow cell is
// inside its first lookup. The run must exit 130, remove every container
// and network carrying its run label, keep the fast cell's record (the lab
// reads the server's log after the interrupt) and not the slow one's, and
// write a report from it.
func TestCtrlCKeepsFinishedRecordsAndRemovesEverything(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping under -short: builds the CLI and runs the DNS lab on containers")
	}
	eng := engine.ForTest(t) // skips (or fails under BASELAB_REQUIRE_DOCKER=1) without an engine
	bin := buildCLI(t)
	out := filepath.Join(t.TempDir(), "out")
	cmd := exec.Command(bin, "run", "dns", "--out", out,
		"--bases", "alpine,slim", "--faults", "ok,timeout:AAAA", "--options", "none", "--flags", "none",
		"--load=false", "--tries", "3",
		"--variant", "alpine/ok/none/none", "--variant", "slim/timeout:AAAA/none/none")
	cmd.Env = append(os.Environ(), "TESTCONTAINERS_RYUK_DISABLED=true")
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	var stdout strings.Builder
	cmd.Stdout = &stdout
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	runLine := regexp.MustCompile(`^run (\S+): `)
	var runID string
	var progress strings.Builder
	sc := bufio.NewScanner(stderr)
	deadline := time.AfterFunc(5*time.Minute, func() { _ = cmd.Process.Kill() })
	defer deadline.Stop()
	for sc.Scan() {
		line := sc.Text()
		progress.WriteString(line + "\n")
		if m := runLine.FindStringSubmatch(line); m != nil {
			runID = m[1]
			// Whatever happens next, this run's objects go at cleanup.
			t.Cleanup(func() { _, _ = eng.Clean(t.Context(), engine.CleanOptions{RunID: runID}) })
		}
		if strings.HasPrefix(line, "dns: alpine/ok/none/none") {
			require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
			break
		}
	}
	require.NotEmpty(t, runID, "the run prints its id first: %s", progress.String())
	rest, _ := io.ReadAll(stderr)
	progress.Write(rest)
	err = cmd.Wait()
	t.Logf("the run's progress:\n%s%s", progress.String(), stdout.String())
	var ee *exec.ExitError
	require.True(t, errors.As(err, &ee), "want exit 130, got %v: %s", err, progress.String())
	assert.Equal(t, exitInterrupted, ee.ExitCode(), progress.String())
	assert.Contains(t, progress.String(), "interrupted: the partial results are in "+out)

	f := client.Filters{}.Add("label", engine.LabelProject+"="+engine.ProjectValue).Add("label", engine.LabelRun+"="+runID)
	cs, err := eng.API.ContainerList(t.Context(), client.ContainerListOptions{All: true, Filters: f})
	require.NoError(t, err)
	assert.Empty(t, cs.Items, "containers of run %s left after the interrupt", runID)
	ns, err := eng.API.NetworkList(t.Context(), client.NetworkListOptions{Filters: f})
	require.NoError(t, err)
	assert.Empty(t, ns.Items, "networks of run %s left after the interrupt", runID)

	rs, err := record.Read(out)
	require.NoError(t, err)
	var variants []string
	for _, r := range rs {
		variants = append(variants, r.Variant)
	}
	assert.Equal(t, []string{"alpine/ok/none/none"}, variants, "the finished cell is kept, the interrupted one is not")
	if assert.Len(t, rs, 1) {
		assert.Empty(t, rs[0].Errors, "the kept cell finished before the interrupt")
		assert.Equal(t, 3, rs[0].Tries)
	}
	html, err := os.ReadFile(filepath.Join(out, "report.html"))
	require.NoError(t, err, "the report is written from the partial results: %s", stdout.String())
	assert.Contains(t, string(html), "alpine/ok/none/none")
}
