package images_test

import (
	"context"
	"strings"
	"testing"

	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/harness/images/imagestest"
	"github.com/moby/moby/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCatalogThroughALoopbackRegistry pushes stand-ins under the names the
// catalog uses to a real registry on loopback and resolves them with
// BASELAB_REGISTRY_MIRROR pointing at it: registry mode pulls them (digests
// recorded, not stand-ins), auto then uses what was pulled, local never
// pulls. What it pulled is removed at the end; the registry's storage is a
// temporary folder.
func TestCatalogThroughALoopbackRegistry(t *testing.T) {
	eng, _ := catalog(t)
	reg := imagestest.Registry(t)
	ctx := context.Background()

	local, err := images.New(eng, images.Options{Mode: images.Local, Progress: testLog{t}})
	require.NoError(t, err)
	keys := []images.Key{images.Slim, images.Alpine}
	standins, err := local.EnsureAll(ctx, keys...)
	require.NoError(t, err)

	usual := map[images.Key]string{images.Slim: "library/debian:bookworm-slim", images.Alpine: "library/alpine:3.20"}
	for i, k := range keys {
		imagestest.Push(t, eng, standins[i].Ref, reg+"/"+usual[k])
	}
	t.Cleanup(func() {
		for _, k := range keys {
			_, _ = eng.API.ImageRemove(context.Background(), reg+"/"+usual[k], client.ImageRemoveOptions{})
		}
	})

	t.Run("registry mode pulls through the mirror", func(t *testing.T) {
		cat, err := images.New(eng, images.Options{Mode: images.Registry, RegistryMirror: reg, Progress: testLog{t}})
		require.NoError(t, err)
		pulls := 0
		cat.CountPullsForTest(&pulls)
		for i, k := range keys {
			im, err := cat.Ensure(ctx, k)
			require.NoError(t, err)
			assert.False(t, im.Standin, "%s is the registry image", k)
			assert.Equal(t, reg+"/"+usual[k], im.Ref)
			repo, _, _ := strings.Cut(usual[k], ":")
			assert.True(t, strings.HasPrefix(im.Digest, reg+"/"+repo+"@sha256:"), "digest %q names the mirror", im.Digest)
			assert.Equal(t, im.Digest, im.Evidence(), "records carry the digest")
			// Pushing and pulling keeps the image's content: same ID.
			assert.Equal(t, standins[i].ID, im.ID)
			spec, _ := images.Lookup(k)
			assert.Equal(t, spec.RegistryLibc, im.Libc)
		}
		assert.Equal(t, len(keys), pulls, "one pull per image")
	})

	t.Run("auto mode uses the pulled image without pulling again", func(t *testing.T) {
		cat, err := images.New(eng, images.Options{Mode: images.Auto, RegistryMirror: reg, Progress: testLog{t}})
		require.NoError(t, err)
		pulls := 0
		cat.CountPullsForTest(&pulls)
		im, err := cat.Ensure(ctx, images.Slim)
		require.NoError(t, err)
		assert.False(t, im.Standin)
		assert.Equal(t, reg+"/"+usual[images.Slim], im.Ref)
		assert.Zero(t, pulls)
	})

	t.Run("local mode never pulls, mirror or not", func(t *testing.T) {
		cat, err := images.New(eng, images.Options{Mode: images.Local, RegistryMirror: reg, Progress: testLog{t}})
		require.NoError(t, err)
		cat.SetPullerForTest(func(_ context.Context, ref string) error {
			t.Errorf("local mode tried to pull %s", ref)
			return nil
		})
		im, err := cat.Ensure(ctx, images.Slim)
		require.NoError(t, err)
		assert.True(t, im.Standin)
	})

	t.Run("a failed pull is tried and reported once", func(t *testing.T) {
		var log strings.Builder
		cat, err := images.New(eng, images.Options{Mode: images.Registry, RegistryMirror: reg, Progress: &log})
		require.NoError(t, err)
		pulls := 0
		cat.CountPullsForTest(&pulls)
		// python-slim was never pushed: the registry answers "unknown".
		for range 3 {
			_, err := cat.Ensure(ctx, images.PythonSlim)
			require.Error(t, err)
		}
		assert.Equal(t, 1, pulls, "tried once")
		assert.Equal(t, 1, strings.Count(log.String(), "pulling "), "said once: %s", log.String())
	})
}
