// Package surface is the course's exercise 3 ("security scan comparison"),
// measured from the images themselves: what each base installs (from the
// package database it carries), whether it has a shell and a package
// manager, setuid/setgid files, world-writable paths, how many files, and
// which user it runs as. CVE counts come from trivy or grype when one is
// installed with a local database, and are null (with the reason) otherwise.
// An SPDX SBOM per image is written next to the results.
package surface

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/baselab/baselab/harness/engine"
	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/harness/record"
	"github.com/baselab/baselab/harness/rootfs"
	"github.com/baselab/baselab/harness/run"
	"github.com/baselab/baselab/labs/lab"
)

// New returns the surface lab.
func New() lab.Lab {
	cfg := &Config{}
	return lab.Lab{
		Name:     "surface",
		Summary:  "per base: packages, shells, package managers, setuid, world-writable, files, user, CVEs; an SPDX SBOM each",
		Config:   cfg,
		Variants: cfg.Variants,
		Fields:   Fields,
		Run:      func(ctx context.Context, env *lab.Env) ([]record.Record, error) { return runLab(ctx, env, *cfg) },
		Images:   func(env *lab.Env) []images.Key { return cfg.imageKeys(env) },
		Report:   reportLab,
	}
}

func runLab(ctx context.Context, env *lab.Env, cfg Config) ([]record.Record, error) {
	keys, err := cfg.keys()
	if err != nil {
		return nil, fmt.Errorf("surface: %w", err)
	}
	cells := lab.Select(env, "surface", forKeys(keys), Variant.Name, nil)
	sbomDir := cfg.SBOMDir
	if sbomDir == "" && env.Out != nil {
		sbomDir = filepath.Join(filepath.Dir(env.Out.Path()), "sbom")
	}
	if sbomDir == "" {
		env.Logf("surface: no --out and no --sbom-dir: SBOMs are not written (records say so)")
	}
	scanner := findScanner()
	if scanner.Path == "" {
		env.Logf("surface: no CVE counts: %s", scanner.Why)
	} else {
		env.Logf("surface: CVE counts from %s (%s, database %s)", scanner.Name, scanner.Path, scanner.DB)
	}

	// A base that cannot be inspected still gets its record (outcome
	// lab.Error, saying what failed) in results.jsonl, as it always has; its
	// error is returned beside the others after every cell has run.
	errs := make([]error, len(cells))
	// Each cell streams an image's whole file system out of the engine; two at
	// a time keeps the two cores busy without queueing exports behind gzip.
	out, err := lab.RunCells(ctx, env, cells, 2, func(ctx context.Context, i int, v Variant) (record.Record, error) {
		r, err := cell(ctx, env, v, scanner, sbomDir)
		if err != nil {
			errs[i] = fmt.Errorf("%s: %w", v.Base, err)
		}
		return r, nil
	}, func(_ int, v Variant, r record.Record) string {
		return fmt.Sprintf("surface: %-18s %-9s %s", v.Base, r.Outcome, r.Detail)
	})
	env.Logf("surface: table\n%s", Table(out))
	return out, errors.Join(err, errors.Join(errs...))
}

func cell(ctx context.Context, env *lab.Env, v Variant, sc Scanner, sbomDir string) (record.Record, error) {
	r := record.Record{Lab: "surface", Variant: v.Name(), Base: string(v.Base), Started: time.Now().UTC(), Tries: 1}
	fail := func(err error) (record.Record, error) {
		// The lab failed, not the image: an error (outcome lab.Error), not
		// a failed try.
		r.Detail, r.Evidence = "could not inspect: "+err.Error(), err.Error()
		r.AddError(err.Error())
		return r, err
	}
	im, err := env.Catalog.Ensure(ctx, v.Base)
	if err != nil {
		return fail(fmt.Errorf("ensure base: %w", err))
	}
	lab.Stamp(&r, im)
	start := time.Now()
	fsys, err := rootfs.Read(ctx, env.Engine, im.Ref, rootfs.Options{Keep: keep,
		Labels: map[string]string{engine.LabelLab: "surface"}})
	if err != nil {
		return fail(err)
	}
	user, err := imageUser(ctx, env.Engine, im.Ref)
	if err != nil {
		return fail(err)
	}
	f, err := read(fsys)
	if err != nil {
		return fail(err)
	}
	f.User = user
	f.RootsUser = isRoot(user)
	r.Timings([]float64{run.Elapsed(start)})
	r.OK = 1

	r.Set("package_db", f.DB)
	r.Set("packages", len(f.Packages))
	r.Set("shells", names(f.Shells))
	r.Set("package_manager", names(f.Managers))
	r.Set("setuid", nonNil(f.Setuid))
	r.Set("setgid", nonNil(f.Setgid))
	r.Set("world_writable", nonNil(f.Writable))
	r.Set("world_writable_nonsticky", nonNil(f.Unsticky))
	r.Set("files", f.Files)
	r.Set("entries", f.Entries)
	r.Set("local_files", f.Local)
	removable := int64(0)
	for _, n := range f.Removable {
		removable += n
	}
	r.Set("removable_bytes", removable)
	r.Set("removable", nonNilMap(f.Removable))
	r.Set("user", f.User)
	r.Set("runs_as_root", f.RootsUser)

	cves := sc.Scan(ctx, im.Ref)
	if cves.Count != nil {
		r.Set("cves", *cves.Count)
		r.Set("cves_by_severity", cves.BySeverity)
	} else {
		r.Set("cves", nil)
	}
	r.Set("cve_scanner", cves.Scanner)

	sbom := ""
	if sbomDir != "" {
		p, err := writeSBOM(sbomDir, im, f, r.Started)
		if err != nil {
			return fail(err)
		}
		sbom = p
		r.Set("sbom", p)
	} else {
		r.Set("sbom", nil)
	}

	r.Outcome = class(f)
	r.Detail = detail(im, f, cves, sbom)
	r.Evidence = evidence(f)
	return r, nil
}

// imageUser is the User of an image's config: the user a container of it
// runs as unless told otherwise.
func imageUser(ctx context.Context, eng *engine.Engine, ref string) (string, error) {
	res, err := eng.API.ImageInspect(ctx, ref)
	if err != nil {
		return "", fmt.Errorf("inspect image %s: %w", ref, err)
	}
	if res.Config == nil {
		return "", nil
	}
	return res.Config.User, nil
}

func nonNilMap(m map[string]int64) map[string]int64 {
	if m == nil {
		return map[string]int64{}
	}
	return m
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
