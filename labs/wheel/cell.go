package wheel

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/harness/record"
	"github.com/baselab/baselab/harness/rootfs"
	"github.com/baselab/baselab/harness/run"
	"github.com/baselab/baselab/labs/lab"
)

// runCell builds the cell's image, runs it tries times, and records the
// first run's outcome with the ELF facts that explain it.
func runCell(ctx context.Context, env *lab.Env, v Variant, b build, m muslRuntime, tries int) (record.Record, error) {
	app, err := variantImage(ctx, env, v, b)
	if err != nil {
		return record.Record{}, err
	}
	base, err := env.Catalog.Ensure(ctx, v.Runtime)
	if err != nil {
		return record.Record{}, err
	}

	r := record.Record{Lab: "wheel", Variant: v.Name}
	lab.Stamp(&r, base)
	r.Image = app.Evidence()
	r.Set("base_image", base.Evidence())
	r.Set("install", v.Install)
	r.Set("expected", v.Want)
	r.Set("why", v.Why)

	var ms []float64
	var first try
	outcomes := map[string]int{}
	for i := range tries {
		res, err := run.Once(ctx, env.Engine, run.Spec{Image: app.Ref, Lab: "wheel"})
		if err != nil {
			return record.Record{}, fmt.Errorf("run %s: %w", app.Ref, err)
		}
		t := classify(res)
		if i == 0 {
			first = t
		}
		outcomes[t.outcome]++
		ms = append(ms, float64(res.Duration.Microseconds())/1000)
		if t.outcome == lab.Works {
			r.OK++
		} else {
			r.Failed++
		}
	}
	r.Tries = tries
	r.Timings(ms)
	r.Outcome, r.Evidence, r.Detail = first.outcome, first.evidence, first.detail
	if len(outcomes) > 1 {
		r.Set("mixed_outcomes", outcomes)
		r.Detail += fmt.Sprintf(" (outcomes differed across %d runs: %v)", tries, outcomes)
	}
	first.record(&r)

	if v.Wheel != "" {
		w := b.wheels[v.Wheel]
		r.Set("wheel", w.name)
		r.Set("wheel_tag", w.tag)
		r.Set("extension", w.so)
		r.Set("needed", w.elf.Needed)
		r.Set("imports", imports(w.elf))
		r.Set("unresolved_on_musl", m.unresolved(w.elf))
		if v.Runtime == images.PythonAlpine && slices.Contains(importNames(w.elf), "strerror_r") {
			// The symbol the glibc build binds to on musl is the XSI function.
			r.Set("musl_strerror_r_is_xsi", m.sameFunction("strerror_r", "__xpg_strerror_r"))
		}
	}
	if v.Program != "" {
		p := b.programs[v.Program]
		tree, err := rootfs.Read(ctx, env.Engine, app.Ref, rootfs.Options{})
		if err != nil {
			return record.Record{}, err
		}
		r.Set("file", p.file)
		r.Set("interpreter", p.elf.Interp)
		r.Set("interpreter_in_image", tree.Exists(p.elf.Interp))
		r.Set("needed", p.elf.Needed)
		r.Set("program_in_image", tree.Exists(programPath))
		r.Set("unresolved_on_musl", m.unresolved(p.elf))
	}
	for _, d := range v.Diagnostics {
		res, err := run.Once(ctx, env.Engine, run.Spec{Image: app.Ref, Cmd: d.Cmd, Lab: "wheel"})
		if err != nil {
			return record.Record{}, fmt.Errorf("diagnostic %s: %w", d.Field, err)
		}
		r.Set(d.Field, diagnosticText(res))
	}
	return r, nil
}

// diagnosticText keeps a diagnostic run's first lines and how it ended.
func diagnosticText(res run.Result) string {
	if !res.Started {
		return "not started: " + res.StartError
	}
	ls := append(lines(res.Stderr), lines(res.Stdout)...)
	if len(ls) > 6 {
		ls = ls[:6]
	}
	end := fmt.Sprintf("exit %d", res.ExitCode)
	if res.Signal != "" {
		end += " (" + res.Signal + ")"
	}
	return strings.Join(append(ls, "["+end+"]"), "\n")
}

// variantImage builds (or finds) the image a cell runs.
func variantImage(ctx context.Context, env *lab.Env, v Variant, b build) (images.Image, error) {
	df, err := dockerfile("dockerfiles/" + v.Dockerfile)
	if err != nil {
		return images.Image{}, err
	}
	files := map[string][]byte{}
	if v.Wheel != "" {
		if files, err = buildContext(map[string]string{"app.py": "app/app.py"}); err != nil {
			return images.Image{}, err
		}
	}
	args := map[string]string{"BUILD": b.image.Ref}
	maps.Copy(args, v.Args)
	name := "wheel-" + strings.TrimSuffix(v.Dockerfile, ".Dockerfile")
	if s := v.Args["WHEELS"] + v.Args["PROGRAM"]; s != "" {
		name += "-" + s
	}
	return env.Catalog.Derive(ctx, images.Derived{Name: name, Dockerfile: df, Files: files,
		Bases: v.Bases, Args: args, Lab: "wheel"})
}

// Images builds (or finds) every variant's image without running any, by
// variant name: what `baselab doctor` is held to in its proof.
func Images(ctx context.Context, env *lab.Env) (map[string]images.Image, error) {
	b, err := buildImage(ctx, env)
	if err != nil {
		return nil, err
	}
	out := map[string]images.Image{}
	for _, v := range Variants() {
		im, err := variantImage(ctx, env, v, b)
		if err != nil {
			return nil, fmt.Errorf("variant %q: %w", v.Name, err)
		}
		out[v.Name] = im
	}
	return out, nil
}
