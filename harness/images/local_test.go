package images_test

import (
	"context"
	"testing"
	"time"

	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/harness/run"
	"github.com/moby/moby/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLocalModeNeverPulls(t *testing.T) {
	eng, _ := catalog(t)
	cat, err := images.New(eng, images.Options{Mode: images.Local, Progress: testLog{t}})
	require.NoError(t, err)
	cat.SetPullerForTest(func(_ context.Context, ref string) error {
		t.Errorf("local mode tried to pull %s", ref)
		return nil
	})
	ctx := context.Background()
	// Slim has a registry image; in local mode it must come from debootstrap.
	im, err := cat.Ensure(ctx, images.Slim)
	require.NoError(t, err)
	assert.True(t, im.Standin)
	// Running an image the engine does not have is refused before
	// testcontainers could pull it.
	_, err = run.Once(ctx, eng, run.Spec{Image: "baselab-test/never-built:none", Cmd: []string{"true"}})
	assert.ErrorContains(t, err, "is not in the engine")
}

func TestInterruptedBuildLeavesNoImageBehind(t *testing.T) {
	eng, cat := catalog(t)
	d := images.Derived{
		Name:       "interrupted-" + eng.RunID,
		Dockerfile: "ARG SLIM\nFROM ${SLIM}\nLABEL org.baselab.project=baselab\nRUN sleep 60\n",
		Bases:      map[string]images.Key{"SLIM": images.Slim},
	}
	_, err := cat.Ensure(context.Background(), images.Slim)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	_, err = cat.Derive(ctx, d)
	require.Error(t, err, "the build was cut off")
	// Nothing tagged: a later Derive must build, not find a half image.
	ims, err := cat.Engine().API.ImageList(context.Background(), imageListByName("baselab/lab-"+d.Name))
	require.NoError(t, err)
	assert.Empty(t, ims.Items)
}

func imageListByName(name string) client.ImageListOptions {
	return client.ImageListOptions{Filters: client.Filters{}.Add("reference", name)}
}
