package wheel

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/baselab/baselab/harness/elf"
	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/harness/rootfs"
	"github.com/baselab/baselab/labs/lab"
)

// build is what the build image holds, read once for every cell.
type build struct {
	image images.Image
	// wheels by folder of /out/wheels.
	wheels map[string]wheelFile
	// programs by name in /out/bin.
	programs map[string]program
}

// wheelFile is one wheel: its file name, its tag (from its WHEEL file) and
// its extension module.
type wheelFile struct {
	name, tag, so string
	elf           elf.File
}

type program struct {
	elf  elf.File
	file string // file(1)'s line, written by build.sh
}

// buildImage builds the sdist, the four wheels and the two programs, and
// reads them back out of the image: the records state what was built, not
// what build.sh meant to build.
func buildImage(ctx context.Context, env *lab.Env) (build, error) {
	// The context keeps the layout build.Dockerfile was written for.
	files, err := buildContext(map[string]string{"errtext": "errtext", "hello.c": "hello/hello.c", "build.sh": "build/build.sh"})
	if err != nil {
		return build{}, err
	}
	df, err := dockerfile("build/build.Dockerfile")
	if err != nil {
		return build{}, err
	}
	im, err := env.Catalog.Derive(ctx, images.Derived{Name: "wheel-build", Dockerfile: df, Files: files,
		Bases: map[string]images.Key{"BUILDER": images.Builder, "PYALPINE": images.PythonAlpine}, Lab: "wheel"})
	if err != nil {
		return build{}, err
	}
	tree, err := rootfs.Read(ctx, env.Engine, im.Ref, rootfs.Options{Keep: func(p string) bool {
		return strings.HasPrefix(p, "/out/wheels/") || strings.HasPrefix(p, "/out/bin/") || strings.HasPrefix(p, "/out/evidence/")
	}})
	if err != nil {
		return build{}, err
	}
	b := build{image: im, wheels: map[string]wheelFile{}, programs: map[string]program{}}
	for _, f := range tree.Files {
		dir, name := path.Split(f.Path)
		switch {
		case strings.HasPrefix(dir, "/out/wheels/") && strings.HasSuffix(name, ".whl"):
			data, _ := tree.Content(f.Path)
			w, err := readWheel(name, data)
			if err != nil {
				return build{}, err
			}
			b.wheels[path.Base(dir)] = w
		case dir == "/out/bin/":
			data, _ := tree.Content(f.Path)
			facts, err := elf.Parse(data)
			if err != nil {
				return build{}, fmt.Errorf("%s: %w", f.Path, err)
			}
			line, _ := tree.Content("/out/evidence/" + name + ".file.txt")
			b.programs[name] = program{elf: facts, file: strings.TrimSpace(string(line))}
		}
	}
	for _, dir := range allWheels {
		if _, ok := b.wheels[dir]; !ok {
			return build{}, fmt.Errorf("build image %s has no wheel in /out/wheels/%s", im.Ref, dir)
		}
	}
	return b, nil
}

// readWheel reads a wheel's tag (its WHEEL file) and its extension module.
func readWheel(name string, data []byte) (wheelFile, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return wheelFile{}, fmt.Errorf("open wheel %s: %w", name, err)
	}
	w := wheelFile{name: name}
	for _, f := range zr.File {
		switch {
		case strings.HasSuffix(f.Name, ".dist-info/WHEEL"):
			b, err := readZip(f)
			if err != nil {
				return wheelFile{}, fmt.Errorf("wheel %s: %w", name, err)
			}
			for _, line := range strings.Split(string(b), "\n") {
				if t, ok := strings.CutPrefix(line, "Tag: "); ok {
					w.tag = strings.TrimSpace(t)
				}
			}
		case strings.HasSuffix(f.Name, ".so"):
			b, err := readZip(f)
			if err != nil {
				return wheelFile{}, fmt.Errorf("wheel %s: %w", name, err)
			}
			if w.elf, err = elf.Parse(b); err != nil {
				return wheelFile{}, fmt.Errorf("wheel %s: %s: %w", name, f.Name, err)
			}
			w.so = f.Name
		}
	}
	if w.tag == "" || w.so == "" {
		return wheelFile{}, fmt.Errorf("wheel %s: no Tag in WHEEL or no extension module", name)
	}
	return w, nil
}

func readZip(f *zip.File) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}
