package doctor

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Diagnose runs every check on im.
func Diagnose(im *Image) *Report {
	libc, libcFile := im.libc()
	r := &Report{Image: im.Ref, ID: im.ID, Libc: libc, Files: len(im.FS.Files), ELF: len(im.ELF)}
	py, skip := im.checkPython()
	r.Findings = append(r.Findings, py...)
	r.Findings = append(r.Findings, im.checkELF(libc, libcFile, skip)...)
	r.Findings = append(r.Findings, im.checkCA()...)
	r.Findings = append(r.Findings, im.checkZones()...)
	r.Findings = append(r.Findings, im.checkUser()...)
	r.Findings = append(r.Findings, im.checkInterpreters()...)
	r.Findings = append(r.Findings, im.checkDNS(libc, libcFile)...)
	sortFindings(r.Findings)
	if r.Findings == nil {
		r.Findings = []Finding{}
	}
	return r
}

var (
	pythonName = regexp.MustCompile(`^python3\.(\d+)$`)
	extTag     = regexp.MustCompile(`\.(cpython-\d+[a-z]*-[^.]+)\.so$`)
)

// interpreter is one CPython in the image and the file tag it loads.
type interpreter struct {
	path, soabi, libc string
}

// checkPython holds extension modules to the interpreters that would import
// them. CPython loads "<mod>" + one of ".<SOABI>.so", ".abi3.so", ".so"
// (Python/dynload_shlib.c _PyImport_DynLoadFiletab), SOABI being
// cpython-3XY-<arch>-linux-gnu or -linux-musl (configure.ac's PLATFORM_TRIPLET);
// a file with another tag is not a candidate at all. It returns the modules
// no interpreter would ever load, which the ELF checks then skip.
func (im *Image) checkPython() ([]Finding, map[string]bool) {
	var pys []interpreter
	for p, f := range im.ELF {
		m := pythonName.FindStringSubmatch(path.Base(p))
		if m == nil || !isProgram(im, p, f) {
			continue
		}
		libc := "gnu"
		if strings.Contains(f.Interp, "ld-musl") {
			libc = "musl"
		}
		pys = append(pys, interpreter{path: p, libc: libc, soabi: "cpython-3" + m[1] + "-x86_64-linux-" + libc})
	}
	sort.Slice(pys, func(i, j int) bool { return pys[i].path < pys[j].path })
	skip := map[string]bool{}
	if len(pys) == 0 {
		return nil, skip
	}
	var out []Finding
	accepts := func(tag string) bool {
		for _, py := range pys {
			if py.soabi == tag {
				return true
			}
		}
		return false
	}
	var soabis []string
	for _, py := range pys {
		soabis = append(soabis, py.soabi)
	}
	paths := make([]string, 0, len(im.ELF))
	for p := range im.ELF {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		m := extTag.FindStringSubmatch(path.Base(p))
		if m == nil || accepts(m[1]) {
			continue
		}
		skip[p] = true
		stem := strings.TrimSuffix(path.Base(p), m[0])
		if im.hasLoadable(path.Dir(p), stem, soabis) {
			continue // another build of the same module is there and will be imported
		}
		out = append(out, Finding{Check: CheckPython, Severity: SevError, Face: FaceModuleNotFound,
			Text: "ModuleNotFoundError: No module named '" + moduleName(p, stem) + "'", File: p,
			Evidence: fmt.Sprintf("file tag %s; the image's CPython loads only .%s.so, .abi3.so and .so", m[1], strings.Join(soabis, ".so, .")),
			Lab:      "wheel", Source: "CPython Python/dynload_shlib.c _PyImport_DynLoadFiletab"})
	}
	// pip on musl accepts musllinux tags only, on glibc manylinux ones
	// (packaging.tags): a manylinux wheel on a musl CPython was forced in
	// (--platform, --target) or copied from a glibc stage.
	for _, e := range im.FS.Files {
		if !strings.HasSuffix(e.Path, ".dist-info/WHEEL") {
			continue
		}
		s, _ := im.text(e.Path)
		for _, line := range strings.Split(s, "\n") {
			tag, ok := strings.CutPrefix(strings.TrimSpace(line), "Tag: ")
			if !ok {
				continue
			}
			for _, py := range pys {
				wrong := py.libc == "musl" && (strings.Contains(tag, "manylinux") || strings.Contains(tag, "linux_x86_64")) ||
					py.libc == "gnu" && strings.Contains(tag, "musllinux")
				if wrong {
					out = append(out, Finding{Check: CheckPython, Severity: SevWarning, Face: FaceImportError,
						Text: "ImportError (or a crash) when its extension modules load", File: e.Path,
						Evidence: fmt.Sprintf("wheel tag %s on %s (%s): pip would not have chosen it", tag, py.path, py.soabi),
						Lab:      "wheel", Source: "pypa/packaging tags.py: _manylinux and _musllinux platform tags"})
				}
			}
		}
	}
	return out, skip
}

func (im *Image) hasLoadable(dir, stem string, soabis []string) bool {
	for _, suf := range append(soabis, "abi3", "") {
		name := stem + ".so"
		if suf != "" {
			name = stem + "." + suf + ".so"
		}
		if im.FS.Exists(path.Join(dir, name)) {
			return true
		}
	}
	return false
}

// moduleName is the dotted module path below site-packages.
func moduleName(p, stem string) string {
	dir := path.Dir(p)
	for _, root := range []string{"/site-packages/", "/dist-packages/", "/lib-dynload/"} {
		if i := strings.LastIndex(dir+"/", root); i >= 0 {
			rel := strings.Trim(dir[min(len(dir), i+len(root)):], "/")
			if rel == "" {
				return stem
			}
			return strings.ReplaceAll(rel, "/", ".") + "." + stem
		}
	}
	return stem
}

// caPaths are the bundles and folders Go's crypto/x509 reads on Linux
// (root_linux.go certFiles, certDirectories); OpenSSL's default is one of them.
var caPaths = []string{"/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/ca-bundle.pem",
	"/etc/pki/tls/cacert.pem", "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", "/etc/ssl/cert.pem"}
var caDirs = []string{"/etc/ssl/certs", "/etc/pki/tls/certs"}

func (im *Image) hasCA() bool {
	for _, k := range []string{"SSL_CERT_FILE", "SSL_CERT_DIR"} {
		if v, ok := im.env(k); ok && im.FS.Exists(v) {
			return true
		}
	}
	for _, p := range caPaths {
		if e, ok := im.FS.Resolve(p); ok && e.Size > 0 {
			return true
		}
	}
	for _, d := range caDirs {
		for _, e := range im.FS.Files {
			if path.Dir(e.Path) == d && (strings.HasSuffix(e.Path, ".pem") || strings.HasSuffix(e.Path, ".crt") || strings.HasSuffix(e.Path, ".0")) {
				return true
			}
		}
	}
	return false
}

func (im *Image) checkCA() []Finding {
	if im.hasCA() {
		return nil
	}
	var out []Finding
	for _, p := range sortedKeys(im.ELF) {
		tls, text, why := false, "", ""
		if g, ok := im.Go[p]; ok && g.TLS {
			tls, text, why = true, "x509: certificate signed by unknown authority", "a Go program linking crypto/tls"
		}
		for _, lib := range im.ELF[p].Needed {
			if strings.HasPrefix(lib, "libssl.so") {
				tls, text, why = true, "certificate verify failed: unable to get local issuer certificate", "needs "+lib
			}
		}
		if tls {
			out = append(out, Finding{Check: CheckCA, Severity: SevWarning, Face: FaceX509, Text: text, File: p,
				Evidence: why + "; no CA bundle in " + strings.Join(caPaths, ", ") + " or " + strings.Join(caDirs, ", "),
				Lab:      "scratch", Source: "Go crypto/x509 root_linux.go (an empty pool is not an error: the handshake fails)"})
		}
	}
	return out
}

func (im *Image) hasZoneinfo() bool {
	dir := "/usr/share/zoneinfo"
	if v, ok := im.env("ZONEINFO"); ok {
		dir = v
	}
	return im.FS.Exists(dir+"/UTC") || im.FS.Exists(dir+"/Etc/UTC") || im.FS.Exists(dir+"/Europe/Berlin")
}

func (im *Image) checkZones() []Finding {
	if im.hasZoneinfo() {
		return nil
	}
	var out []Finding
	if tz, ok := im.env("TZ"); ok && tz != "" && tz != "UTC" && !strings.ContainsAny(tz, "0123456789") {
		out = append(out, Finding{Check: CheckZone, Severity: SevWarning, Face: FaceUnknownZone,
			Text:     "unknown time zone " + strings.TrimPrefix(tz, ":") + " (C programs fall back to UTC without a word)",
			Evidence: "Env TZ=" + tz + "; no /usr/share/zoneinfo", Lab: "scratch",
			Source: "Go time/zoneinfo_read.go; glibc time/tzset.c falls back to UTC"})
	}
	for _, p := range sortedKeys(im.Go) {
		g := im.Go[p]
		if g.LoadLocation && !g.TZData {
			out = append(out, Finding{Check: CheckZone, Severity: SevWarning, Face: FaceUnknownZone,
				Text: "unknown time zone <name>", File: p,
				Evidence: "a Go program calling time.LoadLocation, built without time/tzdata; no /usr/share/zoneinfo", Lab: "scratch",
				Source: "Go time/zoneinfo_read.go: errors.New(\"unknown time zone \" + name)"})
		}
	}
	return out
}

// checkUser reads User as the engine does (moby/sys/user GetExecUser): a
// name must be in /etc/passwd or the container does not start; a number
// needs nothing, and without a passwd entry its group stays 0.
func (im *Image) checkUser() []Finding {
	u := im.Config.User
	if u == "" {
		return nil
	}
	name, group, hasGroup := strings.Cut(u, ":")
	passwd, _ := im.text("/etc/passwd")
	groups, _ := im.text("/etc/group")
	var out []Finding
	uid, err := strconv.Atoi(name)
	isName := err != nil
	entry := lookup(passwd, name, isName)
	switch {
	case isName && entry == nil:
		out = append(out, Finding{Check: CheckUser, Severity: SevError, Face: FaceUnknownUser,
			Text:     "unable to find user " + name + ": no matching entries in passwd file",
			Evidence: fmt.Sprintf("User %q; /etc/passwd %s", u, describeFile(passwd, im.FS.Exists("/etc/passwd"))), Lab: "scratch",
			Source: "moby/sys/user GetExecUser: \"unable to find user %s: %v\""})
	case !isName && entry == nil && !hasGroup:
		out = append(out, Finding{Check: CheckUser, Severity: SevWarning, Face: FaceGroupZero,
			Text:     fmt.Sprintf("runs as uid %d in group 0 (root's group), with no name", uid),
			Evidence: fmt.Sprintf("User %q has no /etc/passwd entry to give it a group", u), Lab: "scratch",
			Source: "moby/sys/user GetExecUser keeps the default gid 0"})
	}
	if hasGroup {
		if _, err := strconv.Atoi(group); err != nil && lookup(groups, group, true) == nil {
			out = append(out, Finding{Check: CheckUser, Severity: SevError, Face: FaceUnknownUser,
				Text:     "unable to find group " + group + ": no matching entries in group file",
				Evidence: fmt.Sprintf("User %q; /etc/group %s", u, describeFile(groups, im.FS.Exists("/etc/group"))), Lab: "scratch",
				Source: "moby/sys/user GetExecUser: \"unable to find group %s: %v\""})
		}
	}
	return out
}

func describeFile(content string, exists bool) string {
	if !exists {
		return "is not in the image"
	}
	return fmt.Sprintf("has %d entries, not this one", strings.Count(strings.TrimSpace(content), "\n")+1)
}

// lookup finds a passwd or group line by name (byName) or by number.
func lookup(content, key string, byName bool) []string {
	for _, line := range strings.Split(content, "\n") {
		f := strings.Split(line, ":")
		if len(f) < 3 {
			continue
		}
		if byName && f[0] == key || !byName && f[2] == key {
			return f
		}
	}
	return nil
}

// checkInterpreters: the program Entrypoint/Cmd names, and the #! line of
// every script it or the image's bin folders hold.
func (im *Image) checkInterpreters() []Finding {
	argv := append(append([]string{}, im.Config.Entrypoint...), im.Config.Cmd...)
	var out []Finding
	if len(argv) > 0 {
		prog := argv[0]
		resolved := im.which(prog)
		switch {
		case resolved == "" && strings.Contains(prog, "/"):
			out = append(out, Finding{Check: CheckInterpreter, Severity: SevError, Face: FaceExecNotFound,
				// runc stats the program before it execs it: the engine's start error.
				Text: "exec: \"" + prog + "\": stat " + prog + ": no such file or directory", Evidence: fmt.Sprintf("Entrypoint/Cmd %q: %s is not in the image", argv, prog),
				Source: "runc libcontainer: exec of the container's program (harness/run.ExecNotFound lists the wordings)"})
		case resolved == "":
			out = append(out, Finding{Check: CheckInterpreter, Severity: SevError, Face: FaceExecNotFound,
				Text:     "exec: \"" + prog + "\": executable file not found in $PATH",
				Evidence: fmt.Sprintf("Entrypoint/Cmd %q: %s in none of PATH=%s", argv, prog, im.path()),
				Source:   "runc libcontainer: exec.LookPath of the container's program"})
		default:
			if line, ok := im.Scripts[resolved]; ok {
				out = append(out, im.shebang(resolved, line, SevError)...)
			}
		}
	}
	for _, p := range sortedKeys(im.Scripts) {
		if d := path.Dir(p); d == "/bin" || d == "/usr/bin" || d == "/usr/local/bin" || d == "/sbin" || d == "/usr/sbin" {
			out = append(out, im.shebang(p, im.Scripts[p], SevWarning)...)
		}
	}
	return dedupe(out)
}

func (im *Image) shebang(p, line string, sev Severity) []Finding {
	interp := strings.Fields(line)
	if len(interp) == 0 || im.FS.Exists(interp[0]) {
		return nil
	}
	return []Finding{{Check: CheckInterpreter, Severity: sev, Face: FaceExecNotFound,
		Text: "exec " + p + ": no such file or directory", File: p,
		Evidence: "#!" + line + ": " + interp[0] + " is not in the image",
		Source:   "execve(2): ENOENT when a script's interpreter is missing"}}
}

func (im *Image) path() string {
	if v, ok := im.env("PATH"); ok {
		return v
	}
	return "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" // the engine's default
}

// which resolves a program as the runtime does: a name with a slash as is,
// otherwise along PATH.
func (im *Image) which(prog string) string {
	if strings.Contains(prog, "/") {
		if e, ok := im.FS.Resolve(prog); ok {
			return e.Path
		}
		return ""
	}
	for _, d := range strings.Split(im.path(), ":") {
		if e, ok := im.FS.Resolve(path.Join(d, prog)); ok && !e.Mode.IsDir() {
			return e.Path
		}
	}
	return ""
}

// checkDNS: musl reads nothing but /etc/resolv.conf and, in it, only
// ndots, attempts and timeout (musl 1.2.3 src/network/resolvconf.c); glibc
// also reads RES_OPTIONS (resolv/res_init.c). The image's own resolv.conf is
// not read: the engine replaces it in every container. A glibc older than
// 2.35 without /etc/nsswitch.conf asks DNS before /etc/hosts: the built-in
// hosts default is "dns [!UNAVAIL=return] files" (nss/hosts-lookup.c
// DEFAULT_CONFIG to 2.32; nss/nss_database.c nss_database_default_dns in
// 2.33 and 2.34 — RHEL 9's 2.34 included). 2.35 made it "files dns"
// (commit b99b0f93ee, bug 28700), the order Debian's file writes, so the
// missing file changes nothing there. 2.35 is also the first glibc whose
// libc.so.6 defines the GLIBC_2.35 version (__memcmpeq, epoll_pwait2).
func (im *Image) checkDNS(libc, libcFile string) []Finding {
	var out []Finding
	if v, ok := im.env("RES_OPTIONS"); ok && libc == libcMusl {
		out = append(out, Finding{Check: CheckDNS, Severity: SevWarning, Face: FaceDNSIgnored,
			Text: "RES_OPTIONS is ignored: musl reads only ndots, attempts and timeout, from /etc/resolv.conf", Evidence: "Env RES_OPTIONS=" + v,
			Lab: "dns", Source: "musl 1.2.3 src/network/resolvconf.c"})
	}
	if libc == libcGlibc && !im.FS.Exists("/etc/nsswitch.conf") && !slices.Contains(im.ELF[libcFile].Defines, "GLIBC_2.35") {
		out = append(out, Finding{Check: CheckDNS, Severity: SevWarning, Face: FaceDNSOrder,
			Text:     "lookups ask DNS before /etc/hosts",
			Evidence: "glibc older than 2.35 (" + libcFile + " defines up to " + newest(im.ELF[libcFile].Defines, "GLIBC_2.0") + ") without /etc/nsswitch.conf: the built-in default is hosts: dns [!UNAVAIL=return] files", Lab: "dns",
			Source: "glibc 2.34 nss/nss_database.c nss_database_default_dns (2.32 nss/hosts-lookup.c DEFAULT_CONFIG); files dns from 2.35, bug 28700"})
	}
	return out
}

func dedupe(fs []Finding) []Finding {
	seen := map[string]bool{}
	var out []Finding
	for _, f := range fs {
		k := f.Check + f.File + f.Text
		if !seen[k] {
			seen[k] = true
			out = append(out, f)
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
