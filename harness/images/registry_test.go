package images_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/baselab/baselab/harness/engine"
	"github.com/baselab/baselab/harness/images"
	"github.com/moby/moby/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// startRegistry starts Debian's docker-registry on a free loopback port with
// its storage in a temporary folder, and stops it at cleanup. Docker treats
// 127.0.0.0/8 registries as insecure-allowed, so plain HTTP works without
// touching the engine's configuration.
func startRegistry(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("docker-registry")
	if err != nil {
		if os.Getenv(engine.EnvRequireDocker) == "1" {
			t.Fatalf("docker-registry not on PATH: `make test` installs it (.ci/prereqs --test), or apt-get install docker-registry")
		}
		t.Skip("skipping: docker-registry not on PATH (apt-get install docker-registry)")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.yml")
	require.NoError(t, os.WriteFile(cfg, []byte(fmt.Sprintf(`version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: %s
http:
  addr: %s
`, filepath.Join(dir, "data"), addr)), 0o644))
	cmd := exec.Command(bin, "serve", cfg)
	var logs strings.Builder
	cmd.Stdout, cmd.Stderr = &logs, &logs
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/v2/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return addr
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("registry on %s did not answer /v2/ in 15 s (last %v): %s", addr, err, logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// push tags src as ref, pushes it and removes the tag again, so the engine
// has it only if a catalog pulls it.
func push(t *testing.T, eng *engine.Engine, src, ref string) {
	t.Helper()
	ctx := context.Background()
	_, err := eng.API.ImageTag(ctx, client.ImageTagOptions{Source: src, Target: ref})
	require.NoError(t, err)
	defer func() {
		_, err := eng.API.ImageRemove(ctx, ref, client.ImageRemoveOptions{})
		assert.NoError(t, err, "untag %s", ref)
	}()
	// An empty credential: the loopback registry has no auth.
	rc, err := eng.API.ImagePush(ctx, ref, client.ImagePushOptions{RegistryAuth: "e30="})
	require.NoError(t, err)
	defer rc.Close()
	dec := json.NewDecoder(rc)
	for {
		var m struct {
			Error string `json:"error"`
		}
		if err := dec.Decode(&m); err != nil {
			if errors.Is(err, io.EOF) {
				return
			}
			require.NoError(t, err)
		}
		require.Empty(t, m.Error, "push %s", ref)
	}
}

// TestCatalogThroughALoopbackRegistry pushes stand-ins under the names the
// catalog uses to a real registry on loopback and resolves them with
// BASELAB_REGISTRY_MIRROR pointing at it: registry mode pulls them (digests
// recorded, not stand-ins), auto then uses what was pulled, local never
// pulls. What it pulled is removed at the end; the registry's storage is a
// temporary folder.
func TestCatalogThroughALoopbackRegistry(t *testing.T) {
	eng, _ := catalog(t)
	reg := startRegistry(t)
	ctx := context.Background()

	local, err := images.New(eng, images.Options{Mode: images.Local, Progress: testLog{t}})
	require.NoError(t, err)
	keys := []images.Key{images.Slim, images.Alpine}
	standins, err := local.EnsureAll(ctx, keys...)
	require.NoError(t, err)

	usual := map[images.Key]string{images.Slim: "library/debian:bookworm-slim", images.Alpine: "library/alpine:3.20"}
	for i, k := range keys {
		push(t, eng, standins[i].Ref, reg+"/"+usual[k])
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
