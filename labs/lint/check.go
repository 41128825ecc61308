package lint

import (
	"fmt"
	"path"
	"regexp"
	"strings"
)

// checker runs the rules over a parsed file. The image judged is the final
// stage's: what its chain of stages (FROM stage FROM stage ...) put in it.
type checker struct {
	f        *file
	final    *stage
	opts     Options
	findings []Finding
	notes    []Note
}

func (c *checker) run() {
	c.checkTags()
	c.checkGlibcIntoMusl()
	c.checkBuildTools()
	c.checkNoLibc()
	c.checkScratchFiles()
	c.checkUser()
	c.checkDNS()
	c.checkPins()
}

// add records a finding; cites nil means the rule's own.
func (c *checker) add(id string, a at, st *stage, msg string, cites []Ref) {
	r, _ := RuleByID(id)
	if cites == nil {
		cites = r.Records
	}
	c.findings = append(c.findings, Finding{Rule: id, Severity: r.Severity, Line: a.line, EndLine: a.endLine,
		Stage: st.label(), Message: msg, Lab: r.Lab, Why: r.Why, Cites: cites, comments: a.comments})
}

// fromAt is a stage's FROM line, for findings about the whole stage.
func fromAt(s *stage) at { return at{line: s.line, endLine: s.endLine, comments: s.comments} }

// describe names a stage and its base for messages: "deps (python-slim, glibc)".
func describe(s *stage) string {
	base := s.base.Ref
	if s.base.Stage != "" {
		base = "FROM " + s.base.Stage
	}
	switch s.base.Libc {
	case NoLibc:
		base += ": no libc"
	case Unknown:
	default:
		base += ": " + string(s.base.Libc)
	}
	return fmt.Sprintf("%s (%s)", s.label(), base)
}

// surfaceCite is the surface lab's cell for a base: the catalog image it
// is, else the catalog base of its kind (alpine for a musl image, slim for
// a glibc one); nil (the rule's own) when nothing is known.
func surfaceCite(b Base) []Ref {
	k := string(b.Catalog)
	if k == "" {
		switch {
		case b.Kind == KindScratch:
			k = "scratch"
		case b.Kind == KindStatic:
			k = "distroless-static"
		case b.Kind == KindDistroless:
			k = "distroless-base"
		case b.Libc == Musl:
			k = "alpine"
		case b.Libc == Glibc:
			k = "slim"
		default:
			return nil
		}
	}
	return []Ref{{"surface", k}}
}

// checkTags: BL001, BL002 on every FROM that names a registry image.
func (c *checker) checkTags() {
	for _, s := range c.f.stages {
		b := s.base
		if !b.Pinnable || b.Ref == "" {
			continue
		}
		cite := surfaceCite(b)
		switch {
		case b.Tag == "" && b.Digest == "":
			c.add(UntaggedBase, fromAt(s), s, fmt.Sprintf("FROM %s has no tag: it is whatever was published last", b.Ref), nil)
		case b.Tag == "latest" && b.Digest == "":
			c.add(UntaggedBase, fromAt(s), s, fmt.Sprintf("FROM %s: :latest moves with every release", b.Ref), nil)
		case b.Digest == "":
			c.add(NoDigest, fromAt(s), s, fmt.Sprintf("FROM %s is not pinned by digest (@sha256:...)", b.Ref), cite)
		}
	}
}

// Data files run anywhere: only programs and libraries care about libc.
var dataExt = set(".crt", ".pem", ".conf", ".cfg", ".ini", ".json", ".yaml", ".yml", ".toml", ".xml", ".txt",
	".md", ".html", ".css", ".js", ".mjs", ".cjs", ".ts", ".py", ".rb", ".php", ".pl", ".sh", ".sql", ".jar",
	".war", ".properties", ".env", ".csv", ".svg", ".png", ".jpg", ".ico", ".woff", ".woff2", ".map")

func isData(p string) bool {
	clean := path.Clean("/" + p)
	if strings.HasPrefix(clean, "/etc/") || strings.HasPrefix(clean, "/usr/share/") || clean == "/etc" {
		return true
	}
	return dataExt[strings.ToLower(path.Ext(clean))]
}

func allData(ps []string) bool {
	for _, p := range ps {
		if !isData(p) {
			return false
		}
	}
	return len(ps) > 0
}

// glibcNamed: a path whose name says it is a glibc build
// (hello-glibc, *-linux-gnu.so, *manylinux*).
var glibcNamed = regexp.MustCompile(`(^|[/_.-])(glibc|gnu|manylinux[0-9_a-z]*)([/_.-]|$)`)

// isWheelPath: wheels are archives pip judges by their tag; copying them is
// harmless until they are installed (see the --platform check).
func isWheelPath(p string) bool {
	return strings.HasSuffix(p, ".whl") || strings.Contains(p, "wheel")
}

// staticSource: the stage builds static programs (CGO_ENABLED=0 go build,
// -static, a musl target) or has no libc to link against.
func staticSource(s *stage) bool {
	for _, st := range s.chain() {
		if st.base.Libc == NoLibc {
			return true
		}
		for _, g := range st.facts.gos {
			if g.cgoOff || g.static {
				return true
			}
		}
		for _, r := range st.facts.runs {
			for _, cmd := range r.cmds {
				n := cmd.name()
				if n == "musl-gcc" || ((n == "gcc" || n == "cc" || n == "clang" || n == "g++") && hasWord(cmd.argv, "-static")) ||
					(n == "cargo" && strings.Contains(cmd.text, "musl")) {
					return true
				}
			}
		}
	}
	return false
}

func hasWord(ws []string, w string) bool {
	for _, x := range ws {
		if x == w {
			return true
		}
	}
	return false
}

// ranPip: the stage (chain) installed Python packages.
func ranPip(s *stage) bool {
	for _, st := range s.chain() {
		if len(st.facts.pips) > 0 {
			return true
		}
	}
	return false
}

// ranNpm: the stage (chain) installed Node packages.
func ranNpm(s *stage) bool {
	for _, st := range s.chain() {
		for _, r := range st.facts.runs {
			for _, cmd := range r.cmds {
				if n := cmd.name(); n == "npm" || n == "yarn" || n == "pnpm" {
					return true
				}
			}
		}
	}
	return false
}

// glibcCite picks the wheel lab's cell that shows what a copy will do.
func glibcCite(paths []string, python, node bool) []Ref {
	j := strings.Join(paths, " ")
	switch {
	case python || strings.Contains(j, "site-packages") || strings.Contains(j, "dist-packages") || strings.Contains(j, "python"):
		return []Ref{{"wheel", wheelSitePackages}, {"wheel", wheelRelocate}, {"wheel", wheelSegfault}}
	case node || strings.Contains(j, "node_modules"):
		// A native addon (.node) is a glibc-built shared object like a
		// CPython extension: the same loader, the same faces.
		return []Ref{{"wheel", wheelRelocate}, {"wheel", wheelSegfault}}
	}
	return []Ref{{"wheel", wheelProgram}}
}

// checkGlibcIntoMusl: BL003, in every musl stage of the final chain.
func (c *checker) checkGlibcIntoMusl() {
	for _, s := range c.final.chain() {
		if s.base.Libc != Musl {
			continue
		}
		for _, cp := range s.facts.copies {
			paths := append(append([]string{}, cp.srcs...), cp.dest)
			switch {
			case cp.fromStage != nil && cp.fromStage.base.Libc == Glibc:
				if allData(cp.srcs) || staticSource(cp.fromStage) {
					continue
				}
				c.add(GlibcIntoMusl, cp.at, s, fmt.Sprintf("COPY --from=%s %s %s: from %s into %s",
					cp.from, strings.Join(cp.srcs, " "), cp.dest, describe(cp.fromStage), describe(s)), glibcCite(paths, ranPip(cp.fromStage), ranNpm(cp.fromStage)))
				continue
			case cp.fromImage.Libc == Glibc && !allData(cp.srcs):
				c.add(GlibcIntoMusl, cp.at, s, fmt.Sprintf("COPY --from=%s %s %s: from a glibc image into %s",
					cp.from, strings.Join(cp.srcs, " "), cp.dest, describe(s)), glibcCite(paths, false, false))
				continue
			}
			for _, src := range cp.srcs {
				if glibcNamed.MatchString(src) && !isWheelPath(src) && !isData(src) {
					c.add(GlibcIntoMusl, cp.at, s, fmt.Sprintf("COPY %s %s: a glibc build by its name, into %s",
						src, cp.dest, describe(s)), glibcCite(paths, false, false))
				}
			}
			for _, cf := range cp.context {
				if cf.elf != nil && strings.Contains(cf.elf.Interp, "ld-linux") {
					c.add(GlibcIntoMusl, cp.at, s, fmt.Sprintf("COPY %s: a program linked against glibc (interpreter %s), into %s",
						cf.name, cf.elf.Interp, describe(s)), []Ref{{"wheel", wheelProgram}})
				}
			}
		}
		for _, p := range s.facts.pips {
			for _, plat := range p.platform {
				if strings.Contains(plat, "manylinux") {
					c.add(GlibcIntoMusl, p.at, s, fmt.Sprintf("pip %s --platform %s forces glibc wheels onto %s",
						p.sub, plat, describe(s)), []Ref{{"wheel", wheelRelocate}, {"wheel", wheelSegfault}})
				}
			}
		}
	}
}

// compilerAt: a build tool the stage chain installed before or at line and
// did not remove in the same RUN.
func compilerAt(s *stage, line int) (pkgOp, bool) {
	for _, st := range s.chain() {
		for _, p := range st.facts.pkgs {
			if len(p.tools) > 0 && !p.removedSameRun && (st != s || p.line <= line) {
				return p, true
			}
		}
	}
	return pkgOp{}, false
}

// checkBuildTools: BL004 (pip builds from source on musl, compiler kept)
// and BL005 (build tools in the final image).
func (c *checker) checkBuildTools() {
	for _, s := range c.final.chain() {
		if s.base.Libc == Musl {
			for _, p := range s.facts.pips {
				if p.sub != "install" || len(p.platform) > 0 {
					continue
				}
				tool, ok := compilerAt(s, p.line)
				if !ok {
					continue
				}
				c.add(MuslSourceBld, p.at, s, fmt.Sprintf("%s on musl, %s, builds from source with %s (line %d) left in the image",
					p.text, describe(s), strings.Join(tool.tools, ", "), tool.line), nil)
			}
		}
		for _, p := range s.facts.pkgs {
			if len(p.tools) == 0 || p.removedSameRun {
				continue
			}
			verb := "apk add"
			if p.manager == "apt" {
				verb = "apt-get install"
			}
			msg := fmt.Sprintf("%s %s: build tools in the final image", verb, strings.Join(p.tools, " "))
			if p.removedAt > 0 {
				msg += fmt.Sprintf("; removing them at line %d leaves their bytes in the layer of line %d", p.removedAt, p.line)
			}
			c.add(BuildTools, p.at, s, msg, nil)
		}
	}
	if root := c.final.chain()[0]; root.base.Build {
		c.add(BuildTools, fromAt(c.final), c.final, fmt.Sprintf("the final image is built on %s, a build image: the toolchain ships", root.base.Ref), nil)
	}
}

// hasCompiler: go build in this stage would find a C compiler (cgo is on
// by default then).
func hasCompiler(s *stage) bool {
	for _, st := range s.chain() {
		if st.base.Build && st.base.Libc != Musl {
			return true // golang, gcc, rust on Debian carry gcc; golang:alpine does not
		}
		for _, p := range st.facts.pkgs {
			if len(p.tools) > 0 {
				return true
			}
		}
	}
	return false
}

// checkNoLibc: BL006, programs that need a loader in an image with none.
func (c *checker) checkNoLibc() {
	if c.final.base.Libc != NoLibc {
		return
	}
	for _, s := range c.final.chain() {
		for _, cp := range s.facts.copies {
			if allData(cp.srcs) {
				continue
			}
			if src := cp.fromStage; src != nil {
				var builds []goOp
				for _, st := range src.chain() {
					builds = append(builds, st.facts.gos...)
				}
				if len(builds) == 0 || staticSource(src) {
					continue
				}
				if !hasCompiler(src) && src.base.Libc != Unknown {
					continue // no C compiler: go build turns cgo off by itself
				}
				c.add(CgoNoLibc, cp.at, s, fmt.Sprintf("COPY --from=%s: stage %s runs go build (line %d) without CGO_ENABLED=0, and %s has no C library",
					cp.from, src.label(), builds[0].line, describe(s)), nil)
				continue
			}
			if cp.from != "" {
				continue
			}
			if c.opts.Context == nil {
				c.notes = append(c.notes, Note{Line: cp.line, Text: fmt.Sprintf(
					"COPY %s: a file from the build context into an image with no C library; pass --context DIR to check that it is static",
					strings.Join(cp.srcs, " "))})
				continue
			}
			for _, cf := range cp.context {
				if cf.elf == nil || cf.elf.Static() {
					continue
				}
				how := ""
				if cf.goSettings["CGO_ENABLED"] == "1" {
					how = ", a Go build with CGO_ENABLED=1,"
				}
				c.add(CgoNoLibc, cp.at, s, fmt.Sprintf("COPY %s: %s%s needs the loader %s, and %s has no C library",
					cf.name, cf.name, how, cf.elf.Interp, describe(s)), nil)
			}
		}
	}
}
