package labs

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

// SurfaceInspectTar reads the facts from an image file system exported as a
// tar stream (`docker export`); User is left for the caller, who has the
// image config.
func SurfaceInspectTar(r io.Reader) (SurfaceFacts, error) {
	t, err := rootfs.ReadTar(r, rootfs.Options{Keep: surfaceKeep})
	if err != nil {
		return SurfaceFacts{}, fmt.Errorf("read file system: %w", err)
	}
	return surfaceRead(t)
}

// surfaceRead gathers the facts from an image's file system.
func surfaceRead(fsys *rootfs.FS) (SurfaceFacts, error) {
	var f SurfaceFacts
	pkgs, db, err := surfacePackages(fsys)
	if err != nil {
		return f, err
	}
	f.Packages, f.DB = pkgs, db
	if b, ok := fsys.Content("/etc/os-release"); ok {
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
func surfacePackages(fsys *rootfs.FS) ([]SurfacePackage, string, error) {
	var pkgs []SurfacePackage
	var dbs []string
	if b, ok := fsys.Content("/var/lib/dpkg/status"); ok {
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
		b, ok := fsys.Content(p)
		if !ok {
			return nil, "", fmt.Errorf("read %s: not kept", p)
		}
		pkgs = append(pkgs, surfaceParseDpkg(b, surfaceDBStatusD)...)
	}
	if len(statusD) > 0 {
		dbs = append(dbs, surfaceDBStatusD)
	}
	for _, p := range []string{"/lib/apk/db/installed", "/usr/lib/apk/db/installed"} {
		if b, ok := fsys.Content(p); ok {
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
func surfaceFind(fsys *rootfs.FS, names map[string]string) []SurfaceProgram {
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
			e, ok := fsys.Resolve(p)
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
