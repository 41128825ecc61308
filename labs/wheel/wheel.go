// Package wheel is the wheel lab: the course's "Debug this" (an app moved
// from python:3.11 to python:3.11-alpine segfaults) reproduced with a real
// CPython extension, errtext, built from one sdist into real wheels for glibc
// and for musl, and installed the ways people actually get glibc binaries
// onto Alpine. The same root cause one level down — a glibc program on
// Alpine — is here too. The story, the numbers and the sources are in
// README.md.
package wheel

import (
	"context"

	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/harness/record"
	"github.com/baselab/baselab/labs/lab"
)

// New returns the wheel lab with its configuration at its defaults.
func New() lab.Lab {
	cfg := &Config{Tries: 3}
	return lab.Lab{
		Name:     "wheel",
		Summary:  "glibc-built Python wheels and programs on musl: not found, Error relocating, segfault — and the fixes",
		Config:   cfg,
		Variants: cfg.Variants,
		Fields:   fields,
		Run:      func(ctx context.Context, env *lab.Env) ([]record.Record, error) { return runLab(ctx, env, *cfg) },
		Images:   imageKeys,
		Report:   reportLab,
	}
}

// imageKeys are the catalog keys runLab resolves when env wants any cell:
// the build image's (builder, python-alpine) and the wanted cells' bases.
func imageKeys(env *lab.Env) []images.Key {
	var keys []images.Key
	for _, v := range Variants() {
		if !env.Want(v.Name) {
			continue
		}
		if keys == nil {
			keys = []images.Key{images.Builder, images.PythonAlpine}
		}
		keys = append(keys, v.Runtime)
		for _, k := range v.Bases {
			keys = append(keys, k)
		}
	}
	return keys
}
