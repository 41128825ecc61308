package size

// The start timing publishes the app's port on loopback, which run.Spec
// cannot (it has no ports: every other lab talks to its containers over a
// network of their own), so this file creates and starts its containers with
// the engine's API directly.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/baselab/baselab/harness/engine"
	"github.com/baselab/baselab/harness/record"
	"github.com/baselab/baselab/harness/run"
	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
)

// appPort is where both apps listen inside the container.
const appPort = "8080/tcp"

// startTimeout bounds one start; a healthy start here is under a second.
const startTimeout = 30 * time.Second

// loopback is where app ports are published: never on every interface.
var loopback = netip.MustParseAddr("127.0.0.1")

// Start is one timed start.
type Start struct {
	// Ms is from the start call to the first HTTP 200.
	Ms float64
	// CallMs is how long the engine's start call took to return: the part of
	// Ms that is the engine's (namespaces, network, port proxy), not the app's.
	CallMs   float64
	Evidence string
}

// StartOnce creates a container from ref with the app port published on
// loopback only, starts it, and polls until the first HTTP 200. The clock
// runs from the start call to that answer; create and remove are outside it.
func StartOnce(ctx context.Context, eng *engine.Engine, ref string) (Start, error) {
	var lastErr error
	// The host port is picked before the clock starts; another process may
	// take it in between, so a refused binding is retried with another port.
	for range 3 {
		port, err := freePort()
		if err != nil {
			return Start{}, err
		}
		st, retry, err := startOn(ctx, eng, ref, port)
		if err == nil || !retry {
			return st, err
		}
		lastErr = err
	}
	return Start{}, lastErr
}

func startOn(ctx context.Context, eng *engine.Engine, ref string, port int) (st Start, retry bool, err error) {
	p := network.MustParsePort(appPort)
	// The app is timed from the host through a port published on loopback,
	// so it stays on the default bridge (an internal network publishes no
	// ports); it keeps no capability: it listens on a high port.
	hc := &container.HostConfig{PortBindings: network.PortMap{
		p: {{HostIP: loopback, HostPort: strconv.Itoa(port)}},
	}}
	run.Privileges{}.Apply(hc)
	cr, err := eng.API.ContainerCreate(ctx, client.ContainerCreateOptions{
		Config: &container.Config{Image: ref, Labels: eng.Labels(map[string]string{engine.LabelLab: "size"}),
			ExposedPorts: network.PortSet{p: {}}},
		HostConfig: hc,
	})
	if err != nil {
		return Start{}, false, fmt.Errorf("create container from %s: %w", ref, err)
	}
	defer func() {
		_, _ = eng.API.ContainerRemove(context.WithoutCancel(ctx), cr.ID, client.ContainerRemoveOptions{Force: true})
	}()
	run.Created(ctx, eng, cr.ID)
	url := fmt.Sprintf("http://127.0.0.1:%d/", port)
	httpc := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	start := time.Now()
	if _, err := eng.API.ContainerStart(ctx, cr.ID, client.ContainerStartOptions{}); err != nil {
		msg := err.Error()
		taken := strings.Contains(msg, "port is already allocated") || strings.Contains(msg, "address already in use")
		return Start{}, taken, fmt.Errorf("start container from %s: %w", ref, err)
	}
	callMs := run.Elapsed(start)
	deadline := start.Add(startTimeout)
	var last error
	for time.Now().Before(deadline) {
		resp, err := httpc.Get(url)
		if err == nil {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 64))
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				ms := run.Elapsed(start)
				return Start{Ms: ms, CallMs: callMs, Evidence: fmt.Sprintf("HTTP %d %q from 127.0.0.1:%d", resp.StatusCode, strings.TrimSpace(string(body)), port)}, false, nil
			}
			last = fmt.Errorf("HTTP %d", resp.StatusCode)
		} else {
			last = err
		}
		select {
		case <-ctx.Done():
			return Start{}, false, ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
	return Start{}, false, fmt.Errorf("no answer on %s within %s (last: %v); container log: %s",
		url, startTimeout, last, logs(ctx, eng, cr.ID))
}

// freePort asks the kernel for a free loopback port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// logs is the tail of a container's output, for evidence.
func logs(ctx context.Context, eng *engine.Engine, id string) string {
	rc, err := eng.API.ContainerLogs(context.WithoutCancel(ctx), id, client.ContainerLogsOptions{ShowStdout: true, ShowStderr: true, Tail: "5"})
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	defer rc.Close()
	var b strings.Builder
	_, _ = stdcopy.StdCopy(&b, &b, rc)
	return strings.TrimSpace(b.String())
}

// try is one timed start or its error.
type try struct {
	Start
	Err error
}

// finishStarts adds an app cell's start times to its record.
func finishStarts(r *record.Record, tries []try) {
	var ms, calls, ready []float64
	var errs []error
	evidence := ""
	for i, t := range tries {
		if t.Err != nil {
			errs = append(errs, fmt.Errorf("start %d: %w", i+1, t.Err))
			continue
		}
		ms = append(ms, t.Ms)
		calls = append(calls, t.CallMs)
		ready = append(ready, t.Ms-t.CallMs)
		evidence = t.Evidence
	}
	r.Tries, r.OK, r.Failed = len(tries), len(ms), len(tries)-len(ms)
	r.Timings(ms)
	r.Set("start_runs_ms", ms)
	if len(ms) > 0 {
		r.Set("start_ms", record.Percentile(ms, 50))
		r.Set("start_spread_ms", math.Round((slices.Max(ms)-slices.Min(ms))*1000)/1000)
		r.Set("start_call_ms", record.Percentile(calls, 50))
		r.Set("ready_after_call_ms", record.Percentile(ready, 50))
	} else {
		r.Set("ready_after_call_ms", nil)
		r.Set("start_spread_ms", nil)
		r.Set("start_call_ms", nil)
	}
	if r.Failed == 0 {
		r.Outcome = Serves
		r.Detail += fmt.Sprintf("; first response after %.0f ms median (spread %.0f ms, %d starts): the engine's start call %.0f ms, then the app %.0f ms",
			record.Percentile(ms, 50), slices.Max(ms)-slices.Min(ms), len(ms), record.Percentile(calls, 50), record.Percentile(ready, 50))
		r.Evidence += "; " + evidence
		return
	}
	r.Outcome = NoResponse
	r.Detail += fmt.Sprintf("; %d of %d starts never answered", r.Failed, len(tries))
	r.Evidence += "; " + errors.Join(errs...).Error()
}
