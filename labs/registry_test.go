package labs_test

import (
	"context"
	"strings"
	"testing"

	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/harness/images/imagestest"
	"github.com/baselab/baselab/labs/dns"
	"github.com/baselab/baselab/labs/labtest"
	"github.com/moby/moby/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDNSLabOnPulledImages runs the DNS lab with BASELAB_IMAGES=registry
// against a loopback registry holding alpine:3.20 and debian:bookworm-slim
// (the stand-ins, pushed under those names, as a team's mirror would hold
// the real ones): its cells run on pulled images, recorded as registry
// images, and measure what they measure on the stand-ins — the race stalls
// both resolvers, ok stalls neither. What it pulled is removed. (An engine
// that has the real images pushes those instead; the cells measure the same.)
func TestDNSLabOnPulledImages(t *testing.T) {
	env := labtest.Env(t)
	reg := imagestest.Registry(t)
	ctx := context.Background()
	keys := []images.Key{images.Slim, images.Alpine}
	standins, err := env.Catalog.EnsureAll(ctx, keys...)
	require.NoError(t, err)
	usual := map[images.Key]string{images.Slim: "library/debian:bookworm-slim", images.Alpine: "library/alpine:3.20"}
	for i, k := range keys {
		imagestest.Push(t, env.Engine, standins[i].Ref, reg+"/"+usual[k])
	}
	t.Cleanup(func() {
		for _, k := range keys {
			_, _ = env.Engine.API.ImageRemove(context.Background(), reg+"/"+usual[k], client.ImageRemoveOptions{})
		}
	})
	cat, err := images.New(env.Engine, images.Options{Mode: images.Registry, RegistryMirror: reg, Progress: labtest.Log{TB: t}})
	require.NoError(t, err)
	env.Catalog = cat
	env.Only = []string{"alpine/ok/none/none", "alpine/race/none/none", "slim/ok/none/none", "slim/race/none/none"}
	// The race cells are the measurement (the stall on pulled images); four
	// cells run side by side in about one glibc stall, so -short keeps them.
	env.Short = false
	rs, err := dns.New().Run(ctx, env)
	require.NoError(t, err)
	require.Len(t, rs, len(env.Only))
	want := map[string]string{"ok": "both-fast", "race": "both-stall"}
	for _, r := range rs {
		assert.False(t, r.Standin, "%s ran on the pulled image", r.Variant)
		fault := strings.Split(r.Variant, "/")[1]
		assert.Equal(t, want[fault], r.Outcome, "%s: %s", r.Variant, r.Detail)
	}
	for _, k := range keys {
		im, ok, err := cat.Find(ctx, k)
		require.NoError(t, err)
		require.True(t, ok, "%s was pulled", k)
		assert.True(t, strings.HasPrefix(im.Digest, reg+"/"), "%s: digest %q names the mirror", k, im.Digest)
	}
}
