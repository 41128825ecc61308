package exercise

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/baselab/baselab/labs/lab"
	"github.com/baselab/baselab/labs/labtest"
	"github.com/moby/moby/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sample is one sample hand-in and what grading it must say.
type sample struct {
	dir string
	// failed are the checks that must fail (none: the sample passes); hint
	// is a part of each failed check's hint: the README section and reason.
	failed []string
	hint   string
}

// gradeSamples grades samples/N/<dir> for each sample on containers, in
// order (builds shared between samples are then made once), and returns
// the grades by dir. Images the grades built are removed at cleanup.
func gradeSamples(t *testing.T, n string, samples []sample) map[string]*Grade {
	t.Helper()
	env := labtest.Env(t)
	// A grade runs every cell its checks read, as `baselab exercise grade`
	// does: -short is the labs' way to skip long cells, and a grade with a
	// cell skipped has nothing to grade ("no record for options ...").
	env.Short = false
	e, err := Get(n)
	require.NoError(t, err)
	var built []string
	t.Cleanup(func() { removeImages(env, built) })
	out := map[string]*Grade{}
	for _, s := range samples {
		t.Run(s.dir, func(t *testing.T) {
			h, err := e.Load(filepath.Join("samples", n, s.dir))
			require.NoError(t, err, "the sample loads")
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			g, err := h.Grade(ctx, env)
			require.NoError(t, err)
			built = append(built, g.Images...)
			out[s.dir] = g
			for _, c := range g.Checks {
				t.Logf("%-5v %s: %s | %s", c.Pass, c.Name, c.Measured, c.Hint)
			}
			assert.ElementsMatch(t, s.failed, g.Failed(), "the checks that fail")
			assert.Equal(t, len(s.failed) == 0, g.Pass())
			for _, name := range s.failed {
				c := g.Check(name)
				require.NotNil(t, c)
				assert.Contains(t, c.Hint, s.hint, "the hint of %s", name)
				assert.Contains(t, c.Hint, "README.md#", "the hint names a README section")
			}
		})
	}
	return out
}

func removeImages(env *lab.Env, refs []string) {
	for _, ref := range refs {
		_, _ = env.Engine.API.ImageRemove(context.Background(), ref, client.ImageRemoveOptions{PruneChildren: true})
	}
}
