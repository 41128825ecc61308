package lint

import (
	"bytes"
	"debug/buildinfo"
	"io/fs"
	"path"
	"regexp"
	"strings"

	"github.com/baselab/baselab/harness/elf"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// facts are what a stage's commands do, as the rules ask about them. They
// are read once per stage; the rules combine them across stages.
type facts struct {
	runs   []runOp
	copies []copyOp
	users  []userOp
	envs   []envOp
	pkgs   []pkgOp
	pips   []pipOp
	gos    []goOp
	resolv []resolvOp
	// cgoOffStage: `go env -w CGO_ENABLED=0` ran in the stage.
	cgoOffStage bool
}

// at is where an op is: its lines and the comments above it.
type at struct {
	line, endLine int
	comments      []string
}

func atOf(c instructions.Command) at {
	a := at{}
	a.line, a.endLine = span(c.Location())
	if cc, ok := c.(interface{ Comments() []string }); ok {
		a.comments = cc.Comments()
	}
	return a
}

type runOp struct {
	at
	cmds []simpleCmd
}

type copyOp struct {
	at
	add       bool
	from      string // --from as expanded: a stage name, an index or an image
	fromStage *stage
	fromImage Base // when --from names an image
	srcs      []string
	dest      string
	contents  []instructions.SourceContent // heredoc sources
	context   []ctxFile                    // sources read from the build context
}

// ctxFile is a build-context file a COPY takes, read when a context is given.
type ctxFile struct {
	name string
	elf  *elf.File
	// goSettings are a Go binary's build settings (CGO_ENABLED, -tags).
	goSettings map[string]string
	data       []byte // small text files (resolv.conf)
}

type userOp struct {
	at
	user string
}

type envOp struct {
	at
	key, value string
}

// pkgOp is one apk add / apt-get install.
type pkgOp struct {
	at
	manager  string // apk, apt
	pkgs     []string
	unpinned []string
	tools    []string // the build tools among pkgs
	// removedSameRun: the tools are removed in the RUN that installed
	// them; removedAt: the line of a later RUN that removes them (their
	// bytes stay in the earlier layer).
	removedSameRun bool
	removedAt      int
}

type pipOp struct {
	at
	sub      string // install, wheel, download
	platform []string
	noBinary bool
	text     string
}

type goOp struct {
	at
	cgoOff, static, tzdata bool
}

type resolvOp struct {
	at
	options []string
	how     string
}

var buildTool = regexp.MustCompile(`^(build-base|build-essential|alpine-sdk|gcc|g\+\+|clang|make|cmake|gfortran)(-[0-9][0-9.]*)?$`)

var dnsNoop = regexp.MustCompile(`single-request-reopen|single-request|use-vc`)

// readFacts walks a stage's commands.
func readFacts(st *stage, byRef func(string) *stage, ctx fs.FS) facts {
	var f facts
	for _, c := range st.cmds {
		a := atOf(c)
		switch c := c.(type) {
		case *instructions.RunCommand:
			script := strings.Join(c.CmdLine, " ")
			if !c.PrependShell && len(c.CmdLine) >= 3 && (c.CmdLine[1] == "-c" || c.CmdLine[1] == "-ec") {
				script = c.CmdLine[2] // ["/bin/sh", "-c", "..."]
			}
			for _, h := range c.Files {
				script += "\n" + h.Data
			}
			script = substitute(script, envs{st.env, st.args})
			r := runOp{at: a, cmds: splitScript(script)}
			f.runs = append(f.runs, r)
			f.readRun(r, st)
		case *instructions.CopyCommand:
			op := copyOp{at: a, from: c.From, srcs: c.SourcePaths, dest: c.DestPath, contents: c.SourceContents}
			if c.From != "" {
				if s := byRef(c.From); s != nil {
					op.fromStage = s
				} else {
					op.fromImage = classify(c.From, false)
				}
			} else {
				op.context = readContext(ctx, c.SourcePaths)
			}
			f.copies = append(f.copies, op)
			f.readCopyResolv(op)
		case *instructions.AddCommand:
			op := copyOp{at: a, add: true, srcs: c.SourcePaths, dest: c.DestPath, contents: c.SourceContents,
				context: readContext(ctx, c.SourcePaths)}
			f.copies = append(f.copies, op)
			f.readCopyResolv(op)
		case *instructions.UserCommand:
			f.users = append(f.users, userOp{at: a, user: c.User})
		case *instructions.EnvCommand:
			for _, kv := range c.Env {
				f.envs = append(f.envs, envOp{at: a, key: kv.Key, value: kv.Value})
				if kv.Key == "RES_OPTIONS" {
					if opts := dnsNoop.FindAllString(kv.Value, -1); len(opts) > 0 {
						f.resolv = append(f.resolv, resolvOp{at: a, options: opts, how: "ENV RES_OPTIONS"})
					}
				}
			}
		}
	}
	return f
}

// readRun reads one RUN's commands: packages, pip, go build, resolv.conf.
func (f *facts) readRun(r runOp, st *stage) {
	exported := map[string]string{}
	var installed []int // indexes into f.pkgs added by this RUN
	for _, c := range r.cmds {
		if opts := dnsNoop.FindAllString(c.text, -1); len(opts) > 0 && strings.Contains(c.text, "resolv.conf") {
			f.resolv = append(f.resolv, resolvOp{at: r.at, options: opts, how: "RUN " + c.text})
		}
		a := c.argv
		switch c.name() {
		case "export":
			for _, w := range a[1:] {
				if k, v, ok := strings.Cut(w, "="); ok {
					exported[k] = v
				}
			}
		case "apk":
			if len(a) < 2 {
				continue
			}
			flags, ops := args(a[2:], set("-t", "--virtual", "-X", "--repository", "-p", "--root", "--arch",
				"--cache-dir", "--keys-dir", "--repositories-file"))
			switch a[1] {
			case "add":
				f.pkgs = append(f.pkgs, newPkgOp(r.at, "apk", ops, "=~<>"))
				installed = append(installed, len(f.pkgs)-1)
				if v := append(flags["-t"], flags["--virtual"]...); len(v) > 0 {
					f.pkgs[len(f.pkgs)-1].pkgs = append(f.pkgs[len(f.pkgs)-1].pkgs, "virtual:"+v[0])
				}
			case "del":
				f.removed(ops, r.at.line, installed)
			}
		case "apt-get", "apt", "aptitude":
			if len(a) < 2 {
				continue
			}
			_, ops := args(a[1:], set("-o", "-t", "--target-release", "-c", "--config-file"))
			if len(ops) == 0 {
				continue
			}
			switch ops[0] {
			case "install":
				f.pkgs = append(f.pkgs, newPkgOp(r.at, "apt", ops[1:], "="))
				installed = append(installed, len(f.pkgs)-1)
			case "purge", "remove":
				f.removed(ops[1:], r.at.line, installed)
			}
		case "go":
			if len(a) >= 4 && a[1] == "env" && a[2] == "-w" {
				for _, w := range a[3:] {
					if w == "CGO_ENABLED=0" {
						f.cgoOffStage = true
					}
				}
			}
			if len(a) < 2 || (a[1] != "build" && a[1] != "install") {
				continue
			}
			g := goOp{at: r.at}
			cgo, ok := c.assigns["CGO_ENABLED"]
			if !ok {
				cgo, ok = exported["CGO_ENABLED"]
			}
			if !ok {
				cgo, ok = envs{st.env, st.args}.Get("CGO_ENABLED")
			}
			g.cgoOff = (ok && cgo == "0") || f.cgoOffStage
			flags, _ := args(a[2:], set("-tags", "-ldflags", "-o", "-gcflags", "-mod", "-p", "-trimpath"))
			for _, v := range flags["-ldflags"] {
				g.static = g.static || strings.Contains(v, "-static")
			}
			for _, v := range flags["-tags"] {
				g.tzdata = g.tzdata || strings.Contains(v, "timetzdata")
			}
			f.gos = append(f.gos, g)
		default:
			sub, rest, ok := c.pipArgs()
			if !ok || (sub != "install" && sub != "wheel" && sub != "download") {
				continue
			}
			flags, _ := args(rest, set("--platform", "-t", "--target", "-r", "--requirement", "-c", "--constraint",
				"-f", "--find-links", "-i", "--index-url", "--extra-index-url", "--prefix", "--root",
				"--only-binary", "--no-binary", "-w", "--wheel-dir", "-d", "--dest", "--python-version", "--abi",
				"--implementation"))
			p := pipOp{at: r.at, sub: sub, platform: flags["--platform"], text: c.text}
			p.noBinary = len(flags["--no-binary"]) > 0
			f.pips = append(f.pips, p)
		}
	}
}

func newPkgOp(a at, manager string, ops []string, pinChars string) pkgOp {
	p := pkgOp{at: a, manager: manager}
	for _, w := range ops {
		if strings.Contains(w, "$") || strings.HasSuffix(w, ".deb") || strings.HasSuffix(w, ".apk") {
			continue // a variable or a file: not a package name to judge
		}
		p.pkgs = append(p.pkgs, w)
		name := w
		if i := strings.IndexAny(w, pinChars); i >= 0 {
			name = w[:i]
		} else {
			p.unpinned = append(p.unpinned, w)
		}
		if buildTool.MatchString(name) {
			p.tools = append(p.tools, name)
		}
	}
	return p
}

// removed marks the build tools that names removes (packages, or the
// virtual package that holds them) as removed at line.
func (f *facts) removed(names []string, line int, sameRun []int) {
	gone := set(names...)
	for i := range f.pkgs {
		p := &f.pkgs[i]
		if len(p.tools) == 0 {
			continue
		}
		hit := false
		for _, n := range p.pkgs {
			hit = hit || gone[pkgName(strings.TrimPrefix(n, "virtual:"))]
		}
		if !hit {
			continue
		}
		if containsInt(sameRun, i) {
			p.removedSameRun = true
		} else if p.removedAt == 0 {
			p.removedAt = line
		}
	}
}

func pkgName(w string) string {
	if i := strings.IndexAny(w, "=~<>"); i >= 0 {
		return w[:i]
	}
	return w
}

func containsInt(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// readCopyResolv notes a COPY whose content writes DNS options into
// /etc/resolv.conf: a heredoc, or a build-context file that was read.
func (f *facts) readCopyResolv(op copyOp) {
	if !strings.HasSuffix(op.dest, "resolv.conf") && !(strings.HasSuffix(op.dest, "/etc/") || op.dest == "/etc") {
		return
	}
	for _, c := range op.contents {
		if opts := dnsNoop.FindAllString(c.Data, -1); len(opts) > 0 {
			f.resolv = append(f.resolv, resolvOp{at: op.at, options: opts, how: "COPY <<" + c.Path + " " + op.dest})
		}
	}
	for _, c := range op.context {
		if path.Base(c.name) != "resolv.conf" && !strings.HasSuffix(op.dest, "resolv.conf") {
			continue
		}
		if opts := dnsNoop.FindAllString(string(c.data), -1); len(opts) > 0 {
			f.resolv = append(f.resolv, resolvOp{at: op.at, options: opts, how: "COPY " + c.name + " " + op.dest})
		}
	}
}

// maxContextFile bounds what is read of one build-context file.
const maxContextFile = 256 << 20

// readContext reads the build-context files a COPY takes: ELF headers and
// Go build settings of programs, the text of small files.
func readContext(ctx fs.FS, srcs []string) []ctxFile {
	if ctx == nil {
		return nil
	}
	var out []ctxFile
	for _, src := range srcs {
		pat := strings.TrimPrefix(path.Clean("/"+src), "/")
		if pat == "" {
			pat = "."
		}
		names, err := fs.Glob(ctx, pat)
		if err != nil {
			continue
		}
		for _, n := range names {
			_ = fs.WalkDir(ctx, n, func(p string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return nil
				}
				if info, err := d.Info(); err != nil || info.Size() > maxContextFile {
					return nil
				}
				b, err := fs.ReadFile(ctx, p)
				if err != nil {
					return nil
				}
				cf := ctxFile{name: p}
				if elf.IsELF(b) {
					if ef, err := elf.Parse(b); err == nil {
						cf.elf = &ef
					}
					if bi, err := buildinfo.Read(bytes.NewReader(b)); err == nil {
						cf.goSettings = map[string]string{}
						for _, s := range bi.Settings {
							cf.goSettings[s.Key] = s.Value
						}
					}
				} else if len(b) <= 64<<10 {
					cf.data = b
				}
				out = append(out, cf)
				return nil
			})
		}
	}
	return out
}

var shellVar = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)`)

// substitute replaces $NAME and ${NAME} where the stage knows NAME (the
// shell would see the same values in its environment); others stay.
func substitute(s string, get envs) string {
	return shellVar.ReplaceAllStringFunc(s, func(m string) string {
		name := strings.Trim(m, "${}")
		if v, ok := get.Get(name); ok {
			return v
		}
		return m
	})
}
