package doctor

import (
	delf "debug/elf"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/baselab/baselab/harness/elf"
)

// Check names, as the README lists them.
const (
	CheckLoader      = "missing-loader"
	CheckLibrary     = "missing-library"
	CheckSymbol      = "missing-symbol"
	CheckSemantics   = "same-name-other-meaning"
	CheckPython      = "python-tag"
	CheckCA          = "ca-bundle"
	CheckZone        = "time-zones"
	CheckUser        = "user"
	CheckInterpreter = "interpreter"
	CheckDNS         = "dns-config"
)

// otherMeaning are the symbols a glibc-built object binds by name to a musl
// function with other semantics. Each is cited in the README.
var otherMeaning = map[string]struct {
	face, sev, why, source string
}{
	"strerror_r": {FaceSegfault, string(SevError),
		"glibc-built code calls GNU strerror_r, which returns the message as char *; musl's strerror_r is the XSI one, returning int 0, which the caller uses as a pointer",
		"glibc 2.36 string/string.h (char *strerror_r under __USE_GNU; the XSI one is __xpg_strerror_r); musl 1.2.3 src/string/strerror_r.c (int strerror_r, weak_alias to __xpg_strerror_r)"},
	"basename": {FaceOtherResult, string(SevWarning),
		"glibc-built code calls GNU basename (string.h, never modifies its argument, \"\" for \"/usr/\"); musl's basename is POSIX's (libgen.h: strips trailing slashes in place, \"usr\" for \"/usr/\", \".\" for \"\")",
		"glibc 2.36 string/basename.c (GNU basename; POSIX's is __xpg_basename); musl 1.2.3 src/misc/basename.c (weak_alias(basename, __xpg_basename))"},
}

// isProgram: a file the kernel would exec (not a library that merely has
// an interpreter, as glibc's libc.so.6 does).
func isProgram(im *Image, p string, f elf.File) bool {
	e, _ := im.FS.Stat(p)
	return e.Mode.Perm()&0o111 != 0 && !strings.Contains(path.Base(p), ".so")
}

// isExtension: a Python extension module, loaded by import.
func isExtension(p string) bool {
	return strings.HasSuffix(p, ".so") && (strings.Contains(p, "/site-packages/") || strings.Contains(p, "/dist-packages/") ||
		strings.Contains(p, "/lib-dynload/") || strings.Contains(p, "/python3"))
}

func (im *Image) checkELF(imageLibc, libcFile string, skip map[string]bool) []Finding {
	var out []Finding
	paths := make([]string, 0, len(im.ELF))
	for p := range im.ELF {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	libcExports := im.ELF[libcFile].Exports
	for _, p := range paths {
		f := im.ELF[p]
		if f.Type != delf.ET_EXEC && f.Type != delf.ET_DYN || skip[p] {
			continue
		}
		prog := isProgram(im, p, f)
		if f.Interp != "" && prog && !im.FS.Exists(f.Interp) {
			out = append(out, Finding{Check: CheckLoader, Severity: SevError, Face: FaceExecNotFound,
				Text: "exec " + p + ": no such file or directory", File: p,
				Evidence: fmt.Sprintf("PT_INTERP %s is not in the image", f.Interp), Lab: "wheel",
				Source: "execve(2) returns ENOENT when the ELF interpreter is missing; runc reports it as exec <path>: <errno>"})
			continue // exec fails before any library is looked for
		}
		if len(f.Needed) == 0 && len(f.Imports) == 0 {
			continue
		}
		loader := im.loaderOf(f, imageLibc)
		sev, ext := SevWarning, isExtension(p)
		if prog || ext {
			sev = SevError // a shared object nobody loads breaks nothing; these are loaded
		}
		wrap := func(face, text string) (string, string) {
			if ext {
				return FaceImportError, "ImportError: " + text
			}
			return face, text
		}
		found, shown, missing := map[string]string{}, map[string]string{}, false
		for _, lib := range f.Needed {
			if loader == libcMusl && muslProvides(lib) {
				found[lib] = libcFile
				continue
			}
			if shownAt, got := im.findLib(lib, p, f, loader); got != "" {
				found[lib], shown[lib] = got, shownAt
				continue
			}
			text := p + ": error while loading shared libraries: " + lib + ": cannot open shared object file: No such file or directory"
			if loader == libcMusl {
				text = "Error loading shared library " + lib + ": No such file or directory (needed by " + p + ")"
			}
			missing = true
			face, text := wrap(FaceLibraryNotFound, text)
			out = append(out, Finding{Check: CheckLibrary, Severity: sev, Face: face, Text: text, File: p,
				Evidence: fmt.Sprintf("DT_NEEDED %s in none of %s", lib, strings.Join(im.searchDirs(p, f, loader), ":")),
				Lab:      labFor(ext), Source: "glibc elf/dl-load.c; musl ldso/dynlink.c"})
		}
		if missing {
			continue // both loaders stop at the first library they cannot open, before any symbol
		}
		switch loader {
		case libcGlibc:
			out = append(out, im.checkVersions(p, f, found, shown, sev, wrap, ext)...)
		case libcMusl:
			if libcExports == nil {
				continue
			}
			glibcBuilt := f.Requires["libc.so.6"] != nil
			for _, s := range f.Imports {
				if !glibcFamily(s.Library) && !(s.Library == "" && prog) {
					continue // bound from the program that loads it (Python's C API) or another library
				}
				if _, ok := libcExports[s.Name]; ok {
					if om, bad := otherMeaning[s.Name]; bad && glibcBuilt {
						out = append(out, Finding{Check: CheckSemantics, Severity: Severity(om.sev), Face: om.face,
							Text: "may crash: " + s.String() + " binds to musl's " + s.Name, File: p,
							Evidence: om.why, Lab: "wheel", Source: om.source})
					}
					continue
				}
				if s.Library == "" && im.exportedByNeeded(s.Name, found, libcFile) {
					continue
				}
				face, text := wrap(FaceSymbolNotFound, "Error relocating "+p+": "+s.Name+": symbol not found")
				out = append(out, Finding{Check: CheckSymbol, Severity: sev, Face: face, Text: text, File: p,
					Evidence: fmt.Sprintf("imports %s; musl's %s does not export %s", s, libcFile, s.Name),
					Lab:      "wheel", Source: "musl ldso/dynlink.c do_relocs: \"Error relocating %s: %s: symbol not found\""})
			}
		}
	}
	return out
}

// checkVersions holds a glibc object's SHT_GNU_verneed to what the libraries
// found define: elf/dl-version.c refuses the object at load otherwise.
func (im *Image) checkVersions(p string, f elf.File, found, shown map[string]string, sev Severity,
	wrap func(string, string) (string, string), ext bool) []Finding {
	var out []Finding
	libs := make([]string, 0, len(f.Requires))
	for lib := range f.Requires {
		libs = append(libs, lib)
	}
	sort.Strings(libs)
	for _, lib := range libs {
		got, ok := found[lib]
		dep, parsed := im.ELF[got]
		if !ok || !parsed {
			continue // missing already reported, or not read
		}
		defined := map[string]bool{}
		for _, v := range dep.Defines {
			defined[v] = true
		}
		if len(defined) == 0 {
			continue // an unversioned library satisfies any need (dl-version.c only warns)
		}
		for _, v := range f.Requires[lib] {
			if defined[v] {
				continue
			}
			face, text := wrap(FaceVersionNotFound, fmt.Sprintf("%s: %s: version `%s' not found (required by %s)", p, shown[lib], v, p))
			out = append(out, Finding{Check: CheckSymbol, Severity: sev, Face: face, Text: text, File: p,
				Evidence: fmt.Sprintf("needs %s from %s; it defines up to %s", v, lib, newest(dep.Defines, v)),
				Lab:      labFor(ext), Source: "glibc elf/dl-version.c match_symbol: \"version `%s' not found (required by %s)\""})
		}
	}
	return out
}

func (im *Image) exportedByNeeded(name string, found map[string]string, libcFile string) bool {
	for _, got := range found {
		if got == libcFile {
			continue
		}
		if _, ok := im.ELF[got].Exports[name]; ok {
			return true
		}
	}
	return false
}

// newest is the last of defines in the family of want ("GLIBC_2.36" for
// "GLIBC_2.38"), for the evidence line.
func newest(defines []string, want string) string {
	fam, _, _ := strings.Cut(want, "_")
	best := ""
	for _, d := range defines {
		if strings.HasPrefix(d, fam+"_") && (best == "" || versionLess(best, d)) {
			best = d
		}
	}
	if best == "" {
		return "none of " + fam
	}
	return best
}

func versionLess(a, b string) bool {
	pa, pb := strings.Split(a[strings.Index(a, "_")+1:], "."), strings.Split(b[strings.Index(b, "_")+1:], ".")
	for i := 0; i < len(pa) && i < len(pb); i++ {
		var x, y int
		fmt.Sscan(pa[i], &x)
		fmt.Sscan(pb[i], &y)
		if x != y {
			return x < y
		}
	}
	return len(pa) < len(pb)
}

func labFor(ext bool) string {
	if ext {
		return "wheel"
	}
	return ""
}
