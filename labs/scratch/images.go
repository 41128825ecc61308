package scratch

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"time"

	"github.com/baselab/baselab/harness/engine"
	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/labs/lab"
	"github.com/moby/moby/client"
)

// stepImage is a step's image and the Dockerfile it was built from.
type stepImage struct {
	im         images.Image
	dockerfile string
}

// builtImages are what a run builds: every selected step's image, the
// program alone on scratch (the baseline sizes are measured against) and the
// server's. perRun lists those that hold this run's CA, for removal.
type builtImages struct {
	steps    map[string]stepImage
	baseline images.Image
	server   images.Image
	perRun   []string
}

// buildImages derives the run's images; perRun is filled even on error, so
// that what was built is still removed.
func buildImages(ctx context.Context, env *lab.Env, vs []Variant, bins map[Binary]program, srvBin, bundle []byte) (*builtImages, error) {
	type job struct {
		name, dockerfile string
		files            map[string][]byte
		perRun           bool
	}
	jobs := []job{
		{name: "baseline", dockerfile: "app-only.Dockerfile", files: map[string][]byte{"app": bins[StaticBinary].bin}},
	}
	for _, v := range vs {
		files := map[string][]byte{"app": bins[v.Binary].bin}
		if v.Bundle {
			files["ca-certificates.crt"] = bundle
		}
		jobs = append(jobs, job{name: v.Name, dockerfile: v.Dockerfile, files: files, perRun: v.Bundle})
	}
	var mu sync.Mutex
	out := &builtImages{steps: map[string]stepImage{}}
	errs := make([]error, len(jobs))
	lab.InParallel(len(jobs), 4, func(i int) {
		j := jobs[i]
		df, err := fs.ReadFile(sources, "dockerfiles/"+j.dockerfile)
		if err != nil {
			errs[i] = fmt.Errorf("read %s: %w", j.dockerfile, err)
			return
		}
		im, err := env.Catalog.Derive(ctx, images.Derived{
			Name: "scratch-" + j.name, Dockerfile: string(df), Files: j.files, Lab: "scratch",
			Bases: bases(string(df)),
		})
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			errs[i] = fmt.Errorf("build the %s image: %w", j.name, err)
			return
		}
		if j.perRun {
			out.perRun = append(out.perRun, im.Ref)
		}
		switch j.name {
		case "baseline":
			out.baseline = im
		default:
			out.steps[j.name] = stepImage{im: im, dockerfile: j.dockerfile}
		}
	})
	srv, err := serverImage(ctx, env, srvBin)
	out.server = srv
	return out, errors.Join(append(errs, err)...)
}

// bases maps the ARGs a step's Dockerfile declares to catalog keys: only
// those, so that an image is rebuilt only when a base it uses changes.
func bases(dockerfile string) map[string]images.Key {
	keys := map[string]images.Key{"SCRATCH": images.Scratch, "DEBIAN": images.DistrolessStatic,
		"DISTROLESS_STATIC": images.DistrolessStatic}
	out := map[string]images.Key{}
	for _, line := range strings.Split(dockerfile, "\n") {
		if arg, ok := strings.CutPrefix(strings.TrimSpace(line), "ARG "); ok {
			if k, known := keys[strings.TrimSpace(arg)]; known {
				out[strings.TrimSpace(arg)] = k
			}
		}
	}
	return out
}

// removeImages removes the images that hold this run's CA: of no use to any
// other run.
func removeImages(ctx context.Context, env *lab.Env, refs []string) {
	removed := 0
	for _, ref := range refs {
		_, err := env.Engine.API.ImageRemove(ctx, ref, client.ImageRemoveOptions{PruneChildren: true})
		switch {
		case err == nil:
			removed++
		case !engine.IsNotFound(err):
			env.Logf("scratch: remove per-run image %s: %v", ref, err)
		}
	}
	if len(refs) > 0 {
		env.Logf("scratch: removed %d of the %d images that held this run's CA", removed, len(refs))
	}
}

// Images builds every step's image without running any, by step name, and
// returns a func that removes those that hold the run's CA: what `baselab
// doctor` is held to in its proof.
func Images(ctx context.Context, env *lab.Env) (map[string]images.Image, func(), error) {
	none := func() {}
	bins, srvBin, err := buildPrograms(ctx)
	if err != nil {
		return nil, none, err
	}
	ds, err := env.Catalog.Ensure(ctx, images.DistrolessStatic)
	if err != nil {
		return nil, none, fmt.Errorf("resolve bases: %w", err)
	}
	deb, err := readDebian(ctx, env.Engine, ds.Ref)
	if err != nil {
		return nil, none, err
	}
	ca, err := newCA(Host, env.Engine.RunID, time.Now())
	if err != nil {
		return nil, none, err
	}
	imgs, err := buildImages(ctx, env, table, bins, srvBin, append(append([]byte{}, deb.bundle...), ca.caPEM...))
	cleanup := func() { removeImages(context.WithoutCancel(ctx), env, imgs.perRun) }
	if err != nil {
		return nil, cleanup, err
	}
	out := map[string]images.Image{}
	for name, s := range imgs.steps {
		out[name] = s.im
	}
	return out, cleanup, nil
}
