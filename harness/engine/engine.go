// Package engine connects baselab to a Docker engine and owns the labels that
// mark everything baselab creates, so that cleanup never touches what is not
// ours on an engine shared with other users.
package engine

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/moby/moby/client"
)

// Label keys carried by every container, network and image baselab creates.
const (
	// LabelProject marks an object as baselab's; `baselab clean` sweeps by it.
	LabelProject = "org.baselab.project"
	// LabelRun ties an object to one run (a test process or a CLI invocation),
	// so one run's cleanup does not race another run on the same engine.
	LabelRun = "org.baselab.run"
	// LabelLab names the lab that created a container or network.
	LabelLab = "org.baselab.lab"
	// ProjectValue is the value of LabelProject.
	ProjectValue = "baselab"
)

// Engine is a connected Docker engine.
type Engine struct {
	API *client.Client
	// RunID labels what this process creates; see LabelRun.
	RunID string
	// Created, when set, is called with the ID of every container baselab
	// creates on this engine, before the container can be removed: a test
	// inspects them there (TestEveryLabContainerIsUnprivileged).
	Created func(ctx context.Context, id string)
}

// ErrUnreachable is wrapped by Connect when no engine answers.
var ErrUnreachable = errors.New("docker engine not reachable")

// Connect returns a client for the engine named by the environment
// (DOCKER_HOST etc.) after checking that it answers, negotiating the API
// version down to what the engine speaks (Debian's docker.io 20.10 speaks 1.41).
func Connect(ctx context.Context) (*Engine, error) {
	// testcontainers' reaper image cannot be pulled without a registry, and
	// baselab sweeps what it creates by label itself; so a plain `go test`
	// (no Makefile) works too. An explicit setting is left alone.
	if os.Getenv("TESTCONTAINERS_RYUK_DISABLED") == "" {
		_ = os.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
	}
	api, err := client.New(client.FromEnv)
	if err != nil {
		return nil, fmt.Errorf("create docker client: %w", err)
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := api.Ping(pctx, client.PingOptions{NegotiateAPIVersion: true}); err != nil {
		_ = api.Close()
		host := os.Getenv("DOCKER_HOST")
		if host == "" {
			host = "unix:///var/run/docker.sock"
		}
		return nil, fmt.Errorf("%w at %s: start it (`sudo systemctl start docker`, or `sudo dockerd &`) or point DOCKER_HOST at a running one: %v",
			ErrUnreachable, host, err)
	}
	return &Engine{API: api, RunID: newRunID()}, nil
}

// Close releases the client.
func (e *Engine) Close() error { return e.API.Close() }

// Labels returns the project's labels for a new object, plus extra.
func (e *Engine) Labels(extra map[string]string) map[string]string {
	l := map[string]string{LabelProject: ProjectValue, LabelRun: e.RunID}
	for k, v := range extra {
		l[k] = v
	}
	return l
}

// newRunID is unique per Engine, not per process: parallel tests in one
// process each sweep only their own run.
func newRunID() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s-%d-%x", time.Now().UTC().Format("20060102T150405"), os.Getpid(), b)
}
