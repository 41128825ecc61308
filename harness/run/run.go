// Package run starts lab containers (through testcontainers-go), runs
// commands in them, and collects what they printed, exit codes and signals,
// with every container labelled so that nothing outlives its run.
package run

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/baselab/baselab/harness/engine"
	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
	tcnetwork "github.com/testcontainers/testcontainers-go/network"
	"github.com/testcontainers/testcontainers-go/wait"
)

// Spec describes a container.
type Spec struct {
	Image      string
	Entrypoint []string
	Cmd        []string
	User       string
	Env        map[string]string
	// Binds are host paths mounted into the container, read-only. A bind
	// mount (unlike a copied file) survives the engine rewriting
	// /etc/resolv.conf at start, which is why the DNS lab uses one.
	Binds []Bind
	// Network, when set, is the only network the container joins; when
	// empty the container has none (loopback only): a cell that needs a
	// peer gets a lab network, which the labs create internal.
	Network string
	// Aliases on Network.
	Aliases []string
	// Lab labels the container with the lab that made it.
	Lab string
	// Labels are extra labels.
	Labels map[string]string
	// Privileges: the zero value drops every capability and sets
	// no-new-privileges.
	Privileges
}

// Bind mounts Host at Container.
type Bind struct {
	Host, Container string
	ReadWrite       bool
}

// Container is a started container.
type Container struct {
	*testcontainers.DockerContainer
	eng *engine.Engine
}

// Start creates and starts a container. On error the partial container, if
// any, is returned so the caller can still terminate it.
func Start(ctx context.Context, eng *engine.Engine, s Spec) (*Container, error) {
	if err := requireLocal(ctx, eng, s.Image); err != nil {
		return nil, err
	}
	if s.Network != "" {
		// testcontainers starts the container on the default bridge when
		// the named network does not exist: a lab container would then
		// reach past the lab's internal network, and its lookups would
		// measure something else. Refuse instead.
		if _, err := eng.API.NetworkInspect(ctx, s.Network, client.NetworkInspectOptions{}); err != nil {
			return nil, fmt.Errorf("start container from %s: network %s: %w", s.Image, s.Network, err)
		}
	}
	c, err := testcontainers.Run(ctx, s.Image, options(eng, s)...)
	var out *Container
	if c != nil {
		out = &Container{DockerContainer: c, eng: eng}
		Created(ctx, eng, c.GetContainerID())
	}
	if err != nil {
		return out, fmt.Errorf("start container from %s: %w", s.Image, err)
	}
	return out, nil
}

// Terminate stops and removes the container; nil-safe.
func (c *Container) Terminate(ctx context.Context) error {
	if c == nil || c.DockerContainer == nil {
		return nil
	}
	return c.DockerContainer.Terminate(ctx)
}

// IP returns the container's address on the named network.
func (c *Container) IP(ctx context.Context, network string) (string, error) {
	ins, err := c.Inspect(ctx)
	if err != nil {
		return "", fmt.Errorf("inspect container: %w", err)
	}
	ep, ok := ins.NetworkSettings.Networks[network]
	if !ok || !ep.IPAddress.IsValid() {
		return "", fmt.Errorf("container %.12s has no address on network %s", c.GetContainerID(), network)
	}
	return ep.IPAddress.String(), nil
}

// Logs returns what the container has printed so far, stdout and stderr
// apart. It shadows testcontainers' DockerContainer.Logs (one reader, both
// streams), which stays reachable as c.DockerContainer.Logs.
func (c *Container) Logs(ctx context.Context) (stdout, stderr string, err error) {
	rc, err := c.eng.API.ContainerLogs(ctx, c.GetContainerID(), client.ContainerLogsOptions{ShowStdout: true, ShowStderr: true})
	if err != nil {
		return "", "", fmt.Errorf("read container logs: %w", err)
	}
	defer rc.Close()
	var o, e bytes.Buffer
	if _, err := stdcopy.StdCopy(&o, &e, rc); err != nil {
		return "", "", fmt.Errorf("demux container logs: %w", err)
	}
	return o.String(), e.String(), nil
}

func options(eng *engine.Engine, s Spec) []testcontainers.ContainerCustomizer {
	extra := map[string]string{}
	for k, v := range s.Labels {
		extra[k] = v
	}
	if s.Lab != "" {
		extra[engine.LabelLab] = s.Lab
	}
	priv := s.Privileges
	opts := []testcontainers.ContainerCustomizer{
		testcontainers.WithLabels(eng.Labels(extra)),
		testcontainers.WithHostConfigModifier(priv.Apply),
		// Lab containers exit, crash or never listen on a port: readiness is
		// the caller's business, not a wait strategy's.
		testcontainers.WithWaitStrategy(wait.ForNop(func(context.Context, wait.StrategyTarget) error { return nil })),
	}
	if len(s.Entrypoint) > 0 {
		opts = append(opts, testcontainers.WithEntrypoint(s.Entrypoint...))
	}
	if len(s.Cmd) > 0 {
		opts = append(opts, testcontainers.WithCmd(s.Cmd...))
	}
	if len(s.Env) > 0 {
		opts = append(opts, testcontainers.WithEnv(s.Env))
	}
	if s.User != "" {
		user := s.User
		opts = append(opts, testcontainers.WithConfigModifier(func(c *container.Config) { c.User = user }))
	}
	if len(s.Binds) > 0 {
		binds := make([]string, len(s.Binds))
		for i, b := range s.Binds {
			mode := "ro"
			if b.ReadWrite {
				mode = "rw"
			}
			binds[i] = b.Host + ":" + b.Container + ":" + mode
		}
		opts = append(opts, testcontainers.WithHostConfigModifier(func(hc *container.HostConfig) {
			hc.Binds = append(hc.Binds, binds...)
		}))
	}
	if s.Network != "" {
		opts = append(opts, tcnetwork.WithNetworkName(s.Aliases, s.Network))
	} else {
		opts = append(opts, testcontainers.WithHostConfigModifier(func(hc *container.HostConfig) { hc.NetworkMode = "none" }))
	}
	return opts
}

// requireLocal refuses images the engine does not have: testcontainers would
// pull them, and baselab never pulls implicitly (BASELAB_IMAGES=local must
// hold on every path). Images come from the catalog, which pulls only when
// its mode allows.
func requireLocal(ctx context.Context, eng *engine.Engine, ref string) error {
	if _, err := eng.API.ImageInspect(ctx, ref); err != nil {
		if engine.IsNotFound(err) {
			return fmt.Errorf("image %s is not in the engine: build it first (`baselab fixtures build`); baselab does not pull lab images implicitly", ref)
		}
		return fmt.Errorf("inspect image %s: %w", ref, err)
	}
	return nil
}

// shortErr trims the engine's wrapping from a start error so that the record
// holds the message a user sees from `docker run`.
func shortErr(err error) string {
	s := err.Error()
	if i := strings.LastIndex(s, "Error response from daemon: "); i >= 0 {
		s = s[i+len("Error response from daemon: "):]
	}
	return strings.TrimSpace(s)
}

// Elapsed is a helper for callers timing from a start instant.
func Elapsed(start time.Time) float64 { return float64(time.Since(start).Microseconds()) / 1000 }

// WaitLog waits until the container has printed want (on stdout or stderr),
// or has exited, or limit has passed: a lab's server says it is ready in its
// log, since lab containers have no wait strategy.
func (c *Container) WaitLog(ctx context.Context, want string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		stdout, stderr, err := c.Logs(ctx)
		logs := stdout + stderr
		if err == nil && strings.Contains(logs, want) {
			return nil
		}
		if st, serr := c.State(ctx); serr == nil && !st.Running {
			return fmt.Errorf("container exited (code %d) before it printed %q: %s", st.ExitCode, want, strings.TrimSpace(logs))
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no %q in its log after %s (log: %q, err: %v)", want, limit, logs, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}
