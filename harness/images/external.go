package images

import (
	"context"
	"fmt"
)

// External resolves a user's own image (`baselab run dns --image REF`): the
// engine's copy if it has one, else a pull — unless the mode is local, which
// never pulls.
func (c *Catalog) External(ctx context.Context, ref string) (Image, error) {
	return c.once("external:"+ref, func() (Image, error) {
		im, ok, err := c.inspect(ctx, ref)
		if err != nil {
			return Image{}, err
		}
		if !ok {
			if c.mode == Local {
				return Image{}, fmt.Errorf("image %s is not in the engine and %s=local never pulls: build or load it first", ref, EnvMode)
			}
			fmt.Fprintf(c.progress, "pulling %s\n", ref)
			if err := c.puller(ctx, ref); err != nil {
				return Image{}, fmt.Errorf("pull %s: %w", ref, err)
			}
			if im, ok, err = c.inspect(ctx, ref); err != nil || !ok {
				return Image{}, fmt.Errorf("inspect %s after pull: %v", ref, err)
			}
		}
		im.Key = Key(ref)
		im.Libc = "unknown"
		return im, nil
	})
}
