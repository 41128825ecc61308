// Package size is the course's exercise 1 ("compare base image sizes"),
// measured: the same app on every base, and per image its size, layer count,
// the bytes a registry would store (docker save | gzip) and the time from
// container start to the first HTTP answer.
package size

import (
	"context"
	"errors"
	"fmt"

	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/harness/record"
	"github.com/baselab/baselab/labs/lab"
)

// New returns the size lab.
func New() lab.Lab {
	cfg := &Config{Runs: DefaultRuns}
	return lab.Lab{
		Name:     "size",
		Summary:  "the same app on every base: size, layers, compressed size, start to first response",
		Config:   cfg,
		Variants: cfg.Variants,
		Fields:   Fields,
		Run:      func(ctx context.Context, env *lab.Env) ([]record.Record, error) { return runLab(ctx, env, *cfg) },
		Images:   func(env *lab.Env) []images.Key { return cfg.imageKeys(env) },
		Report:   reportLab,
	}
}

func runLab(ctx context.Context, env *lab.Env, cfg Config) ([]record.Record, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("size: %w", err)
	}
	keys, _ := cfg.keys()
	runs := cfg.Runs
	if env.Short && runs > ShortRuns {
		env.Logf("size: --short: %d starts per app image instead of %d", ShortRuns, runs)
		runs = ShortRuns
	}
	variants := lab.Select(env, "size", Variants(keys), func(v Variant) string { return v.Name }, nil)
	var bin []byte
	for _, v := range variants {
		if v.App == Go {
			var err error
			if bin, err = ServerBinary(ctx); err != nil {
				return nil, err
			}
			env.Logf("size: static Go server is %d bytes (CGO_ENABLED=0, -s -w)", len(bin))
			break
		}
	}

	out := make([]record.Record, len(variants))
	refs := make([]string, len(variants))
	errs := make([]error, len(variants))
	// A bare base is done once measured, an app once timed; the records and
	// progress lines still follow the table's order.
	ord := lab.NewOrdered(len(variants), func(i int) {
		env.Logf("size: %-26s %-11s %s", variants[i].Name, out[i].Outcome, out[i].Detail)
		if err := env.Emit(out[i]); err != nil {
			errs[i] = errors.Join(errs[i], err)
		}
	})
	// Phase one, side by side (bounded: the machine has two cores): build the
	// app images, read their sizes, gzip their save streams.
	lab.InParallel(len(variants), 3, func(i int) {
		v := variants[i]
		out[i], refs[i], errs[i] = measure(ctx, env, v, bin)
		if errs[i] != nil {
			errs[i] = fmt.Errorf("%s: %w", v.Name, errs[i])
		}
		if v.App == Bare || errs[i] != nil {
			ord.Done(i)
		}
	})
	// Phase two, alone: start times. Concurrent starts (or a gzip running
	// beside them) would measure each other on two cores, so the starts run
	// one at a time, round-robin over the images so that any drift in the
	// machine's load spreads over every base instead of landing on one.
	var timed []int
	for i, v := range variants {
		if v.App != Bare && errs[i] == nil {
			timed = append(timed, i)
		}
	}
	if len(timed) > 0 {
		env.Logf("size: timing %d starts of each of %d app images, one at a time", runs, len(timed))
	}
	tries := make([][]try, len(variants))
	for range runs {
		for _, i := range timed {
			st, err := StartOnce(ctx, env.Engine, refs[i])
			tries[i] = append(tries[i], try{Start: st, Err: err})
		}
	}
	for _, i := range timed {
		finishStarts(&out[i], tries[i])
		ord.Done(i)
	}
	env.Logf("size: table\n%s", Table(out))
	return out, errors.Join(errs...)
}
