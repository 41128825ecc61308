package labs_test

import (
	"context"
	"sync"
	"testing"

	"github.com/baselab/baselab/labs"
	"github.com/baselab/baselab/labs/labtest"
	"github.com/stretchr/testify/require"
)

// startsContainers names the variants to run where a lab's first ones start
// no container (the size lab's base/* cells only read image sizes).
var startsContainers = map[string][]string{"size": {"go/slim"}}

// TestEveryLabContainerIsUnprivileged runs the first variants of every lab
// and inspects each container the lab creates, as it is created, with
// labtest.CheckUnprivileged. The containers of every other variant are
// held to the same check by the labs' own tests: labtest.Env inspects every
// container a lab test starts (this test replaces that hook to list its
// containers in its log). Each run also holds the lab's Images declaration
// to the keys the run resolved (labtest.CheckImages).
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
			var got []labtest.Seen
			env.Engine.Created = func(ctx context.Context, id string) {
				if s, ok := labtest.Inspect(ctx, t, env.Engine, id); ok {
					mu.Lock()
					got = append(got, s)
					mu.Unlock()
				}
			}
			_, err := l.Run(context.Background(), env)
			require.NoError(t, err, "lab %s, variants %v", l.Name, env.Only)
			labtest.CheckImages(t, l, env)
			require.NotEmpty(t, got, "lab %s started no container: nothing was inspected", l.Name)
			readOnly := 0
			for _, c := range got {
				labtest.CheckUnprivileged(t, c)
				if c.ReadOnly {
					readOnly++
				}
				t.Logf("%s %s: cap_drop %v cap_add %v security_opt %v read_only %v network %s %v",
					c.Name, c.Image, c.CapDrop, c.CapAdd, c.SecurityOpt, c.ReadOnly, c.NetworkMode, c.Internal)
			}
			t.Logf("lab %s: %d containers inspected, %d with a read-only root", l.Name, len(got), readOnly)
		})
	}
}
