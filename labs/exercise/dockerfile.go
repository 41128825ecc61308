package exercise

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/labs/lab"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// No image can be pulled here, so a learner's Dockerfile names its bases by
// catalog key (FROM alpine, FROM python-slim, FROM builder AS build). Before
// the build each such FROM is rewritten to an ARG that the catalog fills
// with the key's local image, which is exactly how the labs build theirs
// (images.Derived: "ARG BASE\nFROM ${BASE}" with BASE bound to a key).

// recipe is a learner's Dockerfile, read and rewritten for the catalog.
type recipe struct {
	Path string
	// Source is the file as handed in; Dockerfile the rewritten one.
	Source, Dockerfile string
	// Bases maps the ARGs the rewrite introduced to catalog keys.
	Bases map[string]images.Key
	// Final is the catalog key the last stage is built on ("" when it is
	// built on an earlier stage's chain that ends in none).
	Final images.Key
}

var fromLine = regexp.MustCompile(`(?i)^(\s*FROM\s+(?:--\S+\s+)*)(\S+)(.*)$`)

// readRecipe reads the Dockerfile at path with BuildKit's parser and maps
// every FROM to a catalog key, an earlier stage or scratch. Anything else
// is bad input: no image can be pulled.
func readRecipe(path string) (recipe, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return recipe{}, fmt.Errorf("read %s: %w", path, err)
	}
	res, err := parser.Parse(bytes.NewReader(src))
	if err != nil {
		return recipe{}, fmt.Errorf("%s: %s", path, oneLine(err.Error()))
	}
	stages, _, err := instructions.Parse(res.AST, linter.New(&linter.Config{}))
	if err != nil {
		return recipe{}, fmt.Errorf("%s: %s", path, oneLine(err.Error()))
	}
	if len(stages) == 0 {
		return recipe{}, fmt.Errorf("%s: no FROM: a Dockerfile needs at least one stage", path)
	}
	lines := strings.Split(string(src), "\n")
	r := recipe{Path: path, Source: string(src), Bases: map[string]images.Key{}}
	stageBase := map[string]images.Key{}
	firstFrom := -1
	for i, st := range stages {
		if len(st.Location) == 0 {
			return recipe{}, fmt.Errorf("%s: stage %d has no line", path, i)
		}
		ln := st.Location[0].Start.Line - 1
		if firstFrom < 0 {
			firstFrom = ln
		}
		name := strings.ToLower(st.BaseName)
		var key images.Key
		switch b, isStage := stageBase[name]; {
		case isStage:
			key = b
		case name == string(images.Scratch):
			key = images.Scratch
		default:
			spec, err := images.Lookup(images.Key(name))
			if err != nil {
				return recipe{}, fmt.Errorf("%s line %d: FROM %s: images cannot be pulled here; FROM a catalog key (`baselab fixtures list`: %s) or an earlier stage",
					path, ln+1, st.BaseName, keyList())
			}
			key = spec.Key
			arg := "BASELAB_FROM_" + strings.ToUpper(strings.NewReplacer("-", "_", ".", "_").Replace(name))
			r.Bases[arg] = key
			m := fromLine.FindStringSubmatch(lines[ln])
			if m == nil || !strings.EqualFold(m[2], st.BaseName) {
				return recipe{}, fmt.Errorf("%s line %d: write FROM and its image on one line", path, ln+1)
			}
			lines[ln] = m[1] + "${" + arg + "}" + m[3]
		}
		if st.Name != "" {
			stageBase[strings.ToLower(st.Name)] = key
		}
		r.Final = key
	}
	args := make([]string, 0, len(r.Bases))
	for a := range r.Bases {
		args = append(args, "ARG "+a)
	}
	sort.Strings(args)
	out := append(append(append([]string{}, lines[:firstFrom]...), args...), lines[firstFrom:]...)
	r.Dockerfile = strings.Join(out, "\n")
	return r, nil
}

// keyList names the catalog's keys for a message.
func keyList() string {
	var ks []string
	for _, k := range images.Keys() {
		ks = append(ks, string(k))
	}
	return strings.Join(ks, ", ")
}

// contextFiles reads the files of a hand-in folder (no hidden folders)
// as a build context.
func contextFiles(dir string) (map[string][]byte, error) {
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if strings.HasPrefix(d.Name(), ".") && p != dir {
				return filepath.SkipDir
			}
			return nil
		}
		// The answer file is the grader's, not the build's: leaving it out
		// lets hand-ins that share a Dockerfile share its build.
		if p == filepath.Join(dir, AnswerFile) {
			return nil
		}
		// A symlink to a file is followed (hand-ins may share a program);
		// anything else that is not a regular file is not context.
		if d.Type()&os.ModeSymlink != 0 {
			if st, err := os.Stat(p); err != nil || !st.Mode().IsRegular() {
				return nil
			}
		} else if !d.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files[filepath.ToSlash(rel)] = b
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read hand-in folder %s: %w", dir, err)
	}
	return files, nil
}

// build builds a recipe with the hand-in's files (and extra ones, such as
// a program the grader compiled) as its context. The image is named for
// the exercise; its tag hashes every input, so the same hand-in graded
// twice is built once. A build the learner's Dockerfile breaks comes back
// as an error whose text is the build log's end: the "builds" check shows it.
func build(ctx context.Context, env *lab.Env, name string, r recipe, files map[string][]byte) (images.Image, error) {
	// The images.Derived Like rule: the final stage's base decides the
	// libc and stand-in marks the image inherits.
	like := ""
	for a, k := range r.Bases {
		if k == r.Final {
			like = a
		}
	}
	// The context's own "Dockerfile" would replace the rewritten one in
	// the build's tar: the rewrite is what is built.
	// Nor are a hand-in's other recipes (Dockerfile.alpine ...) inputs of
	// this one: leaving them out lets hand-ins that share a recipe share
	// its build.
	ctxFiles := make(map[string][]byte, len(files))
	for n, b := range files {
		if n != "Dockerfile" && !strings.HasPrefix(n, "Dockerfile.") {
			ctxFiles[n] = b
		}
	}
	return env.Catalog.Derive(ctx, images.Derived{Name: name, Dockerfile: r.Dockerfile, Files: ctxFiles,
		Bases: r.Bases, Lab: "exercise", Like: like})
}

// oneLine folds an error into one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
