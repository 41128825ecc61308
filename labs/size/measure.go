package size

import (
	"bytes"
	"compress/gzip"
	"context"
	"debug/buildinfo"
	"fmt"
	"io"
	"time"

	"github.com/baselab/baselab/harness/engine"
	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/harness/record"
	"github.com/baselab/baselab/labs/lab"
)

// measure builds v's image and fills a record with its sizes; for an app it
// also returns the image to time. An error still returns a record (outcome
// lab.Error) that says what failed.
func measure(ctx context.Context, env *lab.Env, v Variant, bin []byte) (record.Record, string, error) {
	r := record.Record{Lab: "size", Variant: v.Name, Base: string(v.Base), Started: time.Now().UTC()}
	r.Set("app", v.App)
	fail := func(err error) (record.Record, string, error) {
		r.Detail, r.Evidence = "could not measure: "+err.Error(), err.Error()
		r.AddError(err.Error()) // outcome lab.Error: the lab failed, not the image
		return r, "", err
	}
	base, err := env.Catalog.Ensure(ctx, v.Base)
	if err != nil {
		return fail(fmt.Errorf("ensure base: %w", err))
	}
	lab.Stamp(&r, base)
	baseFacts, err := inspect(ctx, env.Engine, base.Ref)
	if err != nil {
		return fail(err)
	}
	im, facts := base, baseFacts
	if v.App != Bare {
		if im, err = AppImage(ctx, env, v, bin); err != nil {
			return fail(err)
		}
		// The record is about the base; the app image is the evidence.
		r.Image = im.Evidence()
		if facts, err = inspect(ctx, env.Engine, im.Ref); err != nil {
			return fail(err)
		}
		r.Set("base_size_bytes", baseFacts.Size)
		r.Set("app_bytes", facts.Size-baseFacts.Size)
		if v.App == Go {
			r.Set("binary_bytes", len(bin))
			// What a scanner reads to find Go CVEs in an image with no
			// package database: the toolchain and modules in the build info.
			if bi, err := buildinfo.Read(bytes.NewReader(bin)); err == nil {
				r.Set("go_version", bi.GoVersion)
			}
		}
	}
	r.Set("size_bytes", facts.Size)
	r.Set("layers", facts.Layers)
	r.Evidence = fmt.Sprintf("image inspect %s: Size=%d RootFS.Layers=%d", im.Ref, facts.Size, facts.Layers)
	gzipped := "nothing to gzip"
	gz, err := compressed(ctx, env.Engine, im.Ref)
	switch {
	case err == nil:
		r.Set("compressed_bytes", gz)
		r.Evidence += fmt.Sprintf("; docker save | gzip = %d bytes", gz)
		gzipped = images.Bytes(gz) + " gzipped"
	case facts.Layers == 0:
		// An image with no layers (scratch) cannot be saved: the engine
		// answers "empty export - not implemented". That is recorded as
		// seen; zero would be a number nobody measured.
		r.Set("compressed_bytes", nil)
		r.Evidence += "; docker save refused: " + err.Error()
		gzipped = "docker save refuses an image with no layers"
	default:
		return fail(err)
	}
	c, hasCourse := course[v.Base]
	if hasCourse {
		r.Set("course_image", c.Image)
		r.Set("course_bytes", c.Bytes)
	} else {
		r.Set("course_image", nil)
		r.Set("course_bytes", nil)
	}
	r.Set("start_ms", nil)
	what := base.Describe()
	sizes := fmt.Sprintf("%s in %d layer%s, %s", images.Bytes(facts.Size), facts.Layers, plural(facts.Layers), gzipped)
	if v.App == Bare {
		r.Tries, r.OK = 1, 1
		r.Outcome = Measured
		r.Detail = fmt.Sprintf("%s: %s", what, sizes)
		if hasCourse {
			r.Detail += fmt.Sprintf("; the course says %s for %s", images.Bytes(c.Bytes), c.Image)
		}
		if note := standinNote[v.Base]; base.Standin && note != "" {
			r.Detail += "; the stand-in is " + note
		}
		return r, "", nil
	}
	r.Detail = fmt.Sprintf("%s server on %s: %s, +%s over the base", v.App, what, sizes, images.Bytes(facts.Size-baseFacts.Size))
	return r, im.Ref, nil
}

// facts is what image inspect says about size.
type facts struct {
	Size   int64
	Layers int
}

func inspect(ctx context.Context, eng *engine.Engine, ref string) (facts, error) {
	res, err := eng.API.ImageInspect(ctx, ref)
	if err != nil {
		return facts{}, fmt.Errorf("inspect image %s: %w", ref, err)
	}
	return facts{Size: res.Size, Layers: len(res.RootFS.Layers)}, nil
}

// compressed streams `docker save` through gzip (the default level, as
// registries' layer blobs are) and counts the bytes; nothing touches disk.
// A registry gzips each layer on its own, so its total differs from this by
// the save format's tar headers and per-layer dictionaries: a few KB.
func compressed(ctx context.Context, eng *engine.Engine, ref string) (int64, error) {
	rc, err := eng.API.ImageSave(ctx, []string{ref})
	if err != nil {
		return 0, fmt.Errorf("save %s: %w", ref, err)
	}
	defer rc.Close()
	var n counter
	zw := gzip.NewWriter(&n)
	if _, err := io.Copy(zw, rc); err != nil {
		return 0, fmt.Errorf("gzip save stream of %s: %w", ref, err)
	}
	if err := zw.Close(); err != nil {
		return 0, fmt.Errorf("gzip save stream of %s: %w", ref, err)
	}
	return int64(n), nil
}

// counter counts bytes written and keeps none.
type counter int64

func (c *counter) Write(p []byte) (int, error) {
	*c += counter(len(p))
	return len(p), nil
}
