package surface

// What the surface lab reads from one image's file system: the package
// database it carries, its shells and package managers (through every
// symlink), mode bits, file counts and removable bytes.

import (
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/baselab/baselab/harness/rootfs"
)

// Facts is what the lab reads from one image.
type Facts struct {
	DB       string
	Packages []Package
	OS       OSRelease
	Shells   []Program
	Managers []Program
	Setuid   []string
	Setgid   []string
	Writable []string // world-writable, symlinks excluded
	Unsticky []string // ... of which without the sticky bit
	Files    int      // regular files
	Entries  int      // every entry: files, folders, links
	Local    int      // regular files under /usr/local: no package manager owns them
	// Removable is bytes a running image does not need, by kind (see
	// removableKind): what explains most of a stand-in's extra size.
	Removable map[string]int64
	User      string
	RootsUser bool
}

// keep are the files whose contents the lab reads.
func keep(p string) bool {
	switch p {
	case "/var/lib/dpkg/status", "/lib/apk/db/installed", "/usr/lib/apk/db/installed",
		"/etc/os-release", "/usr/lib/os-release":
		return true
	}
	return strings.HasPrefix(p, "/var/lib/dpkg/status.d/")
}

// InspectTar reads the facts from an image file system exported as a
// tar stream (`docker export`); User is left for the caller, who has the
// image config.
func InspectTar(r io.Reader) (Facts, error) {
	t, err := rootfs.ReadTar(r, rootfs.Options{Keep: keep})
	if err != nil {
		return Facts{}, fmt.Errorf("read file system: %w", err)
	}
	return read(t)
}

// read gathers the facts from an image's file system.
func read(fsys *rootfs.FS) (Facts, error) {
	var f Facts
	pkgs, db, err := readPackages(fsys)
	if err != nil {
		return f, err
	}
	f.Packages, f.DB = pkgs, db
	if b, ok := fsys.Content("/etc/os-release"); ok {
		f.OS = parseOSRelease(b)
	}
	f.Shells = find(fsys, shellNames)
	f.Managers = find(fsys, managerNames)
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
			if kind := removableKind(e.Path); kind != "" {
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

// removableKind says which kind of removable file p is, or "": package
// managers' download caches and lists (apt-get clean and docker-library's
// recipes delete them), static libraries (needed to link, never to run), and
// CPython's bytecode caches (rebuilt on import; docker-library's python
// images delete them).
func removableKind(p string) string {
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

// readPackages reads whichever package database the image carries.
func readPackages(fsys *rootfs.FS) ([]Package, string, error) {
	var pkgs []Package
	var dbs []string
	if b, ok := fsys.Content("/var/lib/dpkg/status"); ok {
		pkgs = append(pkgs, parseDpkg(b, DBDpkg)...)
		dbs = append(dbs, DBDpkg)
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
		b, ok := fsys.Content(p)
		if !ok {
			return nil, "", fmt.Errorf("read %s: not kept", p)
		}
		pkgs = append(pkgs, parseDpkg(b, DBStatusD)...)
	}
	if len(statusD) > 0 {
		dbs = append(dbs, DBStatusD)
	}
	for _, p := range []string{"/lib/apk/db/installed", "/usr/lib/apk/db/installed"} {
		if b, ok := fsys.Content(p); ok {
			pkgs = append(pkgs, parseApk(b)...)
			dbs = append(dbs, DBApk)
			break
		}
	}
	if len(dbs) == 0 {
		return nil, DBNone, nil
	}
	sort.Slice(pkgs, func(i, j int) bool { return pkgs[i].Name < pkgs[j].Name })
	return pkgs, strings.Join(dbs, "+"), nil
}

// binDirs are where shells and package managers are looked for.
var binDirs = []string{"/bin", "/sbin", "/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin"}

// shellNames maps a file name to the shell it is.
var shellNames = map[string]string{
	"sh": "sh", "bash": "bash", "dash": "dash", "ash": "ash", "zsh": "zsh", "ksh": "ksh", "mksh": "mksh", "busybox": "busybox",
}

// managerNames maps a file name to the package manager it is.
var managerNames = map[string]string{
	"apt": "apt", "apt-get": "apt", "dpkg": "dpkg", "apk": "apk", "rpm": "rpm", "dnf": "dnf", "yum": "yum",
	"microdnf": "microdnf", "pip": "pip", "pip3": "pip", "pip3.11": "pip", "pip3.12": "pip", "pip3.13": "pip",
}

// Program is a program found: what it is and where it resolves to.
type Program struct {
	Name, Path, Target string
	// Applet is true when the target is busybox but the name is not.
	Applet bool
}

// Label names the program, marking busybox applets: Debian's busybox has a
// dpkg and an rpm applet, which install packages too.
func (s Program) Label() string {
	if s.Applet {
		return s.Name + " (busybox applet)"
	}
	return s.Name
}

// find looks for the named programs in the bin folders. A program
// counts when its path resolves to an executable regular file.
func find(fsys *rootfs.FS, names map[string]string) []Program {
	seen := map[string]bool{}
	var out []Program
	files := make([]string, 0, len(names))
	for n := range names {
		files = append(files, n)
	}
	sort.Strings(files)
	for _, dir := range binDirs {
		for _, file := range files {
			p := dir + "/" + file
			e, ok := fsys.Resolve(p)
			if !ok || !e.Mode.IsRegular() || e.Mode.Perm()&0o111 == 0 {
				continue
			}
			s := Program{Name: names[file], Path: p, Target: e.Path}
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

// Package is one installed package, as its database lists it.
type Package struct {
	Name, Version, Arch string
	// Source is the source package ("glibc (2.36-9+deb12u4)"), if named.
	Source string
	// Supplier is the maintainer line ("Name <address>").
	Supplier string
	// License is an SPDX expression when the database has one (apk's L:).
	License string
	DB      string
}

// paragraphs splits a deb822 or apk database into paragraphs of
// "key: value" (or apk's "K:value") lines; a continuation line (leading
// space or tab) belongs to the line before it.
func paragraphs(b []byte) [][]string {
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

// parseDpkg reads dpkg's status file or a distroless status.d entry.
// A package counts when dpkg says it is installed; a status.d entry written
// from a .deb's control file has no Status line and counts as installed.
func parseDpkg(b []byte, db string) []Package {
	var out []Package
	for _, para := range paragraphs(b) {
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
		out = append(out, Package{Name: fields["package"], Version: fields["version"], Arch: fields["architecture"],
			Source: fields["source"], Supplier: fields["maintainer"], DB: db})
	}
	return out
}

// parseApk reads apk's installed database (P: name, V: version,
// A: arch, o: origin, m: maintainer, L: license).
func parseApk(b []byte) []Package {
	var out []Package
	for _, para := range paragraphs(b) {
		p := Package{DB: DBApk}
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

// OSRelease is what /etc/os-release says the image is.
type OSRelease struct {
	ID, VersionID, PrettyName string
}

func parseOSRelease(b []byte) OSRelease {
	var o OSRelease
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

// Keep reports whether Read needs p's contents: pass it (or it with others)
// as rootfs.Options.Keep.
func Keep(p string) bool { return keep(p) }

// Read gathers the facts from a file system read with Keep; User is left
// for the caller, who has the image config. `baselab compare` sets the
// surface of two images side by side with it.
func Read(fsys *rootfs.FS) (Facts, error) { return read(fsys) }
