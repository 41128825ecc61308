package engine_test

import (
	"context"
	"strings"
	"testing"

	"github.com/baselab/baselab/harness/engine"
	"github.com/moby/moby/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestConnectWithoutAnEngineSaysHowToStartOne(t *testing.T) {
	t.Setenv("DOCKER_HOST", "unix://"+t.TempDir()+"/no-docker.sock")
	_, err := engine.Connect(context.Background())
	require.ErrorIs(t, err, engine.ErrUnreachable)
	assert.Contains(t, err.Error(), "no-docker.sock", "names where it looked")
	assert.Contains(t, err.Error(), "dockerd", "says how to start one")
	assert.NotContains(t, err.Error(), "\n", "one line")
}

func TestCleanRemovesOnlyWhatCarriesTheProjectLabel(t *testing.T) {
	eng := engine.ForTest(t)
	ctx := context.Background()
	_, err := eng.API.NetworkCreate(ctx, "baselab-test-ours-"+eng.RunID, client.NetworkCreateOptions{Labels: eng.Labels(nil)})
	require.NoError(t, err)
	theirs, err := eng.API.NetworkCreate(ctx, "baselab-test-theirs-"+eng.RunID, client.NetworkCreateOptions{})
	require.NoError(t, err)
	t.Cleanup(func() { _, _ = eng.API.NetworkRemove(context.Background(), theirs.ID, client.NetworkRemoveOptions{}) })

	swept, err := eng.Clean(ctx, engine.CleanOptions{RunID: eng.RunID})
	require.NoError(t, err)
	assert.Equal(t, 1, swept.Networks)

	ns, err := eng.API.NetworkList(ctx, client.NetworkListOptions{})
	require.NoError(t, err)
	var names []string
	for _, n := range ns.Items {
		names = append(names, n.Name)
	}
	all := strings.Join(names, " ")
	assert.NotContains(t, all, "baselab-test-ours-"+eng.RunID, "ours is gone")
	assert.Contains(t, all, "baselab-test-theirs-"+eng.RunID, "what is not ours stays")
}
