package images

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"testing/fstest"
	"time"

	"github.com/baselab/baselab/harness/engine"
)

// Derived is an image a lab builds on catalog bases: a wheel variant, a
// scratch image holding one probe, an app on every base. Its tag is a hash of
// everything below, so a rerun with the same inputs builds nothing.
type Derived struct {
	// Name becomes the repository: baselab/lab-<Name>.
	Name string
	// Dockerfile refers to bases through ARGs named as in Bases
	// ("ARG BASE\nFROM ${BASE}"), never a registry name.
	Dockerfile string
	// Files is the build context besides the Dockerfile.
	Files map[string][]byte
	// Bases maps build-arg names to catalog keys.
	Bases map[string]Key
	// Args are other build args.
	Args map[string]string
	// Lab labels the image with the lab that made it.
	Lab string
	// Like names the build arg of the base the final stage is built on:
	// the image inherits its libc and stand-in marks, so records of lab
	// images say what they run on.
	Like string
}

// Derive builds (or finds) a lab image.
func (c *Catalog) Derive(ctx context.Context, d Derived) (Image, error) {
	keys := make([]Key, 0, len(d.Bases))
	for _, k := range d.Bases {
		keys = append(keys, k)
	}
	resolved, err := c.EnsureAll(ctx, keys...)
	if err != nil {
		return Image{}, fmt.Errorf("%s: resolve bases: %w", d.Name, err)
	}
	byKey := map[Key]Image{}
	for _, im := range resolved {
		byKey[im.Key] = im
	}
	bases := map[string]Image{}
	for arg, k := range d.Bases {
		bases[arg] = byKey[k]
	}
	ref := "baselab/lab-" + d.Name + ":" + d.hash(bases)[:12]
	return c.once("derived:"+ref, func() (Image, error) {
		labels := c.eng.Labels(map[string]string{LabelKey: "lab-" + d.Name})
		delete(labels, engine.LabelRun)
		if d.Lab != "" {
			labels[engine.LabelLab] = d.Lab
		}
		files := fstest.MapFS{"Dockerfile.lab": &fstest.MapFile{Data: []byte(d.Dockerfile)}}
		im, err := c.findOrBuild(ctx, ref, func() error {
			start := time.Now()
			fmt.Fprintf(c.progress, "%s: building %s\n", d.Name, ref)
			err := c.dockerBuild(ctx, buildJob{name: d.Name, ref: ref, dockerfile: "Dockerfile.lab", extra: d.Files,
				bases: bases, args: d.Args, labels: labels, files: files})
			if err == nil {
				fmt.Fprintf(c.progress, "%s: built in %s\n", d.Name, time.Since(start).Round(100*time.Millisecond))
			}
			return err
		})
		if err != nil {
			return Image{}, fmt.Errorf("build lab image %s: %w", d.Name, err)
		}
		im.Key = Key("lab-" + d.Name)
		if b, ok := bases[d.Like]; ok {
			im.Libc, im.Standin, im.StandinFor, im.StandinLacks = b.Libc, b.Standin, b.StandinFor, b.StandinLacks
		}
		return im, nil
	})
}

func (d Derived) hash(bases map[string]Image) string {
	h := sha256.New()
	fmt.Fprintf(h, "name=%s\n%s\n", d.Name, d.Dockerfile)
	names := make([]string, 0, len(d.Files))
	for n := range d.Files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(h, "file %s %d\n", n, len(d.Files[n]))
		h.Write(d.Files[n])
	}
	for _, m := range []map[string]string{d.Args, imageIDs(bases)} {
		ks := make([]string, 0, len(m))
		for k := range m {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		for _, k := range ks {
			fmt.Fprintf(h, "%s=%s\n", k, m[k])
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

func imageIDs(bases map[string]Image) map[string]string {
	m := make(map[string]string, len(bases))
	for a, im := range bases {
		m["base:"+a] = im.ID
	}
	return m
}
