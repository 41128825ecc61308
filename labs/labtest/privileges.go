package labtest

import (
	"context"
	"maps"
	"slices"
	"sync"
	"testing"

	"github.com/baselab/baselab/harness/engine"
	"github.com/baselab/baselab/harness/run"
	"github.com/moby/moby/client"
	"github.com/stretchr/testify/assert"
)

// Kept are the capabilities a lab container may keep, and why: anything
// else kept is a failure, so a new one has to be argued for here.
var Kept = map[string]string{
	// dnsfaker binds port 53, the scratch lab's HTTPS server port 443.
	"CAP_NET_BIND_SERVICE": "binds a port below 1024",
}

// Seen is one lab container as the engine describes it.
type Seen struct {
	Name, Image, Lab string
	CapDrop, CapAdd  []string
	SecurityOpt      []string
	Privileged       bool
	ReadOnly         bool
	NetworkMode      string
	// Internal is, per network the container is on, whether it is internal.
	Internal map[string]bool
}

// Inspect describes container id as the engine has it.
func Inspect(ctx context.Context, tb testing.TB, eng *engine.Engine, id string) (Seen, bool) {
	tb.Helper()
	ins, err := eng.API.ContainerInspect(ctx, id, client.ContainerInspectOptions{})
	if !assert.NoError(tb, err, "inspect %.12s", id) {
		return Seen{}, false
	}
	c := ins.Container
	s := Seen{Name: c.Name, Image: c.Config.Image, Lab: c.Config.Labels[engine.LabelLab],
		CapDrop: c.HostConfig.CapDrop, CapAdd: c.HostConfig.CapAdd, SecurityOpt: c.HostConfig.SecurityOpt,
		Privileged: c.HostConfig.Privileged, ReadOnly: c.HostConfig.ReadonlyRootfs,
		NetworkMode: string(c.HostConfig.NetworkMode), Internal: map[string]bool{}}
	if c.NetworkSettings != nil {
		for name := range c.NetworkSettings.Networks {
			n, err := eng.API.NetworkInspect(ctx, name, client.NetworkInspectOptions{})
			if assert.NoError(tb, err, "inspect network %s", name) {
				s.Internal[name] = n.Network.Internal
			}
		}
	}
	return s, true
}

// CheckUnprivileged holds one lab container to least privilege: every
// capability dropped but those in Kept, no-new-privileges, never
// privileged, and on no network, an internal lab network, or (the size
// lab, timed from the host through a loopback port) the default bridge.
func CheckUnprivileged(tb testing.TB, c Seen) {
	tb.Helper()
	assert.Equal(tb, []string{"ALL"}, c.CapDrop, "%s (%s): every capability dropped", c.Name, c.Image)
	for _, capName := range c.CapAdd {
		_, ok := Kept[capName]
		assert.True(tb, ok, "%s (%s) keeps %s, which no lab container needs", c.Name, c.Image, capName)
	}
	assert.True(tb, slices.Contains(c.SecurityOpt, run.NoNewPrivileges), "%s (%s): no-new-privileges in %v", c.Name, c.Image, c.SecurityOpt)
	assert.False(tb, c.Privileged, "%s: privileged", c.Name)
	for name, internal := range c.Internal {
		if name == "none" || name == "bridge" && c.Lab == "size" {
			continue
		}
		assert.True(tb, internal, "%s (%s) is on network %s, which is not internal", c.Name, c.Image, name)
	}
}

// watchPrivileges makes every container a lab test's engine creates — in
// every variant the test runs, through run.Start, run.Once or the labs'
// own engine calls (all report to engine.Created) — pass CheckUnprivileged
// as it is created, and says at cleanup how many were checked. A test that
// wants the containers itself (labs/privileges_test.go) replaces the hook.
func watchPrivileges(tb testing.TB, eng *engine.Engine) {
	var mu sync.Mutex
	n, readOnly := 0, 0
	eng.Created = func(ctx context.Context, id string) {
		s, ok := Inspect(ctx, tb, eng, id)
		if !ok {
			return
		}
		CheckUnprivileged(tb, s)
		mu.Lock()
		defer mu.Unlock()
		n++
		if s.ReadOnly {
			readOnly++
		}
	}
	tb.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		if n > 0 {
			tb.Logf("labtest: %d lab containers inspected as created (%d with a read-only root): every capability dropped but %v, no-new-privileges, no network but internal ones", n, readOnly, slices.Sorted(maps.Keys(Kept)))
		}
	})
}
