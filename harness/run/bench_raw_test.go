package run_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/baselab/baselab/harness/engine"
	"github.com/baselab/baselab/harness/run"
	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
)

// BenchmarkStartAgainstRaw times start-to-first-exec through harness/run
// and through the bare engine API (create, start, exec, attach, inspect:
// the least a client can do) in the same loop, one after the other, so
// that both see the same engine and the same load. It reports each and the
// harness's overhead; the goal is an overhead within 50 ms.
func BenchmarkStartAgainstRaw(b *testing.B) {
	eng, _ := slim(b)
	alpine := alpineStandin(b, eng)
	ctx := context.Background()
	var harness, raw time.Duration
	for b.Loop() {
		t0 := time.Now()
		c, err := run.Start(ctx, eng, run.Spec{Image: alpine.Ref, Cmd: []string{"sleep", "60"}})
		if err != nil {
			b.Fatal(err)
		}
		if out, err := c.Exec(ctx, []string{"true"}, ""); err != nil || out.ExitCode != 0 {
			b.Fatalf("exec: %v %+v", err, out)
		}
		harness += time.Since(t0)
		b.StopTimer()
		_ = c.Terminate(ctx)
		b.StartTimer()

		t0 = time.Now()
		id := rawStartExec(b, eng, alpine.Ref)
		raw += time.Since(t0)
		b.StopTimer()
		_, _ = eng.API.ContainerRemove(ctx, id, client.ContainerRemoveOptions{Force: true})
		b.StartTimer()
	}
	n := float64(b.N)
	b.ReportMetric(harness.Seconds()*1000/n, "harness-ms/op")
	b.ReportMetric(raw.Seconds()*1000/n, "raw-ms/op")
	b.ReportMetric((harness-raw).Seconds()*1000/n, "overhead-ms/op")
}

// rawStartExec is start-to-first-exec on the bare API: a labelled
// container (so a killed benchmark is still swept), started, and `true`
// run in it to its exit code.
func rawStartExec(b *testing.B, eng *engine.Engine, ref string) string {
	b.Helper()
	ctx := context.Background()
	cr, err := eng.API.ContainerCreate(ctx, client.ContainerCreateOptions{
		Config: &container.Config{Image: ref, Cmd: []string{"sleep", "60"}, Labels: eng.Labels(nil)},
	})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := eng.API.ContainerStart(ctx, cr.ID, client.ContainerStartOptions{}); err != nil {
		b.Fatal(err)
	}
	ex, err := eng.API.ExecCreate(ctx, cr.ID, client.ExecCreateOptions{Cmd: []string{"true"}, AttachStdout: true, AttachStderr: true})
	if err != nil {
		b.Fatal(err)
	}
	att, err := eng.API.ExecAttach(ctx, ex.ID, client.ExecAttachOptions{})
	if err != nil {
		b.Fatal(err)
	}
	var o, e bytes.Buffer
	_, _ = stdcopy.StdCopy(&o, &e, att.Reader)
	att.Close()
	for {
		ins, err := eng.API.ExecInspect(ctx, ex.ID, client.ExecInspectOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if !ins.Running {
			if ins.ExitCode != 0 {
				b.Fatalf("raw exec exited %d", ins.ExitCode)
			}
			return cr.ID
		}
		time.Sleep(time.Millisecond)
	}
}
