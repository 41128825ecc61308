package run

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/client"
)

// Output is what a process printed and how it ended.
type Output struct {
	ExitCode int
	// Signal names the signal that killed the process ("SIGSEGV"), derived
	// from a 128+N exit code; empty otherwise.
	Signal   string
	Stdout   string
	Stderr   string
	Duration time.Duration
}

// Exec runs cmd in the container and waits for it. A non-zero exit is not an
// error: it is data.
func (c *Container) Exec(ctx context.Context, cmd []string, user string) (Output, error) {
	api := c.eng.API
	start := time.Now()
	cr, err := api.ExecCreate(ctx, c.GetContainerID(), client.ExecCreateOptions{
		Cmd: cmd, User: user, AttachStdout: true, AttachStderr: true,
	})
	if err != nil {
		return Output{}, fmt.Errorf("exec %q: %w", cmd, err)
	}
	att, err := api.ExecAttach(ctx, cr.ID, client.ExecAttachOptions{})
	if err != nil {
		return Output{}, fmt.Errorf("attach exec %q: %w", cmd, err)
	}
	defer att.Close()
	var stdout, stderr bytes.Buffer
	if _, err := stdcopy.StdCopy(&stdout, &stderr, att.Reader); err != nil {
		return Output{}, fmt.Errorf("read exec %q output: %w", cmd, err)
	}
	// The stream closes when the process ends, but the exit code can lag a
	// moment behind it.
	for {
		ins, err := api.ExecInspect(ctx, cr.ID, client.ExecInspectOptions{})
		if err != nil {
			return Output{}, fmt.Errorf("inspect exec %q: %w", cmd, err)
		}
		if !ins.Running {
			return Output{ExitCode: ins.ExitCode, Signal: signalOf(ins.ExitCode), Stdout: stdout.String(),
				Stderr: stderr.String(), Duration: time.Since(start)}, nil
		}
		select {
		case <-ctx.Done():
			return Output{}, ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}
