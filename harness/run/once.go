package run

import (
	"context"
	"fmt"
	"time"

	"github.com/baselab/baselab/harness/engine"
	"github.com/moby/moby/client"
)

// Result is a container run to its end.
type Result struct {
	Output
	// Started is false when the engine refused to start the container (no
	// such user, no such executable ...); StartError then holds its message.
	Started    bool
	StartError string
}

// Once runs a container to completion and removes it: the shape of
// `docker run --rm IMAGE CMD`. A container the runtime refuses to start for a
// reason of the image's own (RefusedByImage: no such executable, loader or
// user) is a Result, not an error: that is the lab's data. Anything else —
// the engine failing, a cancelled context — is an error, never a result.
func Once(ctx context.Context, eng *engine.Engine, s Spec) (Result, error) {
	// A missing image is the caller's error; a container the engine will not
	// start (no such user, no such executable ...) is the lab's data.
	if err := requireLocal(ctx, eng, s.Image); err != nil {
		return Result{}, err
	}
	start := time.Now()
	c, err := Start(ctx, eng, s)
	defer func() { _ = c.Terminate(context.WithoutCancel(ctx)) }()
	if err != nil {
		if c == nil || ctx.Err() != nil || !RefusedByImage(err.Error()) {
			return Result{}, fmt.Errorf("run container from %s: %w", s.Image, err)
		}
		return Result{StartError: shortErr(err), Output: Output{Duration: time.Since(start), ExitCode: -1}}, nil
	}
	id := c.GetContainerID()
	wait := eng.API.ContainerWait(ctx, id, client.ContainerWaitOptions{Condition: "not-running"})
	var code int
	select {
	case res := <-wait.Result:
		code = int(res.StatusCode)
		if res.Error != nil && res.Error.Message != "" {
			return Result{}, fmt.Errorf("wait for container: %s", res.Error.Message)
		}
	case err := <-wait.Error:
		return Result{}, fmt.Errorf("wait for container: %w", err)
	}
	stdout, stderr, err := c.Logs(ctx)
	if err != nil {
		return Result{}, err
	}
	return Result{Started: true, Output: Output{ExitCode: code, Signal: signalOf(code), Stdout: stdout,
		Stderr: stderr, Duration: time.Since(start)}}, nil
}
