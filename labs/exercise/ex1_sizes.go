package exercise

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"

	"github.com/baselab/baselab/harness/gobuild"
	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/harness/record"
	"github.com/baselab/baselab/labs/lab"
	"github.com/baselab/baselab/labs/size"
)

// ex1Starts is how many timed starts each image gets: a median, as the
// size lab's short run takes.
const ex1Starts = 3

// ex1Tolerance is how far a learner's size may be from the measured one.
const ex1Tolerance = 0.10

func sizes() Exercise {
	return Exercise{N: 1, Title: "compare base image sizes", Load: loadSizes, Show: `Exercise 1: compare base image sizes (course: "Compare Base Image Sizes";
lab: labs/size/README.md).

Task: put one small app on three or more bases, build each, and write down
how big each image is.

Hand in a folder with:
  Dockerfile.*  one per base, FROM catalog keys only (slim, alpine,
                distroless-static, scratch ...: baselab fixtures list); each
                FROM KEY is built on the catalog's local image, as the labs
                build theirs. The app listens on :8080 and answers GET / 200.
  src/          optional: your Go app (package main). baselab builds it
                static and puts it in the build context as "server";
                without src/ the context's "server" is the size lab's app.
  answer.yaml   images: [{dockerfile: Dockerfile.alpine, size_mb: 12.3}, ...]
                (decimal MB, as docker images prints them)

Checked per image, on containers: builds · serves (3 starts, port 8080
published on 127.0.0.1) · size within 10 % of ImageInspect's Size. Shown
beside each: layers, start time, the bare base's size and the course's.`}
}

type sizeEntry struct {
	Dockerfile string  `yaml:"dockerfile"`
	SizeMB     float64 `yaml:"size_mb"`
	recipe     recipe
}

type sizesHandIn struct {
	dir     string
	entries []sizeEntry
	src     bool
}

func loadSizes(dir string) (HandIn, error) {
	if err := folder(dir); err != nil {
		return nil, err
	}
	var a struct {
		Images []sizeEntry `yaml:"images"`
	}
	if err := readAnswer(dir, &a); err != nil {
		return nil, err
	}
	p := filepath.Join(dir, AnswerFile)
	if len(a.Images) < 3 {
		return nil, fmt.Errorf("%s: images: %d given; the exercise compares three bases or more", p, len(a.Images))
	}
	h := &sizesHandIn{dir: dir}
	var finals []images.Key
	for i, e := range a.Images {
		if e.Dockerfile == "" || e.SizeMB <= 0 {
			return nil, fmt.Errorf("%s: images[%d]: give dockerfile: and size_mb: (a positive number of decimal MB)", p, i)
		}
		r, err := readRecipe(filepath.Join(dir, e.Dockerfile))
		if err != nil {
			return nil, err
		}
		if slices.Contains(finals, r.Final) {
			return nil, fmt.Errorf("%s: %s: a second image on %s: the exercise compares different bases", p, e.Dockerfile, r.Final)
		}
		finals = append(finals, r.Final)
		e.recipe = r
		h.entries = append(h.entries, e)
	}
	if st, err := os.Stat(filepath.Join(dir, "src")); err == nil && st.IsDir() {
		h.src = true
	}
	return h, nil
}

func (h *sizesHandIn) Grade(ctx context.Context, env *lab.Env) (*Grade, error) {
	g := &Grade{Exercise: 1, Title: "compare base image sizes", Path: h.dir}
	files, err := contextFiles(h.dir)
	if err != nil {
		return nil, err
	}
	var bin []byte
	if h.src {
		if bin, err = gobuild.Source(ctx, os.DirFS(h.dir), "src", gobuild.Options{}); err != nil {
			g.add("src builds", false, "go build of src/ failed", lastLines(err.Error(), 6), "labs/size/README.md#how-to-run")
			return g, nil
		}
	} else if bin, err = size.ServerBinary(ctx); err != nil {
		return nil, err
	}
	files["server"] = bin
	for _, e := range h.entries {
		im, err := build(ctx, env, "exercise1", e.recipe, files)
		if err != nil {
			g.add(e.Dockerfile+" builds", false, "the build failed", lastLines(err.Error(), 6), "labs/size/README.md#how-to-run")
			continue
		}
		g.Images = append(g.Images, im.Ref)
		g.add(e.Dockerfile+" builds", true, im.Ref, "", "")
		measured, layers, err := size.ImageFacts(ctx, env.Engine, im.Ref)
		if err != nil {
			return nil, err
		}
		var ms []float64
		var lastErr error
		evidence := ""
		for range ex1Starts {
			st, err := size.StartOnce(ctx, env.Engine, im.Ref)
			if err != nil {
				lastErr = err
				continue
			}
			ms = append(ms, st.Ms)
			evidence = st.Evidence
		}
		if lastErr != nil {
			g.add(e.Dockerfile+" serves", false, fmt.Sprintf("%d of %d starts answered on :8080", len(ms), ex1Starts), lastLines(lastErr.Error(), 3),
				"labs/size/README.md#what-it-measures (the app must answer GET / with 200 on :8080; on scratch and distroless nothing but your program can run: no shell for a shell-form CMD)")
		} else {
			g.add(e.Dockerfile+" serves", true, fmt.Sprintf("first response after %.0f ms median of %d starts", record.Percentile(ms, 50), len(ms)), evidence, "")
		}
		want := e.SizeMB * 1e6
		off := math.Abs(want-float64(measured)) / float64(measured)
		g.add(e.Dockerfile+" size", off <= ex1Tolerance,
			fmt.Sprintf("you wrote %.1f MB, measured %s (%+.0f %%; within %.0f %% passes)", e.SizeMB, images.Bytes(measured), 100*(want-float64(measured))/float64(measured), 100*ex1Tolerance),
			fmt.Sprintf("image inspect %s: Size=%d, RootFS.Layers=%d", im.Ref, measured, layers),
			"labs/size/README.md#what-it-measures (size_bytes is ImageInspect's Size, decimal MB as docker images prints it; the bare base is in it)")
		h.noteBase(ctx, env, g, e, measured, layers)
	}
	return g, nil
}

// noteBase puts an image beside its bare base (the size lab's base/<key>
// measurement) and the course's number.
func (h *sizesHandIn) noteBase(ctx context.Context, env *lab.Env, g *Grade, e sizeEntry, measured int64, layers int) {
	line := fmt.Sprintf("%s on %s: %s, layers: %d", e.Dockerfile, e.recipe.Final, images.Bytes(measured), layers)
	if e.recipe.Final != images.Scratch {
		if base, err := env.Catalog.Ensure(ctx, e.recipe.Final); err == nil {
			if b, l, err := size.ImageFacts(ctx, env.Engine, base.Ref); err == nil {
				line += fmt.Sprintf("; the bare base (%s): %s, layers: %d", base.Describe(), images.Bytes(b), l)
			}
		}
	}
	if img, b, ok := size.CourseSize(e.recipe.Final); ok {
		line += fmt.Sprintf("; the course says %s for %s", images.Bytes(b), img)
	}
	g.note("%s", line)
}
