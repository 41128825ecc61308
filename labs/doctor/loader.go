package doctor

import (
	"path"
	"strings"

	"github.com/baselab/baselab/harness/elf"
)

// The loaders' rules, from their sources:
//
//   - glibc 2.36 elf/dl-load.c (_dl_map_object): DT_RPATH (when there is no
//     DT_RUNPATH), LD_LIBRARY_PATH, DT_RUNPATH, /etc/ld.so.cache (what ldconfig
//     built from /etc/ld.so.conf when it last ran), then the system directories; Debian
//     adds its multiarch directories to them. $ORIGIN is the object's folder.
//   - musl 1.2.3 ldso/dynlink.c (load_library): LD_LIBRARY_PATH, DT_RPATH /
//     DT_RUNPATH, then /etc/ld-musl-<arch>.path (lines or colons) or, when
//     there is none, "/lib:/usr/local/lib:/usr/lib". A name of a library musl
//     itself provides (libc, libpthread, librt, libm, libdl, libutil, libxnet
//     — "reserved" in load_library) binds to musl, whatever its version
//     suffix: a glibc object's libc.so.6 loads, and fails later, by symbol.

const (
	libcGlibc = "glibc"
	libcMusl  = "musl"
)

var glibcSystemDirs = []string{"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib",
	"/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu"}

var muslDefaultPath = []string{"/lib", "/usr/local/lib", "/usr/lib"}

// muslReserved are the library stems musl's loader answers with itself.
var muslReserved = []string{"c", "pthread", "rt", "m", "dl", "util", "xnet"}

// glibcFamily are the libraries glibc's own symbols come from.
func glibcFamily(lib string) bool {
	for _, p := range []string{"libc.so", "libm.so", "libpthread.so", "libdl.so", "librt.so", "libutil.so", "ld-linux"} {
		if strings.HasPrefix(lib, p) {
			return true
		}
	}
	return false
}

// muslProvides reports whether musl's loader binds lib to itself.
func muslProvides(lib string) bool {
	if strings.HasPrefix(lib, "ld-musl-") {
		return true
	}
	for _, r := range muslReserved {
		if lib == "lib"+r+".so" || strings.HasPrefix(lib, "lib"+r+".so.") {
			return true
		}
	}
	return false
}

// loaderOf says whose rules load f: its own interpreter's for a program, the
// image's C library's for a shared object.
func (im *Image) loaderOf(f elf.File, imageLibc string) string {
	switch {
	case strings.Contains(f.Interp, "ld-musl"):
		return libcMusl
	case f.Interp != "":
		return libcGlibc
	}
	return imageLibc
}

// libc says which C library the image carries, and the file its symbols
// are read from.
func (im *Image) libc() (name, file string) {
	for _, e := range im.FS.Files {
		if d, b := path.Split(e.Path); d == "/lib/" && strings.HasPrefix(b, "ld-musl-") {
			if r, ok := im.FS.Resolve(e.Path); ok {
				return libcMusl, r.Path
			}
		}
	}
	for _, d := range glibcSystemDirs {
		if r, ok := im.FS.Resolve(d + "/libc.so.6"); ok {
			return libcGlibc, r.Path
		}
	}
	return "", ""
}

// searchDirs are the folders the loader tries for obj's needed libraries.
func (im *Image) searchDirs(objPath string, f elf.File, loader string) []string {
	var dirs []string
	for _, d := range f.RunPath {
		dirs = append(dirs, strings.NewReplacer("$ORIGIN", path.Dir(objPath), "${ORIGIN}", path.Dir(objPath)).Replace(d))
	}
	if v, ok := im.env("LD_LIBRARY_PATH"); ok {
		dirs = append(dirs, strings.Split(v, ":")...)
	}
	switch loader {
	case libcMusl:
		for _, e := range im.FS.Files {
			if strings.HasPrefix(e.Path, "/etc/ld-musl-") && strings.HasSuffix(e.Path, ".path") {
				if s, ok := im.text(e.Path); ok {
					return append(dirs, strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == ':' })...)
				}
			}
		}
		return append(dirs, muslDefaultPath...)
	default:
		return append(dirs, glibcSystemDirs...)
	}
}

// ldCache reads the paths /etc/ld.so.cache lists. glibc consults the cache,
// never ld.so.conf, at run time: a library copied into /usr/local/lib
// without `ldconfig` is not found, although ld.so.conf names the folder.
// The cache's string table holds each library's full path; every
// NUL-terminated string in it that starts with "/" is one (the same in the
// old "ld.so-1.7.0" and the new "glibc-ld.so.cache1.1" format).
func (im *Image) ldCache() map[string]string {
	b, ok := im.FS.Content("/etc/ld.so.cache")
	if !ok {
		return nil
	}
	out := map[string]string{}
	for _, s := range strings.Split(string(b), "\x00") {
		if strings.HasPrefix(s, "/") && !strings.ContainsAny(s, " \n") {
			if _, dup := out[path.Base(s)]; !dup {
				out[path.Base(s)] = s
			}
		}
	}
	return out
}

// findLib returns the path lib is opened at for obj, as the loader names
// it in its messages, and the file that path resolves to; "" when none.
func (im *Image) findLib(lib, objPath string, f elf.File, loader string) (shown, file string) {
	try := func(p string) bool {
		if r, ok := im.FS.Resolve(p); ok && r.Mode.IsRegular() {
			shown, file = p, r.Path
			return true
		}
		return false
	}
	if strings.Contains(lib, "/") {
		try(lib)
		return shown, file
	}
	dirs := im.searchDirs(objPath, f, loader)
	sys := len(dirs) - len(glibcSystemDirs)
	for i, d := range dirs {
		if loader == libcGlibc && i == sys && im.cache != nil {
			if p, ok := im.cache[lib]; ok && try(p) {
				return shown, file
			}
		}
		if try(path.Join(d, lib)) {
			return shown, file
		}
	}
	return "", ""
}
