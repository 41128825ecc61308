// Package imagestest gives tests a real registry: Debian's docker-registry
// started on a loopback port, and a way to push the catalog's images to it
// under the names the catalog pulls.
package imagestest

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
	"github.com/moby/moby/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Registry starts Debian's docker-registry on a free loopback port with
// its storage in a temporary folder, and stops it at cleanup. Docker treats
// 127.0.0.0/8 registries as insecure-allowed, so plain HTTP works without
// touching the engine's configuration.
func Registry(t testing.TB) string {
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

// Push tags src as ref, pushes it and removes the tag again, so the engine
// has it only if a catalog pulls it.
func Push(t testing.TB, eng *engine.Engine, src, ref string) {
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
