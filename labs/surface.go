package labs

// The surface lab is the course's exercise 3 ("security scan comparison"),
// measured from the images themselves: what each base installs (from the
// package database it carries), whether it has a shell and a package
// manager, setuid/setgid files, world-writable paths, how many files, and
// which user it runs as. CVE counts come from trivy or grype when one is
// installed with a local database, and are null (with the reason) otherwise.
// An SPDX SBOM per image is written next to the results.

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/baselab/baselab/harness/engine"
	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/harness/record"
	"github.com/baselab/baselab/harness/rootfs"
	"github.com/spf13/pflag"
)

// Outcomes of a surface cell: the attack-surface class of the base.
const (
	surfaceShellPM = "shell+pm" // a shell and a package manager: an intruder can install tools
	surfaceShell   = "shell"    // a shell but no package manager
	surfaceNoShell = "no-shell" // files, but nothing to run commands with
	surfaceEmpty   = "empty"    // no files at all
	surfaceError   = "error"
)

// Package databases a base can carry.
const (
	surfaceDBDpkg    = "dpkg"          // /var/lib/dpkg/status
	surfaceDBStatusD = "dpkg-status.d" // distroless: one file per package in /var/lib/dpkg/status.d
	surfaceDBApk     = "apk"           // /lib/apk/db/installed
	surfaceDBNone    = "none"
)

// SurfaceVariant is one base with what its recipe (fixtures/images) says it
// must show.
type SurfaceVariant struct {
	Base images.Key
	// Expect is the outcome (attack-surface class).
	Expect string
	// DB is the package database the base carries.
	DB string
}

// surfaceVariants: every catalog base. The expectations follow from how each
// is made: Debian-based images carry dpkg, apt and bash; the alpine stand-in
// carries an apk database and busybox, whose dpkg and rpm applets its recipe
// removes (Alpine's busybox has none), and no apk-tools (real Alpine's
// shell+pm comes from apk) — so a shell and no package manager; distroless
// carries status.d and no shell; scratch carries nothing.
var surfaceVariants = []SurfaceVariant{
	{Base: images.Slim, Expect: surfaceShellPM, DB: surfaceDBDpkg},
	{Base: images.Full, Expect: surfaceShellPM, DB: surfaceDBDpkg},
	{Base: images.Alpine, Expect: surfaceShell, DB: surfaceDBApk},
	{Base: images.DistrolessStatic, Expect: surfaceNoShell, DB: surfaceDBStatusD},
	{Base: images.DistrolessBase, Expect: surfaceNoShell, DB: surfaceDBStatusD},
	{Base: images.Scratch, Expect: surfaceEmpty, DB: surfaceDBNone},
	{Base: images.PythonSlim, Expect: surfaceShellPM, DB: surfaceDBDpkg},
	{Base: images.PythonAlpine, Expect: surfaceShell, DB: surfaceDBApk},
	{Base: images.Builder, Expect: surfaceShellPM, DB: surfaceDBDpkg},
}

// SurfaceVariants are the lab's cells with their expected outcomes.
func SurfaceVariants() []SurfaceVariant { return slices.Clone(surfaceVariants) }

// surfaceConfig is what `baselab run surface` can change.
type surfaceConfig struct {
	bases   []string
	sbomDir string
}

// Surface measures each base's attack surface and writes an SBOM per image.
func Surface() Lab {
	cfg := &surfaceConfig{}
	return Lab{
		Name:    "surface",
		Summary: "per base: packages, shells, package managers, setuid, world-writable, files, user, CVEs; an SPDX SBOM each",
		Flags: func(fs *pflag.FlagSet) {
			fs.StringSliceVar(&cfg.bases, "bases", nil, "catalog keys to inspect (default: all)")
			fs.StringVar(&cfg.sbomDir, "sbom-dir", "", "where the SPDX SBOMs go (default: OUT/sbom)")
		},
		Run: func(ctx context.Context, env *Env) ([]record.Record, error) { return surfaceRun(ctx, env, *cfg) },
	}
}

func surfaceRun(ctx context.Context, env *Env, cfg surfaceConfig) ([]record.Record, error) {
	keys, err := images.ParseKeys(cfg.bases)
	if err != nil {
		return nil, err
	}
	var variants []SurfaceVariant
	for _, k := range keys {
		for _, v := range surfaceVariants {
			if v.Base == k {
				variants = append(variants, v)
			}
		}
	}
	sbomDir := cfg.sbomDir
	if sbomDir == "" && env.Out != nil {
		sbomDir = filepath.Join(filepath.Dir(env.Out.Path()), "sbom")
	}
	if sbomDir == "" {
		env.Logf("surface: no --out and no --sbom-dir: SBOMs are not written (records say so)")
	}
	scanner := surfaceFindScanner()
	if scanner.Path == "" {
		env.Logf("surface: no CVE counts: %s", scanner.Why)
	} else {
		env.Logf("surface: CVE counts from %s (%s, database %s)", scanner.Name, scanner.Path, scanner.DB)
	}

	out := make([]record.Record, len(variants))
	errs := make([]error, len(variants))
	// Each cell streams an image's whole file system out of the engine; two at
	// a time keeps the two cores busy without queueing exports behind gzip.
	inParallel(len(variants), 2, func(i int) {
		v := variants[i]
		out[i], errs[i] = surfaceCell(ctx, env, v, scanner, sbomDir)
		if errs[i] != nil {
			errs[i] = fmt.Errorf("%s: %w", v.Base, errs[i])
		}
		env.Logf("surface: %-18s %-9s %s", v.Base, out[i].Outcome, out[i].Detail)
		if err := env.Emit(out[i]); err != nil {
			errs[i] = errors.Join(errs[i], err)
		}
	})
	env.Logf("surface: table\n%s", SurfaceTable(out))
	return out, errors.Join(errs...)
}

func surfaceCell(ctx context.Context, env *Env, v SurfaceVariant, sc SurfaceScanner, sbomDir string) (record.Record, error) {
	r := record.Record{Lab: "surface", Variant: string(v.Base), Base: string(v.Base), Started: time.Now().UTC(), Tries: 1}
	fail := func(err error) (record.Record, error) {
		r.Failed = 1
		r.Outcome, r.Detail, r.Evidence = surfaceError, "could not inspect: "+err.Error(), err.Error()
		return r, err
	}
	im, err := env.Catalog.Ensure(ctx, v.Base)
	if err != nil {
		return fail(fmt.Errorf("ensure base: %w", err))
	}
	Stamp(&r, im)
	start := time.Now()
	fsys, err := rootfs.Read(ctx, env.Engine, im.Ref, rootfs.Options{Keep: surfaceKeep,
		Labels: map[string]string{engine.LabelLab: "surface"}})
	if err != nil {
		return fail(err)
	}
	info, err := sizeInspect(ctx, env.Engine, im.Ref)
	if err != nil {
		return fail(err)
	}
	f, err := surfaceRead(fsys)
	if err != nil {
		return fail(err)
	}
	f.User = info.User
	f.RootsUser = surfaceIsRoot(info.User)
	r.Timings([]float64{float64(time.Since(start).Microseconds()) / 1000})
	r.OK = 1

	r.Set("package_db", f.DB)
	r.Set("packages", len(f.Packages))
	r.Set("shells", surfaceNames(f.Shells))
	r.Set("package_manager", surfaceNames(f.Managers))
	r.Set("setuid", surfaceNonNil(f.Setuid))
	r.Set("setgid", surfaceNonNil(f.Setgid))
	r.Set("world_writable", surfaceNonNil(f.Writable))
	r.Set("world_writable_nonsticky", surfaceNonNil(f.Unsticky))
	r.Set("files", f.Files)
	r.Set("entries", f.Entries)
	r.Set("local_files", f.Local)
	removable := int64(0)
	for _, n := range f.Removable {
		removable += n
	}
	r.Set("removable_bytes", removable)
	r.Set("removable", surfaceNonNilMap(f.Removable))
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
		p, err := surfaceWriteSBOM(sbomDir, im, f, r.Started)
		if err != nil {
			return fail(err)
		}
		sbom = p
		r.Set("sbom", p)
	} else {
		r.Set("sbom", nil)
	}

	r.Outcome = surfaceClass(f)
	r.Detail = surfaceDetail(im, f, cves, sbom)
	r.Evidence = surfaceEvidence(f)
	return r, nil
}

// surfaceClass is the attack-surface class of what was read.
func surfaceClass(f SurfaceFacts) string {
	switch {
	case f.Entries == 0:
		return surfaceEmpty
	case len(f.Shells) == 0:
		return surfaceNoShell
	case len(f.Managers) == 0:
		return surfaceShell
	}
	return surfaceShellPM
}

func surfaceNames(fs []SurfaceProgram) []string {
	out := []string{}
	for _, f := range fs {
		out = append(out, f.Label())
	}
	return out
}

// surfaceIsRoot reads an image's User the way the engine does: empty means
// root; so do "0" and "root", with or without a group.
func surfaceIsRoot(user string) bool {
	u, _, _ := strings.Cut(user, ":")
	return u == "" || u == "0" || u == "root"
}

func surfaceNonNilMap(m map[string]int64) map[string]int64 {
	if m == nil {
		return map[string]int64{}
	}
	return m
}

func surfaceNonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// surfaceDetail is the line a person reads.
func surfaceDetail(im images.Image, f SurfaceFacts, cves SurfaceScan, sbom string) string {
	var b strings.Builder
	b.WriteString(sizeWhat(im) + ": ")
	if f.DB == surfaceDBNone {
		b.WriteString("no package database")
	} else {
		fmt.Fprintf(&b, "%d packages (%s)", len(f.Packages), f.DB)
	}
	fmt.Fprintf(&b, ", %d files", f.Files)
	if f.Local > 0 {
		fmt.Fprintf(&b, " (%d under /usr/local, in no package database)", f.Local)
	}
	if len(f.Removable) > 0 {
		kinds := make([]string, 0, len(f.Removable))
		for k := range f.Removable {
			kinds = append(kinds, k)
		}
		sort.Strings(kinds)
		var parts []string
		for _, k := range kinds {
			parts = append(parts, k+" "+sizeMB(f.Removable[k]))
		}
		b.WriteString("; removable: " + strings.Join(parts, ", "))
	}
	shells := "no shell"
	if len(f.Shells) > 0 {
		shells = "shells " + strings.Join(surfaceNames(f.Shells), ", ")
	}
	pms := "no package manager"
	if len(f.Managers) > 0 {
		pms = "package managers " + strings.Join(surfaceNames(f.Managers), ", ")
	}
	fmt.Fprintf(&b, "; %s; %s; %d setuid, %d setgid; %d world-writable (%d without the sticky bit)",
		shells, pms, len(f.Setuid), len(f.Setgid), len(f.Writable), len(f.Unsticky))
	user := "root (User unset)"
	if f.User != "" {
		user = f.User
		if f.RootsUser {
			user += " (root)"
		}
	}
	b.WriteString("; runs as " + user)
	if cves.Count != nil {
		fmt.Fprintf(&b, "; %d CVEs (%s)", *cves.Count, cves.Scanner)
	} else {
		b.WriteString("; CVEs not counted: " + cves.Why)
	}
	if sbom != "" {
		b.WriteString("; SBOM " + sbom)
	} else {
		b.WriteString("; no SBOM written (no output folder)")
	}
	return b.String()
}

// surfaceEvidence lists where each fact was read.
func surfaceEvidence(f SurfaceFacts) string {
	var parts []string
	for _, s := range f.Shells {
		parts = append(parts, s.Path+" -> "+s.Target)
	}
	for _, m := range f.Managers {
		parts = append(parts, m.Path+" -> "+m.Target)
	}
	if len(f.Setuid) > 0 {
		parts = append(parts, "setuid "+strings.Join(f.Setuid, " "))
	}
	if len(f.Writable) > 0 {
		parts = append(parts, "o+w "+strings.Join(f.Writable, " "))
	}
	if len(parts) == 0 {
		return "image export holds none of the shells, package managers, setuid files or world-writable paths looked for"
	}
	return strings.Join(parts, "; ")
}

// SurfaceTable renders surface records as the markdown table of the lab's
// README.
func SurfaceTable(rs []record.Record) string {
	var b strings.Builder
	b.WriteString("| base | stands in for | class | packages (db) | files | removable | shells | package managers | setuid / setgid | world-writable (no sticky) | user | CVEs |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range rs {
		if r.Outcome == surfaceError {
			continue
		}
		user := "root (unset)"
		if u, _ := r.Get("user"); u != nil && u != "" {
			user = fmt.Sprint(u)
		}
		cves := "not counted"
		if c, ok := r.Get("cves"); ok && c != nil {
			cves = fmt.Sprint(c)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %d (%v) | %d | %s | %s | %s | %d / %d | %d (%d) | %s | %s |\n",
			r.Base, sizeStandinFor(r), r.Outcome, SizeInt(r, "packages"), r.Extra["package_db"], SizeInt(r, "files"),
			sizeMB(SizeInt(r, "removable_bytes")),
			surfaceList(r, "shells"), surfaceList(r, "package_manager"),
			surfaceLen(r, "setuid"), surfaceLen(r, "setgid"), surfaceLen(r, "world_writable"),
			surfaceLen(r, "world_writable_nonsticky"), user, cves)
	}
	return b.String()
}

// surfaceStrings reads a list field, set here ([]string) or read back ([]any).
func surfaceStrings(r record.Record, k string) []string {
	switch v := r.Extra[k].(type) {
	case []string:
		return v
	case []any:
		out := make([]string, 0, len(v))
		for _, x := range v {
			out = append(out, fmt.Sprint(x))
		}
		return out
	}
	return nil
}

func surfaceLen(r record.Record, k string) int { return len(surfaceStrings(r, k)) }

func surfaceList(r record.Record, k string) string {
	l := surfaceStrings(r, k)
	if len(l) == 0 {
		return "—"
	}
	return strings.Join(slices.Clone(l), ", ")
}
