package labs_test

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/baselab/baselab/harness/engine"
	"github.com/baselab/baselab/harness/run"
	"github.com/baselab/baselab/labs"
	"github.com/baselab/baselab/labs/labtest"
	"github.com/moby/moby/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// seen is one lab container as the engine describes it.
type seen struct {
	name, image, lab string
	capDrop, capAdd  []string
	securityOpt      []string
	privileged       bool
	readOnly         bool
	networkMode      string
	// internal is, per network the container is on, whether it is internal.
	internal map[string]bool
}

// kept are the capabilities a lab container may keep, and why: anything
// else kept is a failure, so a new one has to be argued for here.
var kept = map[string]string{
	// dnsfaker binds port 53, the scratch lab's HTTPS server port 443.
	"CAP_NET_BIND_SERVICE": "binds a port below 1024",
}

// startsContainers names the variants to run where a lab's first ones start
// no container (the size lab's base/* cells only read image sizes).
var startsContainers = map[string][]string{"size": {"go/slim"}}

// TestEveryLabContainerIsUnprivileged runs the first variants of every lab
// and inspects each container the lab creates, as it is created: every
// capability dropped but those in kept, no-new-privileges, never
// privileged, and on no network, an internal lab network, or (the size
// lab, timed from the host through a loopback port) the default bridge.
func TestEveryLabContainerIsUnprivileged(t *testing.T) {
	for _, l := range labs.All() {
		t.Run(l.Name, func(t *testing.T) {
			env := labtest.Env(t)
			env.Short = true
			vs := l.Variants()
			require.NotEmpty(t, vs)
			env.Only = vs[:min(2, len(vs))]
			if only, ok := startsContainers[l.Name]; ok {
				env.Only = only
			}
			var mu sync.Mutex
			var got []seen
			env.Engine.Created = func(ctx context.Context, id string) {
				ins, err := env.Engine.API.ContainerInspect(ctx, id, client.ContainerInspectOptions{})
				if !assert.NoError(t, err, "inspect %.12s", id) {
					return
				}
				c := ins.Container
				s := seen{name: c.Name, image: c.Config.Image, lab: c.Config.Labels[engine.LabelLab],
					capDrop: c.HostConfig.CapDrop, capAdd: c.HostConfig.CapAdd, securityOpt: c.HostConfig.SecurityOpt,
					privileged: c.HostConfig.Privileged, readOnly: c.HostConfig.ReadonlyRootfs,
					networkMode: string(c.HostConfig.NetworkMode), internal: map[string]bool{}}
				if c.NetworkSettings != nil {
					for name := range c.NetworkSettings.Networks {
						n, err := env.Engine.API.NetworkInspect(ctx, name, client.NetworkInspectOptions{})
						if assert.NoError(t, err, "inspect network %s", name) {
							s.internal[name] = n.Network.Internal
						}
					}
				}
				mu.Lock()
				got = append(got, s)
				mu.Unlock()
			}
			_, err := l.Run(context.Background(), env)
			require.NoError(t, err, "lab %s, variants %v", l.Name, env.Only)
			require.NotEmpty(t, got, "lab %s started no container: nothing was inspected", l.Name)
			readOnly := 0
			for _, c := range got {
				assert.Equal(t, []string{"ALL"}, c.capDrop, "%s (%s): every capability dropped", c.name, c.image)
				for _, capName := range c.capAdd {
					_, ok := kept[capName]
					assert.True(t, ok, "%s (%s) keeps %s, which no lab container needs", c.name, c.image, capName)
				}
				assert.True(t, slices.Contains(c.securityOpt, run.NoNewPrivileges), "%s (%s): no-new-privileges in %v", c.name, c.image, c.securityOpt)
				assert.False(t, c.privileged, "%s: privileged", c.name)
				if c.readOnly {
					readOnly++
				}
				for name, internal := range c.internal {
					if name == "bridge" && l.Name == "size" {
						continue
					}
					if name == "none" {
						continue
					}
					assert.True(t, internal, "%s (%s) is on network %s, which is not internal", c.name, c.image, name)
				}
				t.Logf("%s %s: cap_drop %v cap_add %v security_opt %v read_only %v network %s %v",
					c.name, c.image, c.capDrop, c.capAdd, c.securityOpt, c.readOnly, c.networkMode, c.internal)
			}
			t.Logf("lab %s: %d containers inspected, %d with a read-only root", l.Name, len(got), readOnly)
		})
	}
}
