package labs

// The surface lab is the course's exercise 3 ("security scan comparison"),
// measured from the images themselves: what each base installs (from the
// package database it carries), whether it has a shell and a package
// manager, setuid/setgid files, world-writable paths, how many files, and
// which user it runs as. CVE counts come from trivy or grype when one is
// installed with a local database, and are null (with the reason) otherwise.
// An SPDX SBOM per image is written next to the results.

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/baselab/baselab/harness/engine"
	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/harness/record"
	"github.com/baselab/baselab/harness/rootfs"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
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
// carries an apk database and busybox, whose Debian build has a dpkg applet
// (real Alpine's shell+pm comes from apk-tools instead); distroless carries
// status.d and no shell; scratch carries nothing.
var surfaceVariants = []SurfaceVariant{
	{Base: images.Slim, Expect: surfaceShellPM, DB: surfaceDBDpkg},
	{Base: images.Full, Expect: surfaceShellPM, DB: surfaceDBDpkg},
	{Base: images.Alpine, Expect: surfaceShellPM, DB: surfaceDBApk},
	{Base: images.DistrolessStatic, Expect: surfaceNoShell, DB: surfaceDBStatusD},
	{Base: images.DistrolessBase, Expect: surfaceNoShell, DB: surfaceDBStatusD},
	{Base: images.Scratch, Expect: surfaceEmpty, DB: surfaceDBNone},
	{Base: images.PythonSlim, Expect: surfaceShellPM, DB: surfaceDBDpkg},
	{Base: images.PythonAlpine, Expect: surfaceShellPM, DB: surfaceDBApk},
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
	sem := make(chan struct{}, 2)
	var wg sync.WaitGroup
	for i, v := range variants {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			out[i], errs[i] = surfaceCell(ctx, env, v, scanner, sbomDir)
			if errs[i] != nil {
				errs[i] = fmt.Errorf("%s: %w", v.Base, errs[i])
			}
			env.Logf("surface: %-18s %-9s %s", v.Base, out[i].Outcome, out[i].Detail)
			if err := env.Emit(out[i]); err != nil {
				errs[i] = errors.Join(errs[i], err)
			}
		}()
	}
	wg.Wait()
	env.Logf("surface: table\n%s", SurfaceTable(out))
	return out, errors.Join(errs...)
}

// SurfaceFacts is what the lab reads from one image.
type SurfaceFacts struct {
	DB       string
	Packages []SurfacePackage
	OS       SurfaceOSRelease
	Shells   []SurfaceProgram
	Managers []SurfaceProgram
	Setuid   []string
	Setgid   []string
	Writable []string // world-writable, symlinks excluded
	Unsticky []string // ... of which without the sticky bit
	Files    int      // regular files
	Entries  int      // every entry: files, folders, links
	Local    int      // regular files under /usr/local: no package manager owns them
	// Removable is bytes a running image does not need, by kind (see
	// surfaceRemovable): what explains most of a stand-in's extra size.
	Removable map[string]int64
	User      string
	RootsUser bool
}

// surfaceKeep are the files whose contents the lab reads.
func surfaceKeep(p string) bool {
	switch p {
	case "/var/lib/dpkg/status", "/lib/apk/db/installed", "/usr/lib/apk/db/installed",
		"/etc/os-release", "/usr/lib/os-release":
		return true
	}
	return strings.HasPrefix(p, "/var/lib/dpkg/status.d/")
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
	fsys, err := surfaceExport(ctx, env.Engine, im.Ref, surfaceKeep)
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

// SurfaceInspectTar reads the facts from an image file system exported as a
// tar stream (`docker export`); User is left for the caller, who has the
// image config.
func SurfaceInspectTar(r io.Reader) (SurfaceFacts, error) {
	t, err := surfaceReadTar(r, surfaceKeep)
	if err != nil {
		return SurfaceFacts{}, fmt.Errorf("read file system: %w", err)
	}
	return surfaceRead(t)
}

// surfaceRead gathers the facts from an image's file system.
func surfaceRead(fsys *surfaceTree) (SurfaceFacts, error) {
	var f SurfaceFacts
	pkgs, db, err := surfacePackages(fsys)
	if err != nil {
		return f, err
	}
	f.Packages, f.DB = pkgs, db
	if b, ok := surfaceContent(fsys, "/etc/os-release"); ok {
		f.OS = surfaceParseOSRelease(b)
	}
	f.Shells = surfaceFind(fsys, surfaceShellNames)
	f.Managers = surfaceFind(fsys, surfaceManagerNames)
	for _, e := range fsys.ImageFiles() {
		// The engine mounts a fresh tmpfs on /dev in every container, so the
		// device nodes debootstrap leaves there (/dev/null, /dev/zero ...,
		// world-writable by design) are never reachable in one.
		if strings.HasPrefix(e.Path, "/dev/") {
			continue
		}
		f.Entries++
		if e.Mode.IsRegular() {
			f.Files++
			if strings.HasPrefix(e.Path, "/usr/local/") {
				f.Local++
			}
			if kind := surfaceRemovable(e.Path); kind != "" {
				if f.Removable == nil {
					f.Removable = map[string]int64{}
				}
				f.Removable[kind] += e.Size
			}
			if e.Mode&fs.ModeSetuid != 0 {
				f.Setuid = append(f.Setuid, e.Path)
			}
			if e.Mode&fs.ModeSetgid != 0 {
				f.Setgid = append(f.Setgid, e.Path)
			}
		}
		// A symlink's mode is always 0777 and grants nothing by itself.
		if e.Mode&fs.ModeSymlink == 0 && e.Mode.Perm()&0o002 != 0 {
			f.Writable = append(f.Writable, e.Path)
			if e.Mode&fs.ModeSticky == 0 {
				f.Unsticky = append(f.Unsticky, e.Path)
			}
		}
	}
	for _, l := range [][]string{f.Setuid, f.Setgid, f.Writable, f.Unsticky} {
		sort.Strings(l)
	}
	return f, nil
}

// surfaceRemovable says which kind of removable file p is, or "": package
// managers' download caches and lists (apt-get clean and docker-library's
// recipes delete them), static libraries (needed to link, never to run), and
// CPython's bytecode caches (rebuilt on import; docker-library's python
// images delete them).
func surfaceRemovable(p string) string {
	switch {
	case strings.HasPrefix(p, "/var/cache/apt/"):
		return "apt-cache"
	case strings.HasPrefix(p, "/var/lib/apt/lists/"):
		return "apt-lists"
	case strings.HasPrefix(p, "/var/cache/apk/"):
		return "apk-cache"
	case strings.HasPrefix(p, "/root/.cache/pip/"):
		return "pip-cache"
	case strings.HasSuffix(p, ".pyc"):
		return "pycache"
	case strings.HasSuffix(p, ".a") && strings.Contains(p, "/lib"):
		return "static-libs"
	}
	return ""
}

// surfacePackages reads whichever package database the image carries.
func surfacePackages(fsys *surfaceTree) ([]SurfacePackage, string, error) {
	var pkgs []SurfacePackage
	var dbs []string
	if b, ok := surfaceContent(fsys, "/var/lib/dpkg/status"); ok {
		pkgs = append(pkgs, surfaceParseDpkg(b, surfaceDBDpkg)...)
		dbs = append(dbs, surfaceDBDpkg)
	}
	var statusD []string
	for _, e := range fsys.Files {
		if dir, name := path.Split(e.Path); dir == "/var/lib/dpkg/status.d/" && e.Mode.IsRegular() &&
			!strings.Contains(name, ".") { // skip <pkg>.md5sums and the like
			statusD = append(statusD, e.Path)
		}
	}
	sort.Strings(statusD)
	for _, p := range statusD {
		b, ok := surfaceContent(fsys, p)
		if !ok {
			return nil, "", fmt.Errorf("read %s: not kept", p)
		}
		pkgs = append(pkgs, surfaceParseDpkg(b, surfaceDBStatusD)...)
	}
	if len(statusD) > 0 {
		dbs = append(dbs, surfaceDBStatusD)
	}
	for _, p := range []string{"/lib/apk/db/installed", "/usr/lib/apk/db/installed"} {
		if b, ok := surfaceContent(fsys, p); ok {
			pkgs = append(pkgs, surfaceParseApk(b)...)
			dbs = append(dbs, surfaceDBApk)
			break
		}
	}
	if len(dbs) == 0 {
		return nil, surfaceDBNone, nil
	}
	sort.Slice(pkgs, func(i, j int) bool { return pkgs[i].Name < pkgs[j].Name })
	return pkgs, strings.Join(dbs, "+"), nil
}

// surfaceContent reads a kept file, following symlinks anywhere in its path.
func surfaceContent(fsys *surfaceTree, p string) ([]byte, bool) {
	e, ok := surfaceResolve(fsys, p)
	if !ok {
		return nil, false
	}
	return fsys.Content(e.Path)
}

// surfaceResolve follows symlinks in every component of p, not only the last:
// on merged-/usr Debian (bookworm) /bin is a link to usr/bin, so /bin/sh is
// stored as /usr/bin/sh and rootfs.FS.Resolve("/bin/sh") finds nothing.
func surfaceResolve(fsys *surfaceTree, p string) (rootfs.File, bool) {
	hops := 0
	rest := strings.Split(strings.Trim(path.Clean("/"+p), "/"), "/")
	cur := "/"
	for len(rest) > 0 {
		next := path.Join(cur, rest[0])
		rest = rest[1:]
		e, ok := fsys.Stat(next)
		if !ok {
			return rootfs.File{}, false
		}
		if e.Mode&fs.ModeSymlink == 0 {
			cur = next
			if len(rest) == 0 {
				return e, true
			}
			continue
		}
		if hops++; hops > 32 {
			return rootfs.File{}, false
		}
		target := e.Linkname
		if !strings.HasPrefix(target, "/") {
			target = path.Join(cur, target)
		}
		rest = append(strings.Split(strings.Trim(path.Clean(target), "/"), "/"), rest...)
		if rest[0] == "" { // a link to "/"
			rest = rest[1:]
		}
		cur = "/"
	}
	e, ok := fsys.Stat(cur)
	return e, ok
}

// surfaceBinDirs are where shells and package managers are looked for.
var surfaceBinDirs = []string{"/bin", "/sbin", "/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin"}

// surfaceShellNames maps a file name to the shell it is.
var surfaceShellNames = map[string]string{
	"sh": "sh", "bash": "bash", "dash": "dash", "ash": "ash", "zsh": "zsh", "ksh": "ksh", "mksh": "mksh", "busybox": "busybox",
}

// surfaceManagerNames maps a file name to the package manager it is.
var surfaceManagerNames = map[string]string{
	"apt": "apt", "apt-get": "apt", "dpkg": "dpkg", "apk": "apk", "rpm": "rpm", "dnf": "dnf", "yum": "yum",
	"microdnf": "microdnf", "pip": "pip", "pip3": "pip", "pip3.11": "pip", "pip3.12": "pip", "pip3.13": "pip",
}

// SurfaceProgram is a program found: what it is and where it resolves to.
type SurfaceProgram struct {
	Name, Path, Target string
	// Applet is true when the target is busybox but the name is not.
	Applet bool
}

// Label names the program, marking busybox applets: Debian's busybox has a
// dpkg and an rpm applet, which install packages too.
func (s SurfaceProgram) Label() string {
	if s.Applet {
		return s.Name + " (busybox applet)"
	}
	return s.Name
}

// surfaceFind looks for the named programs in the bin folders. A program
// counts when its path resolves to an executable regular file.
func surfaceFind(fsys *surfaceTree, names map[string]string) []SurfaceProgram {
	seen := map[string]bool{}
	var out []SurfaceProgram
	files := make([]string, 0, len(names))
	for n := range names {
		files = append(files, n)
	}
	sort.Strings(files)
	for _, dir := range surfaceBinDirs {
		for _, file := range files {
			p := dir + "/" + file
			e, ok := surfaceResolve(fsys, p)
			if !ok || !e.Mode.IsRegular() || e.Mode.Perm()&0o111 == 0 {
				continue
			}
			s := SurfaceProgram{Name: names[file], Path: p, Target: e.Path}
			s.Applet = path.Base(e.Path) == "busybox" && s.Name != "busybox"
			if seen[s.Label()] {
				continue
			}
			seen[s.Label()] = true
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Label() < out[j].Label() })
	return out
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

// SurfacePackage is one installed package, as its database lists it.
type SurfacePackage struct {
	Name, Version, Arch string
	// Source is the source package ("glibc (2.36-9+deb12u4)"), if named.
	Source string
	// Supplier is the maintainer line ("Name <address>").
	Supplier string
	// License is an SPDX expression when the database has one (apk's L:).
	License string
	DB      string
}

// surfaceParagraphs splits a deb822 or apk database into paragraphs of
// "key: value" (or apk's "K:value") lines; a continuation line (leading
// space or tab) belongs to the line before it.
func surfaceParagraphs(b []byte) [][]string {
	var out [][]string
	var cur []string
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimRight(line, "\r")
		switch {
		case strings.TrimSpace(line) == "":
			if len(cur) > 0 {
				out = append(out, cur)
				cur = nil
			}
		case (line[0] == ' ' || line[0] == '\t') && len(cur) > 0:
			cur[len(cur)-1] += "\n" + strings.TrimSpace(line)
		default:
			cur = append(cur, line)
		}
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// surfaceParseDpkg reads dpkg's status file or a distroless status.d entry.
// A package counts when dpkg says it is installed; a status.d entry written
// from a .deb's control file has no Status line and counts as installed.
func surfaceParseDpkg(b []byte, db string) []SurfacePackage {
	var out []SurfacePackage
	for _, para := range surfaceParagraphs(b) {
		fields := map[string]string{}
		for _, l := range para {
			k, v, ok := strings.Cut(l, ":")
			if !ok {
				continue
			}
			fields[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
		}
		if fields["package"] == "" {
			continue
		}
		if st, ok := fields["status"]; ok {
			words := strings.Fields(st)
			if len(words) == 0 || words[len(words)-1] != "installed" {
				continue // config-files, half-installed, not-installed ...
			}
		}
		out = append(out, SurfacePackage{Name: fields["package"], Version: fields["version"], Arch: fields["architecture"],
			Source: fields["source"], Supplier: fields["maintainer"], DB: db})
	}
	return out
}

// surfaceParseApk reads apk's installed database (P: name, V: version,
// A: arch, o: origin, m: maintainer, L: license).
func surfaceParseApk(b []byte) []SurfacePackage {
	var out []SurfacePackage
	for _, para := range surfaceParagraphs(b) {
		p := SurfacePackage{DB: surfaceDBApk}
		for _, l := range para {
			if len(l) < 2 || l[1] != ':' {
				continue
			}
			v := l[2:]
			switch l[0] {
			case 'P':
				p.Name = v
			case 'V':
				p.Version = v
			case 'A':
				p.Arch = v
			case 'o':
				p.Source = v
			case 'm':
				p.Supplier = v
			case 'L':
				p.License = v
			}
		}
		if p.Name != "" {
			out = append(out, p)
		}
	}
	return out
}

// SurfaceOSRelease is what /etc/os-release says the image is.
type SurfaceOSRelease struct {
	ID, VersionID, PrettyName string
}

func surfaceParseOSRelease(b []byte) SurfaceOSRelease {
	var o SurfaceOSRelease
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), "=")
		if !ok {
			continue
		}
		v = strings.Trim(v, `"'`)
		switch k {
		case "ID":
			o.ID = v
		case "VERSION_ID":
			o.VersionID = v
		case "PRETTY_NAME":
			o.PrettyName = v
		}
	}
	return o
}

// SurfaceScanner is a CVE scanner found on this machine with a local
// database, or the reason there is none.
type SurfaceScanner struct {
	Name, Path, DB string
	// Why says why there is no scanner; empty when there is one.
	Why string
}

// SurfaceScan is one image's CVE count, or why there is none.
type SurfaceScan struct {
	Count      *int
	BySeverity map[string]int
	// Scanner names what counted ("trivy /usr/bin/trivy"), or "none".
	Scanner string
	Why     string
}

// surfaceFindScanner looks for trivy, then grype, each with a database
// already on disk: baselab never downloads one (no registry, and a count from
// a database fetched mid-run would not be reproducible).
func surfaceFindScanner() SurfaceScanner {
	return SurfaceFindScanner(exec.LookPath, os.Getenv, surfaceGlob)
}

func surfaceGlob(pattern string) []string {
	m, _ := filepath.Glob(pattern)
	return m
}

// SurfaceFindScanner is surfaceFindScanner with its lookups passed in, so
// that each branch can be tested on a machine that has neither tool.
func SurfaceFindScanner(lookPath func(string) (string, error), getenv func(string) string, glob func(string) []string) SurfaceScanner {
	cache := getenv("XDG_CACHE_HOME")
	if cache == "" {
		if home := getenv("HOME"); home != "" {
			cache = filepath.Join(home, ".cache")
		}
	}
	var why []string
	if p, err := lookPath("trivy"); err == nil {
		dir := getenv("TRIVY_CACHE_DIR")
		if dir == "" {
			dir = filepath.Join(cache, "trivy")
		}
		if db := glob(filepath.Join(dir, "db", "trivy.db")); len(db) > 0 {
			return SurfaceScanner{Name: "trivy", Path: p, DB: db[0]}
		}
		why = append(why, fmt.Sprintf("trivy is at %s but has no database at %s", p, filepath.Join(dir, "db", "trivy.db")))
	}
	if p, err := lookPath("grype"); err == nil {
		dir := getenv("GRYPE_DB_CACHE_DIR")
		if dir == "" {
			dir = filepath.Join(cache, "grype", "db")
		}
		if db := glob(filepath.Join(dir, "*", "vulnerability.db")); len(db) > 0 {
			return SurfaceScanner{Name: "grype", Path: p, DB: db[len(db)-1]}
		}
		why = append(why, fmt.Sprintf("grype is at %s but has no database under %s", p, dir))
	}
	if len(why) == 0 {
		return SurfaceScanner{Why: "neither trivy nor grype is on PATH, and baselab does not guess a count"}
	}
	return SurfaceScanner{Why: strings.Join(why, "; ") + " (baselab never downloads a vulnerability database)"}
}

// Scan counts ref's CVEs, or says why it did not.
func (s SurfaceScanner) Scan(ctx context.Context, ref string) SurfaceScan {
	if s.Path == "" {
		return SurfaceScan{Scanner: "none", Why: s.Why}
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	var cmd *exec.Cmd
	switch s.Name {
	case "trivy":
		cmd = exec.CommandContext(ctx, s.Path, "image", "--skip-db-update", "--skip-java-db-update", "--offline-scan",
			"--scanners", "vuln", "--format", "json", "--quiet", "--cache-dir", filepath.Dir(filepath.Dir(s.DB)), ref)
	case "grype":
		cmd = exec.CommandContext(ctx, s.Path, "docker:"+ref, "-o", "json", "-q")
		cmd.Env = append(os.Environ(), "GRYPE_DB_AUTO_UPDATE=false", "GRYPE_CHECK_FOR_APP_UPDATE=false",
			"GRYPE_DB_CACHE_DIR="+filepath.Dir(filepath.Dir(s.DB)))
	default:
		return SurfaceScan{Scanner: "none", Why: "unknown scanner " + s.Name}
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	label := s.Name + " " + s.Path
	if err := cmd.Run(); err != nil {
		return SurfaceScan{Scanner: label, Why: fmt.Sprintf("%s failed: %v: %s", s.Name, err, strings.TrimSpace(surfaceTail(stderr.String(), 400)))}
	}
	n, sev, err := SurfaceCountCVEs(s.Name, stdout.Bytes())
	if err != nil {
		return SurfaceScan{Scanner: label, Why: fmt.Sprintf("read %s output: %v", s.Name, err)}
	}
	return SurfaceScan{Count: &n, BySeverity: sev, Scanner: label}
}

func surfaceTail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// SurfaceCountCVEs counts the findings in a scanner's JSON output ("trivy"
// or "grype"), in total and by severity (upper case).
func SurfaceCountCVEs(tool string, out []byte) (int, map[string]int, error) {
	switch tool {
	case "trivy":
		return surfaceParseTrivy(out)
	case "grype":
		return surfaceParseGrype(out)
	}
	return 0, nil, fmt.Errorf("unknown scanner %q", tool)
}

// surfaceParseTrivy counts the findings of `trivy image --format json`: one
// per (package, vulnerability), the number trivy's own table totals.
func surfaceParseTrivy(b []byte) (int, map[string]int, error) {
	var doc struct {
		Results []struct {
			Vulnerabilities []struct {
				VulnerabilityID string
				Severity        string
			}
		}
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return 0, nil, err
	}
	n, sev := 0, map[string]int{}
	for _, r := range doc.Results {
		for _, v := range r.Vulnerabilities {
			n++
			sev[strings.ToUpper(v.Severity)]++
		}
	}
	return n, sev, nil
}

// surfaceParseGrype counts the matches of `grype -o json`.
func surfaceParseGrype(b []byte) (int, map[string]int, error) {
	var doc struct {
		Matches []struct {
			Vulnerability struct {
				ID       string `json:"id"`
				Severity string `json:"severity"`
			} `json:"vulnerability"`
		} `json:"matches"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return 0, nil, err
	}
	sev := map[string]int{}
	for _, m := range doc.Matches {
		sev[strings.ToUpper(m.Vulnerability.Severity)]++
	}
	return len(doc.Matches), sev, nil
}

// SPDX 2.3 JSON, the fields baselab writes. Field names follow the SPDX
// 2.3 JSON schema.
type surfaceSPDXDoc struct {
	SPDXVersion       string                `json:"spdxVersion"`
	DataLicense       string                `json:"dataLicense"`
	SPDXID            string                `json:"SPDXID"`
	Name              string                `json:"name"`
	DocumentNamespace string                `json:"documentNamespace"`
	CreationInfo      surfaceSPDXCreation   `json:"creationInfo"`
	Comment           string                `json:"comment,omitempty"`
	DocumentDescribes []string              `json:"documentDescribes"`
	Packages          []surfaceSPDXPackage  `json:"packages"`
	Relationships     []surfaceSPDXRelation `json:"relationships"`
}

type surfaceSPDXCreation struct {
	Created  string   `json:"created"`
	Creators []string `json:"creators"`
	Comment  string   `json:"comment,omitempty"`
}

type surfaceSPDXPackage struct {
	Name                  string              `json:"name"`
	SPDXID                string              `json:"SPDXID"`
	VersionInfo           string              `json:"versionInfo,omitempty"`
	Supplier              string              `json:"supplier,omitempty"`
	DownloadLocation      string              `json:"downloadLocation"`
	FilesAnalyzed         bool                `json:"filesAnalyzed"`
	SourceInfo            string              `json:"sourceInfo,omitempty"`
	LicenseConcluded      string              `json:"licenseConcluded"`
	LicenseDeclared       string              `json:"licenseDeclared"`
	CopyrightText         string              `json:"copyrightText"`
	PrimaryPackagePurpose string              `json:"primaryPackagePurpose,omitempty"`
	Comment               string              `json:"comment,omitempty"`
	ExternalRefs          []surfaceSPDXExtRef `json:"externalRefs,omitempty"`
}

type surfaceSPDXExtRef struct {
	ReferenceCategory string `json:"referenceCategory"`
	ReferenceType     string `json:"referenceType"`
	ReferenceLocator  string `json:"referenceLocator"`
}

type surfaceSPDXRelation struct {
	Element string `json:"spdxElementId"`
	Type    string `json:"relationshipType"`
	Related string `json:"relatedSpdxElement"`
}

// surfaceSPDX describes an image and the packages its databases list. Files
// that no database owns (CPython under /usr/local on python-alpine, a copied
// binary on scratch) are not in it — as in any SBOM built this way — and the
// document's comment says how many there are.
func surfaceSPDX(im images.Image, f SurfaceFacts, created time.Time) surfaceSPDXDoc {
	const noassert = "NOASSERTION"
	repo, _, _ := strings.Cut(im.Ref, ":")
	imageID := "SPDXRef-Image"
	what := "the image " + im.Ref
	if im.Standin && im.StandinFor != "" {
		what = fmt.Sprintf("%s, baselab's offline stand-in for %s built from Debian packages (libc %s)", im.Ref, im.StandinFor, im.Libc)
	}
	comment := fmt.Sprintf("Packages of %s, read from its package database (%s).", what, f.DB)
	if f.Local > 0 {
		comment += fmt.Sprintf(" %d regular files under /usr/local belong to no package database and are not listed.", f.Local)
	}
	doc := surfaceSPDXDoc{
		SPDXVersion: "SPDX-2.3", DataLicense: "CC0-1.0", SPDXID: "SPDXRef-DOCUMENT",
		Name:              im.Ref,
		DocumentNamespace: "https://example.org/baselab/spdx/" + url.PathEscape(string(im.Key)) + "/" + strings.TrimPrefix(im.ID, "sha256:"),
		CreationInfo: surfaceSPDXCreation{Created: created.UTC().Format("2006-01-02T15:04:05Z"),
			Creators: []string{"Tool: baselab-surface"}},
		Comment:           comment,
		DocumentDescribes: []string{imageID},
		Packages: []surfaceSPDXPackage{{Name: repo, SPDXID: imageID, VersionInfo: im.ID, DownloadLocation: noassert,
			LicenseConcluded: noassert, LicenseDeclared: noassert, CopyrightText: noassert,
			PrimaryPackagePurpose: "CONTAINER", Comment: what}},
		Relationships: []surfaceSPDXRelation{{Element: "SPDXRef-DOCUMENT", Type: "DESCRIBES", Related: imageID}},
	}
	for i, p := range f.Packages {
		id := fmt.Sprintf("SPDXRef-Package-%s-%s-%d", surfaceSPDXSafe(p.DB), surfaceSPDXSafe(p.Name), i+1)
		sp := surfaceSPDXPackage{Name: p.Name, SPDXID: id, VersionInfo: p.Version, Supplier: surfaceSupplier(p.Supplier),
			DownloadLocation: noassert, LicenseConcluded: noassert, LicenseDeclared: noassert, CopyrightText: noassert,
			PrimaryPackagePurpose: "LIBRARY", Comment: "listed in the image's " + p.DB + " database"}
		if p.License != "" {
			sp.LicenseDeclared = p.License
		}
		if p.Source != "" {
			sp.SourceInfo = "built from source package " + p.Source
		}
		if purl := surfacePurl(p, f.OS); purl != "" {
			sp.ExternalRefs = []surfaceSPDXExtRef{{ReferenceCategory: "PACKAGE-MANAGER", ReferenceType: "purl", ReferenceLocator: purl}}
		}
		doc.Packages = append(doc.Packages, sp)
		doc.Relationships = append(doc.Relationships, surfaceSPDXRelation{Element: imageID, Type: "CONTAINS", Related: id})
	}
	return doc
}

// surfaceSPDXSafe keeps an SPDX identifier within [A-Za-z0-9.-].
func surfaceSPDXSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' {
			return r
		}
		return '-'
	}, s)
}

// surfaceSupplier turns "Name <address>" into SPDX's "Organization: Name (address)".
func surfaceSupplier(m string) string {
	if m == "" {
		return "NOASSERTION"
	}
	m = strings.NewReplacer("<", "(", ">", ")").Replace(m)
	return "Organization: " + strings.TrimSpace(m)
}

// surfacePurl is a package URL: pkg:deb/<os-id>/<name>@<version>?arch=...&distro=...
// or pkg:apk/<os-id>/... The namespace is the image's own os-release ID, so
// the alpine stand-in's Debian-built musl is not passed off as Alpine's.
func surfacePurl(p SurfacePackage, osr SurfaceOSRelease) string {
	typ := "deb"
	if p.DB == surfaceDBApk {
		typ = "apk"
	}
	ns := osr.ID
	if ns == "" {
		return ""
	}
	esc := func(s string) string { return strings.ReplaceAll(url.PathEscape(s), "+", "%2B") }
	s := fmt.Sprintf("pkg:%s/%s/%s", typ, esc(ns), esc(p.Name))
	if p.Version != "" {
		s += "@" + esc(p.Version)
	}
	var q []string
	if p.Arch != "" {
		q = append(q, "arch="+url.QueryEscape(p.Arch))
	}
	if osr.VersionID != "" {
		q = append(q, "distro="+url.QueryEscape(ns+"-"+osr.VersionID))
	}
	if len(q) > 0 {
		s += "?" + strings.Join(q, "&")
	}
	return s
}

// surfaceWriteSBOM writes <dir>/<key>.spdx.json.
func surfaceWriteSBOM(dir string, im images.Image, f SurfaceFacts, created time.Time) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("create SBOM folder: %w", err)
	}
	b, err := SurfaceSBOM(im, f, created)
	if err != nil {
		return "", err
	}
	p := filepath.Join(dir, string(im.Key)+".spdx.json")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		return "", fmt.Errorf("write SBOM: %w", err)
	}
	return p, nil
}

// surfaceTree is an image's file system as an export lists it, with the
// contents of the files kept.
type surfaceTree struct {
	Files  []rootfs.File
	byPath map[string]int
	data   map[string][]byte
}

// surfaceEngineInjected are the paths the engine adds to every container
// (mount points, resolv.conf/hosts/hostname placeholders): not the image's.
var surfaceEngineInjected = map[string]bool{
	"/.dockerenv": true, "/dev": true, "/proc": true, "/sys": true, "/etc": true,
	"/etc/hosts": true, "/etc/hostname": true, "/etc/resolv.conf": true, "/etc/mtab": true,
	"/dev/console": true, "/dev/pts": true, "/dev/shm": true,
}

// surfaceExport reads ref's file system through a created, never started
// container, keeping the contents of the files keep names. It does what
// harness/rootfs.Read means to do: that one sets both Image and Config.Image
// on create, which moby client v0.6 refuses ("either Image or config.Image
// should be set").
func surfaceExport(ctx context.Context, eng *engine.Engine, ref string, keep func(string) bool) (*surfaceTree, error) {
	cr, err := eng.API.ContainerCreate(ctx, client.ContainerCreateOptions{
		Config: &container.Config{Image: ref, Cmd: []string{"/baselab-never-runs"},
			Labels: eng.Labels(map[string]string{engine.LabelLab: "surface"})},
	})
	if err != nil {
		return nil, fmt.Errorf("create container from %s: %w", ref, err)
	}
	defer func() {
		_, _ = eng.API.ContainerRemove(context.WithoutCancel(ctx), cr.ID, client.ContainerRemoveOptions{Force: true})
	}()
	rc, err := eng.API.ContainerExport(ctx, cr.ID, client.ContainerExportOptions{})
	if err != nil {
		return nil, fmt.Errorf("export %s: %w", ref, err)
	}
	defer rc.Close()
	t, err := surfaceReadTar(rc, keep)
	if err != nil {
		return nil, fmt.Errorf("read export of %s: %w", ref, err)
	}
	return t, nil
}

func surfaceReadTar(r io.Reader, keep func(string) bool) (*surfaceTree, error) {
	t := &surfaceTree{byPath: map[string]int{}, data: map[string][]byte{}}
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return t, nil
		}
		if err != nil {
			return nil, err
		}
		p := path.Clean("/" + h.Name)
		if p == "/" {
			continue
		}
		t.byPath[p] = len(t.Files)
		t.Files = append(t.Files, rootfs.File{Path: p, Mode: h.FileInfo().Mode(), Size: h.Size, UID: h.Uid, GID: h.Gid, Linkname: h.Linkname})
		if keep != nil && h.Typeflag == tar.TypeReg && keep(p) {
			b, err := io.ReadAll(tr)
			if err != nil {
				return nil, fmt.Errorf("read %s: %w", p, err)
			}
			t.data[p] = b
		}
	}
}

// Stat returns the entry stored at p (no links followed).
func (t *surfaceTree) Stat(p string) (rootfs.File, bool) {
	i, ok := t.byPath[p]
	if !ok {
		return rootfs.File{}, false
	}
	return t.Files[i], true
}

// Content returns a kept file's bytes, stored at p (no links followed).
func (t *surfaceTree) Content(p string) ([]byte, bool) {
	b, ok := t.data[p]
	return b, ok
}

// ImageFiles are the entries the image holds, without what the engine adds.
func (t *surfaceTree) ImageFiles() []rootfs.File {
	out := make([]rootfs.File, 0, len(t.Files))
	for _, e := range t.Files {
		if !surfaceEngineInjected[e.Path] {
			out = append(out, e)
		}
	}
	return out
}

// SurfaceSBOM is the SPDX 2.3 JSON document of an image's packages.
func SurfaceSBOM(im images.Image, f SurfaceFacts, created time.Time) ([]byte, error) {
	b, err := json.MarshalIndent(surfaceSPDX(im, f, created), "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode SBOM of %s: %w", im.Key, err)
	}
	return append(b, '\n'), nil
}
