package size

import (
	"context"

	"github.com/baselab/baselab/harness/engine"
	"github.com/baselab/baselab/harness/images"
)

// ImageFacts is what the lab reads of an image's size: ImageInspect's Size
// (what `docker images` prints) and its layer count. Graders measure a
// learner's image with it, the same way the lab measures its own.
func ImageFacts(ctx context.Context, eng *engine.Engine, ref string) (sizeBytes int64, layers int, err error) {
	f, err := inspect(ctx, eng, ref)
	return f.Size, f.Layers, err
}

// CourseSize is the course's quick-reference size for a base, if it gives one.
func CourseSize(k images.Key) (image string, bytes int64, ok bool) {
	c, ok := course[k]
	return c.Image, c.Bytes, ok
}
