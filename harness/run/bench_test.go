package run_test

import (
	"context"
	"testing"

	"github.com/baselab/baselab/harness/engine"
	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/harness/run"
)

// BenchmarkStartToFirstExec measures what every lab cell pays before it
// measures anything: start a stand-in container and run one command in it.
// go test -run - -bench StartToFirstExec ./harness/run/
func BenchmarkStartToFirstExec(b *testing.B) {
	eng, ref := slim(b)
	alpine := alpineStandin(b, eng)
	for _, im := range []string{ref, alpine.Ref} {
		b.Run(im, func(b *testing.B) {
			for b.Loop() {
				c, err := run.Start(context.Background(), eng, run.Spec{Image: im, Cmd: []string{"sleep", "60"}})
				if err != nil {
					b.Fatal(err)
				}
				if out, err := c.Exec(context.Background(), []string{"true"}, ""); err != nil || out.ExitCode != 0 {
					b.Fatalf("exec: %v %+v", err, out)
				}
				b.StopTimer()
				_ = c.Terminate(context.Background())
				b.StartTimer()
			}
		})
	}
}

// alpineStandin is the alpine catalog image, built or found, for the
// start benchmarks.
func alpineStandin(b *testing.B, eng *engine.Engine) images.Image {
	b.Helper()
	cat, err := images.New(eng, images.Options{})
	if err != nil {
		b.Fatal(err)
	}
	alpine, err := cat.Ensure(context.Background(), images.Alpine)
	if err != nil {
		b.Fatal(err)
	}
	return alpine
}
