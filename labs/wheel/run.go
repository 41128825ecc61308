package wheel

import (
	"context"
	"fmt"

	"github.com/baselab/baselab/harness/record"
	"github.com/baselab/baselab/labs/lab"
)

func runLab(ctx context.Context, env *lab.Env, cfg Config) ([]record.Record, error) {
	variants := lab.Select(env, "wheel", Variants(), func(v Variant) string { return v.Name }, nil)
	if len(variants) == 0 {
		return nil, nil
	}
	tries := max(cfg.Tries, 1)
	if env.Short && tries > 1 {
		env.Logf("wheel: --short: 1 run per cell instead of %d (no cell is long; the first build of the lab's images is: about 4 minutes)", tries)
		tries = 1
	}
	env.Logf("wheel: building errtext's sdist, 4 wheels and 2 programs (builder + python-alpine's musl CPython)")
	b, err := buildImage(ctx, env)
	if err != nil {
		return nil, err
	}
	m, err := readMusl(ctx, env)
	if err != nil {
		return nil, err
	}
	for _, dir := range allWheels {
		w := b.wheels[dir]
		env.Logf("wheel: %s: %s (%s), unresolved on musl: %s", dir, w.name, w.so, list(m.unresolved(w.elf)))
	}
	// Three at a time: each cell builds an image first, and two cores build slowly side by side.
	return lab.RunCells(ctx, env, variants, 3,
		func(ctx context.Context, _ int, v Variant) (record.Record, error) {
			r, err := runCell(ctx, env, v, b, m, tries)
			if err != nil {
				return record.Record{}, fmt.Errorf("cell %q: %w", v.Name, err)
			}
			return r, nil
		},
		func(_ int, v Variant, r record.Record) string {
			return fmt.Sprintf("wheel: %-72s %-16s %s", v.Name, r.Outcome, r.Evidence)
		})
}
