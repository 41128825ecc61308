package labs

// The wheel lab: the course's "Debug this" (an app moved from python:3.11 to
// python:3.11-alpine segfaults) reproduced with a real CPython extension,
// errtext, built from one sdist into real wheels for glibc and for musl, and
// installed the ways people actually get glibc binaries onto Alpine. The same
// root cause one level down — a glibc program on Alpine — is here too.
// The story, the numbers and the sources are in labs/wheel/README.md.

import (
	"archive/zip"
	"bytes"
	"context"
	"debug/elf"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/baselab/baselab/fixtures"
	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/harness/record"
	"github.com/baselab/baselab/harness/rootfs"
	"github.com/baselab/baselab/harness/run"
	"github.com/spf13/pflag"
)

// The wheel lab's outcomes.
const (
	WheelWorks          = "works"
	WheelModuleNotFound = "module-not-found"
	WheelImportError    = "import-error"
	WheelSegfault       = "segfault"
	WheelExecNotFound   = "exec-not-found"
	// WheelUnexpected is none of the above: the evidence says what it was.
	WheelUnexpected = "unexpected"
)

// WheelVariant is one cell of the wheel lab: an image built on a catalog base
// with errtext (or a program) put in one way, and the outcome that way has.
type WheelVariant struct {
	Name string
	// Runtime is the catalog base the cell's container runs on.
	Runtime images.Key
	// Dockerfile (in fixtures/wheel) builds the cell's image FROM the build
	// image (ARG BUILD) and the bases named in Bases.
	Dockerfile string
	Bases      map[string]images.Key
	Args       map[string]string
	// Wheel is the folder of /out/wheels the cell installs; Program the
	// /out/bin file it runs. One of the two is set.
	Wheel, Program string
	// Install says how the binary gets into the image, for the record.
	Install string
	// Want is the expected outcome and WantEvidence a substring the evidence
	// must hold; Why says where both come from.
	Want, WantEvidence, Why string
	// Diagnostics are extra one-off runs in the cell's image whose output
	// the record keeps as lab fields.
	Diagnostics []WheelDiagnostic
}

// WheelDiagnostic is one extra command run once in a cell's image.
type WheelDiagnostic struct {
	Field string
	Cmd   []string
}

// The wheel folders build.sh writes.
const (
	wheelGlibc         = "glibc"
	wheelGlibcABI3     = "glibc-abi3"
	wheelGlibcABI3Fort = "glibc-abi3-fortified"
	wheelMusl          = "musl"
	wheelSitePackages  = "/usr/local/lib/python3.11/site-packages"
	wheelProgramPath   = "/usr/local/bin/hello"
	wheelMuslLoader    = "/lib/ld-musl-x86_64.so.1"
	wheelMessageENOENT = "No such file or directory"
)

var (
	wheelPipNoPlatform = WheelDiagnostic{Field: "pip_without_platform",
		Cmd: []string{"python3", "-m", "pip", "install", "--no-index", "--find-links", "/wheels", "--dry-run", "--ignore-installed", "errtext"}}
	wheelFaultHandler = WheelDiagnostic{Field: "faulthandler", Cmd: []string{"python3", "-X", "faulthandler", "/app/app.py"}}
)

// WheelVariants is the wheel lab's table.
func WheelVariants() []WheelVariant {
	slimBases := map[string]images.Key{"PYSLIM": images.PythonSlim}
	alpineBases := map[string]images.Key{"PYALPINE": images.PythonAlpine}
	return []WheelVariant{
		{
			Name: "glibc wheel on python-slim works", Runtime: images.PythonSlim,
			Dockerfile: "slim.Dockerfile", Bases: slimBases, Args: map[string]string{"WHEELS": wheelGlibc},
			Wheel: wheelGlibc, Install: "pip install (python-slim picks the manylinux wheel)",
			Want: WheelWorks, WantEvidence: wheelMessageENOENT,
			Why: "the wheel was built against glibc 2.36, the libc it runs on",
		},
		{
			Name: "site-packages copied from a glibc stage into python-alpine is not found", Runtime: images.PythonAlpine,
			Dockerfile: "multistage.Dockerfile", Bases: map[string]images.Key{"PYSLIM": images.PythonSlim, "PYALPINE": images.PythonAlpine},
			Wheel: wheelGlibc, Install: "pip install --target in a python-slim stage, COPY --from into python-alpine's site-packages",
			Want: WheelModuleNotFound, WantEvidence: "ModuleNotFoundError: No module named 'errtext._errtext'",
			Why: "CPython on musl loads only *.cpython-311-x86_64-linux-musl.so, *.abi3.so and *.so " +
				"(Python/dynload_shlib.c: \".\" SOABI \".so\"); the file is *.cpython-311-x86_64-linux-gnu.so",
		},
		{
			Name: "fortified glibc abi3 wheel forced onto python-alpine fails to relocate", Runtime: images.PythonAlpine,
			Dockerfile: "platform.Dockerfile", Bases: alpineBases, Args: map[string]string{"WHEELS": wheelGlibcABI3Fort},
			Wheel: wheelGlibcABI3Fort, Install: "pip install --platform manylinux_2_36_x86_64 --only-binary=:all: --target (pip on musl)",
			Want: WheelImportError,
			WantEvidence: "ImportError: Error relocating " + wheelSitePackages +
				"/errtext/_errtext.abi3.so: __snprintf_chk: symbol not found",
			Why: "-D_FORTIFY_SOURCE=2 turns snprintf into glibc's __snprintf_chk; musl has no __*_chk " +
				"functions and its loader binds every symbol at dlopen (ldso/dynlink.c: \"Error relocating %s: %s: symbol not found\")",
			Diagnostics: []WheelDiagnostic{wheelPipNoPlatform},
		},
		{
			Name: "glibc abi3 wheel forced onto python-alpine loads and segfaults when called", Runtime: images.PythonAlpine,
			Dockerfile: "platform.Dockerfile", Bases: alpineBases, Args: map[string]string{"WHEELS": wheelGlibcABI3},
			Wheel: wheelGlibcABI3, Install: "pip install --platform manylinux_2_36_x86_64 --only-binary=:all: --target (pip on musl)",
			Want: WheelSegfault, WantEvidence: "exit 139 (SIGSEGV)",
			Why: "glibc's strerror_r (with _GNU_SOURCE, which Python.h defines) returns char *; musl's symbol of the " +
				"same name is the XSI one returning int 0, which the glibc-built code uses as the message pointer",
			Diagnostics: []WheelDiagnostic{wheelPipNoPlatform, wheelFaultHandler},
		},
		{
			Name: "fix: the same sdist built on musl works on python-alpine", Runtime: images.PythonAlpine,
			Dockerfile: "musl.Dockerfile", Bases: alpineBases,
			Wheel: wheelMusl, Install: "pip install (pip on musl picks the musllinux wheel by itself)",
			Want: WheelWorks, WantEvidence: wheelMessageENOENT,
			Why: "compiled against musl's headers, describe() takes the XSI branch; nothing glibc-only is referenced",
		},
		{
			Name: "fix: python-slim runs the abi3 wheel that segfaulted on alpine", Runtime: images.PythonSlim,
			Dockerfile: "slim.Dockerfile", Bases: slimBases, Args: map[string]string{"WHEELS": wheelGlibcABI3},
			Wheel: wheelGlibcABI3, Install: "pip install (python-slim picks the manylinux wheel)",
			Want: WheelWorks, WantEvidence: wheelMessageENOENT,
			Why: "the binary is right for glibc: the crash was the libc, not the wheel",
		},
		{
			Name: "fix: python-slim runs the fortified abi3 wheel that failed on alpine", Runtime: images.PythonSlim,
			Dockerfile: "slim.Dockerfile", Bases: slimBases, Args: map[string]string{"WHEELS": wheelGlibcABI3Fort},
			Wheel: wheelGlibcABI3Fort, Install: "pip install (python-slim picks the manylinux wheel)",
			Want: WheelWorks, WantEvidence: wheelMessageENOENT,
			Why: "glibc has __snprintf_chk since 2.3.4",
		},
		{
			Name: "glibc program on alpine is not found although it is there", Runtime: images.Alpine,
			Dockerfile: "exec.Dockerfile", Bases: map[string]images.Key{"ALPINE": images.Alpine},
			Args: map[string]string{"PROGRAM": "hello-glibc"}, Program: "hello-glibc",
			Install: "COPY of a gcc-built program into the alpine stand-in",
			Want:    WheelExecNotFound, WantEvidence: "no such file or directory",
			Why: "execve fails with ENOENT when the ELF interpreter (PT_INTERP /lib64/ld-linux-x86-64.so.2) is missing, " +
				"and the error names the program, not the interpreter",
			Diagnostics: []WheelDiagnostic{
				{Field: "shell", Cmd: []string{"/bin/sh", "-c", wheelProgramPath}},
				{Field: "musl_ldd", Cmd: []string{wheelMuslLoader, "--list", wheelProgramPath}},
				{Field: "via_musl_loader", Cmd: []string{wheelMuslLoader, wheelProgramPath}},
				{Field: "missing_file", Cmd: []string{"/usr/local/bin/missing"}},
			},
		},
		{
			Name: "fix: the same program built with musl-gcc runs on alpine", Runtime: images.Alpine,
			Dockerfile: "exec.Dockerfile", Bases: map[string]images.Key{"ALPINE": images.Alpine},
			Args: map[string]string{"PROGRAM": "hello-musl"}, Program: "hello-musl",
			Install: "COPY of a musl-gcc-built program into the alpine stand-in",
			Want:    WheelWorks, WantEvidence: "hello from a dynamically linked program",
			Why: "its interpreter is /lib/ld-musl-x86_64.so.1, which the image has",
		},
	}
}

type wheelConfig struct {
	tries    int
	variants []string
}

// Wheel returns the wheel lab.
func Wheel() Lab {
	cfg := &wheelConfig{tries: 3}
	return Lab{
		Name:    "wheel",
		Summary: "glibc-built Python wheels and programs on musl: not found, Error relocating, segfault — and the fixes",
		Flags: func(fs *pflag.FlagSet) {
			fs.IntVar(&cfg.tries, "tries", cfg.tries, "runs of each cell's container (--short: 1)")
			fs.StringSliceVar(&cfg.variants, "variant", nil, "run only variants whose name contains this (repeatable)")
		},
		Run: func(ctx context.Context, env *Env) ([]record.Record, error) { return runWheel(ctx, env, *cfg) },
	}
}

// wheelBuild is what the build image holds, read once.
type wheelBuild struct {
	image images.Image
	// wheels by folder: file name, tag, and the extension's ELF facts.
	wheels map[string]wheelFile
	// programs by name.
	programs map[string]wheelProgram
}

type wheelFile struct {
	name, tag, so string
	elf           wheelELF
}

type wheelProgram struct {
	elf  wheelELF
	file string // file(1)'s line
}

// wheelELF is what `readelf -d -l --dyn-syms` would say about a binary.
type wheelELF struct {
	interp    string
	needed    []string
	undefined []string // non-weak undefined dynamic symbols
	imports   []string // the same with their version: "strerror_r@GLIBC_2.2.5"
	defined   map[string]uint64
}

// wheelMuslRuntime is what an extension can bind to in the python-alpine
// stand-in: musl's libc (which is also its loader) and the CPython
// executable (libpython linked in, exported with -export-dynamic).
type wheelMuslRuntime struct {
	have map[string]bool
	libc wheelELF
}

func runWheel(ctx context.Context, env *Env, cfg wheelConfig) ([]record.Record, error) {
	variants := WheelVariants()
	if len(cfg.variants) > 0 {
		variants = slices.DeleteFunc(variants, func(v WheelVariant) bool {
			return !slices.ContainsFunc(cfg.variants, func(s string) bool { return strings.Contains(v.Name, s) })
		})
		if len(variants) == 0 {
			return nil, fmt.Errorf("no wheel variant matches %q", cfg.variants)
		}
	}
	// `baselab claims` asks for the cells its claims name (Env.Only).
	variants = slices.DeleteFunc(variants, func(v WheelVariant) bool { return !env.Want(v.Name) })
	if len(variants) == 0 {
		return nil, nil
	}
	tries := max(cfg.tries, 1)
	if env.Short && tries > 1 {
		env.Logf("wheel: --short: 1 run per cell instead of %d (no cell is long; the first build of the lab's images is: about 4 minutes)", tries)
		tries = 1
	}
	env.Logf("wheel: building errtext's sdist, 4 wheels and 2 programs (builder + python-alpine's musl CPython)")
	build, err := wheelBuildImage(ctx, env)
	if err != nil {
		return nil, err
	}
	musl, err := wheelMuslSymbols(ctx, env)
	if err != nil {
		return nil, err
	}
	for _, dir := range []string{wheelGlibc, wheelGlibcABI3, wheelGlibcABI3Fort, wheelMusl} {
		w := build.wheels[dir]
		env.Logf("wheel: %s: %s (%s), unresolved on musl: %s", dir, w.name, w.so, wheelList(wheelUnresolved(w.elf, musl)))
	}

	out := make([]record.Record, len(variants))
	errs := make([]error, len(variants))
	inParallel(len(variants), 3, func(i int) {
		v := variants[i]
		r, err := runWheelCell(ctx, env, v, build, musl, tries)
		if err != nil {
			errs[i] = fmt.Errorf("cell %q: %w", v.Name, err)
			env.Logf("wheel: %s: %v", v.Name, err)
			return
		}
		out[i] = r
		env.Logf("wheel: %-72s %-16s %s", v.Name, r.Outcome, r.Evidence)
		if err := env.Emit(r); err != nil {
			errs[i] = fmt.Errorf("record cell %q: %w", v.Name, err)
		}
	})
	done := slices.DeleteFunc(out, func(r record.Record) bool { return r.Lab == "" })
	return done, errors.Join(errs...)
}

func wheelFiles(paths ...string) (map[string][]byte, error) {
	files := map[string][]byte{}
	for _, p := range paths {
		err := fs.WalkDir(fixtures.Wheel, p, func(name string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := fs.ReadFile(fixtures.Wheel, name)
			files[name] = b
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("read fixture %s: %w", p, err)
		}
	}
	return files, nil
}

func wheelBuildImage(ctx context.Context, env *Env) (wheelBuild, error) {
	files, err := wheelFiles("errtext", "hello.c", "build.sh")
	if err != nil {
		return wheelBuild{}, err
	}
	df, err := fs.ReadFile(fixtures.Wheel, "build.Dockerfile")
	if err != nil {
		return wheelBuild{}, fmt.Errorf("read build.Dockerfile: %w", err)
	}
	im, err := env.Catalog.Derive(ctx, images.Derived{Name: "wheel-build", Dockerfile: string(df), Files: files,
		Bases: map[string]images.Key{"BUILDER": images.Builder, "PYALPINE": images.PythonAlpine}, Lab: "wheel"})
	if err != nil {
		return wheelBuild{}, err
	}
	tree, err := rootfs.Read(ctx, env.Engine, im.Ref, rootfs.Options{Keep: func(p string) bool {
		return strings.HasPrefix(p, "/out/wheels/") || strings.HasPrefix(p, "/out/bin/") || strings.HasPrefix(p, "/out/evidence/")
	}})
	if err != nil {
		return wheelBuild{}, err
	}
	b := wheelBuild{image: im, wheels: map[string]wheelFile{}, programs: map[string]wheelProgram{}}
	for _, f := range tree.Files {
		dir, name := path.Split(f.Path)
		switch {
		case strings.HasPrefix(dir, "/out/wheels/") && strings.HasSuffix(name, ".whl"):
			data, _ := tree.Content(f.Path)
			w, err := wheelRead(name, data)
			if err != nil {
				return wheelBuild{}, err
			}
			b.wheels[path.Base(dir)] = w
		case dir == "/out/bin/":
			data, _ := tree.Content(f.Path)
			facts, err := wheelReadELF(data)
			if err != nil {
				return wheelBuild{}, fmt.Errorf("%s: %w", f.Path, err)
			}
			line, _ := tree.Content("/out/evidence/" + name + ".file.txt")
			b.programs[name] = wheelProgram{elf: facts, file: strings.TrimSpace(string(line))}
		}
	}
	for _, dir := range []string{wheelGlibc, wheelGlibcABI3, wheelGlibcABI3Fort, wheelMusl} {
		if _, ok := b.wheels[dir]; !ok {
			return wheelBuild{}, fmt.Errorf("build image %s has no wheel in /out/wheels/%s", im.Ref, dir)
		}
	}
	return b, nil
}

// wheelRead reads a wheel's tag (its WHEEL file) and its extension module.
func wheelRead(name string, data []byte) (wheelFile, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return wheelFile{}, fmt.Errorf("open wheel %s: %w", name, err)
	}
	w := wheelFile{name: name}
	for _, f := range zr.File {
		switch {
		case strings.HasSuffix(f.Name, ".dist-info/WHEEL"):
			b, err := wheelReadZip(f)
			if err != nil {
				return wheelFile{}, fmt.Errorf("wheel %s: %w", name, err)
			}
			for _, line := range strings.Split(string(b), "\n") {
				if t, ok := strings.CutPrefix(line, "Tag: "); ok {
					w.tag = strings.TrimSpace(t)
				}
			}
		case strings.HasSuffix(f.Name, ".so"):
			b, err := wheelReadZip(f)
			if err != nil {
				return wheelFile{}, fmt.Errorf("wheel %s: %w", name, err)
			}
			if w.elf, err = wheelReadELF(b); err != nil {
				return wheelFile{}, fmt.Errorf("wheel %s: %s: %w", name, f.Name, err)
			}
			w.so = f.Name
		}
	}
	if w.tag == "" || w.so == "" {
		return wheelFile{}, fmt.Errorf("wheel %s: no Tag in WHEEL or no extension module", name)
	}
	return w, nil
}

func wheelReadZip(f *zip.File) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	var b bytes.Buffer
	_, err = b.ReadFrom(rc)
	return b.Bytes(), err
}

func wheelReadELF(data []byte) (wheelELF, error) {
	f, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		return wheelELF{}, fmt.Errorf("read ELF: %w", err)
	}
	defer f.Close()
	facts := wheelELF{defined: map[string]uint64{}}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			b := make([]byte, p.Filesz)
			if _, err := p.ReadAt(b, 0); err != nil {
				return wheelELF{}, fmt.Errorf("read PT_INTERP: %w", err)
			}
			facts.interp = strings.TrimRight(string(b), "\x00")
		}
	}
	if facts.needed, err = f.DynString(elf.DT_NEEDED); err != nil {
		return wheelELF{}, fmt.Errorf("read DT_NEEDED: %w", err)
	}
	syms, err := f.DynamicSymbols()
	if err != nil && !errors.Is(err, elf.ErrNoSymbols) {
		return wheelELF{}, fmt.Errorf("read dynamic symbols: %w", err)
	}
	for _, s := range syms {
		if s.Name == "" {
			continue
		}
		if s.Section != elf.SHN_UNDEF {
			facts.defined[s.Name] = s.Value
		} else if elf.ST_BIND(s.Info) != elf.STB_WEAK {
			facts.undefined = append(facts.undefined, s.Name)
			imp := s.Name
			if s.Version != "" {
				imp += "@" + s.Version
			}
			facts.imports = append(facts.imports, imp)
		}
	}
	sort.Strings(facts.undefined)
	sort.Strings(facts.imports)
	return facts, nil
}

func wheelMuslSymbols(ctx context.Context, env *Env) (wheelMuslRuntime, error) {
	im, err := env.Catalog.Ensure(ctx, images.PythonAlpine)
	if err != nil {
		return wheelMuslRuntime{}, err
	}
	const python = "/usr/local/bin/python3.11"
	keep := map[string]bool{python: true, wheelMuslLoader: true}
	tree, err := rootfs.Read(ctx, env.Engine, im.Ref, rootfs.Options{Keep: func(p string) bool { return keep[p] }})
	if err != nil {
		return wheelMuslRuntime{}, err
	}
	m := wheelMuslRuntime{have: map[string]bool{}}
	for p := range keep {
		data, ok := tree.Content(p)
		if !ok {
			return wheelMuslRuntime{}, fmt.Errorf("%s has no %s", im.Ref, p)
		}
		facts, err := wheelReadELF(data)
		if err != nil {
			return wheelMuslRuntime{}, fmt.Errorf("%s:%s: %w", im.Ref, p, err)
		}
		for s := range facts.defined {
			m.have[s] = true
		}
		if p == wheelMuslLoader {
			m.libc = facts
		}
	}
	return m, nil
}

// sameFunction reports whether musl exports a and b at one address: one
// function under two names (weak_alias in musl's source).
func (m wheelMuslRuntime) sameFunction(a, b string) bool {
	va, okA := m.libc.defined[a]
	vb, okB := m.libc.defined[b]
	return okA && okB && va == vb
}

// unresolved lists the symbols a binary needs that musl's loader will not
// find: the "Error relocating" a dlopen on python-alpine would report.
func wheelUnresolved(f wheelELF, m wheelMuslRuntime) []string {
	out := []string{}
	for _, s := range f.undefined {
		if !m.have[s] {
			out = append(out, s)
		}
	}
	return out
}

func wheelList(xs []string) string {
	if len(xs) == 0 {
		return "none"
	}
	return strings.Join(xs, ", ")
}

func runWheelCell(ctx context.Context, env *Env, v WheelVariant, b wheelBuild, musl wheelMuslRuntime, tries int) (record.Record, error) {
	df, err := fs.ReadFile(fixtures.Wheel, v.Dockerfile)
	if err != nil {
		return record.Record{}, fmt.Errorf("read %s: %w", v.Dockerfile, err)
	}
	files := map[string][]byte{}
	if v.Wheel != "" {
		if files, err = wheelFiles("app.py"); err != nil {
			return record.Record{}, err
		}
	}
	args := map[string]string{"BUILD": b.image.Ref}
	for k, val := range v.Args {
		args[k] = val
	}
	name := "wheel-" + strings.TrimSuffix(v.Dockerfile, ".Dockerfile")
	if s := v.Args["WHEELS"] + v.Args["PROGRAM"]; s != "" {
		name += "-" + s
	}
	app, err := env.Catalog.Derive(ctx, images.Derived{Name: name, Dockerfile: string(df), Files: files,
		Bases: v.Bases, Args: args, Lab: "wheel"})
	if err != nil {
		return record.Record{}, err
	}
	base, err := env.Catalog.Ensure(ctx, v.Runtime)
	if err != nil {
		return record.Record{}, err
	}

	r := record.Record{Lab: "wheel", Variant: v.Name}
	Stamp(&r, base)
	r.Image = app.Evidence()
	r.Set("base_image", base.Evidence())
	r.Set("install", v.Install)
	r.Set("expected", v.Want)
	r.Set("why", v.Why)

	var ms []float64
	var first wheelTry
	outcomes := map[string]int{}
	for i := range tries {
		res, err := run.Once(ctx, env.Engine, run.Spec{Image: app.Ref, Lab: "wheel"})
		if err != nil {
			return record.Record{}, fmt.Errorf("run %s: %w", app.Ref, err)
		}
		t := classifyWheel(res)
		if i == 0 {
			first = t
		}
		outcomes[t.outcome]++
		ms = append(ms, float64(res.Duration.Microseconds())/1000)
		if t.outcome == WheelWorks {
			r.OK++
		} else {
			r.Failed++
		}
	}
	r.Tries = tries
	r.Timings(ms)
	r.Outcome, r.Evidence, r.Detail = first.outcome, first.evidence, first.detail
	if len(outcomes) > 1 {
		r.Set("mixed_outcomes", outcomes)
		r.Detail += fmt.Sprintf(" (outcomes differed across %d runs: %v)", tries, outcomes)
	}
	r.Set("exit_code", first.exitCode)
	r.Set("signal", first.signal)
	for k, val := range first.fields {
		r.Set(k, val)
	}

	if v.Wheel != "" {
		w := b.wheels[v.Wheel]
		r.Set("wheel", w.name)
		r.Set("wheel_tag", w.tag)
		r.Set("extension", w.so)
		r.Set("needed", w.elf.needed)
		r.Set("imports", w.elf.imports)
		r.Set("unresolved_on_musl", wheelUnresolved(w.elf, musl))
		if v.Runtime == images.PythonAlpine && slices.Contains(w.elf.undefined, "strerror_r") {
			// The symbol the glibc build binds to on musl is the XSI function.
			r.Set("musl_strerror_r_is_xsi", musl.sameFunction("strerror_r", "__xpg_strerror_r"))
		}
	}
	if v.Program != "" {
		p := b.programs[v.Program]
		tree, err := rootfs.Read(ctx, env.Engine, app.Ref, rootfs.Options{})
		if err != nil {
			return record.Record{}, err
		}
		r.Set("file", p.file)
		r.Set("interpreter", p.elf.interp)
		r.Set("interpreter_in_image", tree.Exists(p.elf.interp))
		r.Set("needed", p.elf.needed)
		r.Set("program_in_image", tree.Exists(wheelProgramPath))
		r.Set("unresolved_on_musl", wheelUnresolved(p.elf, musl))
	}
	for _, d := range v.Diagnostics {
		res, err := run.Once(ctx, env.Engine, run.Spec{Image: app.Ref, Cmd: d.Cmd, Lab: "wheel"})
		if err != nil {
			return record.Record{}, fmt.Errorf("diagnostic %s: %w", d.Field, err)
		}
		r.Set(d.Field, wheelDiagnosticText(d, res))
	}
	return r, nil
}

// ClassifyWheel reads one container run the way the wheel lab does: the
// outcome, and the line that shows it. It holds a user's own image (`docker
// run` of an app that imports its extensions) to the same words.
func ClassifyWheel(res run.Result) (outcome, evidence string) {
	t := classifyWheel(res)
	return t.outcome, t.evidence
}

// wheelTry is one run of a cell's container, classified.
type wheelTry struct {
	outcome, evidence, detail string
	exitCode                  int
	signal                    string
	fields                    map[string]any
}

// wheelAppLine is one line app.py prints.
type wheelAppLine struct {
	Step        string   `json:"step"`
	MS          float64  `json:"ms"`
	Version     string   `json:"version"`
	DlopenFlags *int     `json:"dlopenflags"`
	ExtSuffixes []string `json:"ext_suffixes"`
	Files       []string `json:"package_files"`
	File        string   `json:"file"`
	BuiltFor    string   `json:"built_for"`
	Describe    string   `json:"describe"`
	Label       string   `json:"label"`
}

// classifyWheel turns one container run into an outcome and the line that
// shows it: CPython's last traceback line, the signal, or the engine's (or
// runc's) refusal to exec the program.
func classifyWheel(res run.Result) wheelTry {
	t := wheelTry{exitCode: res.ExitCode, signal: res.Signal, fields: map[string]any{}}
	steps := map[string]wheelAppLine{}
	var plain []string
	for _, line := range wheelLines(res.Stdout) {
		var l wheelAppLine
		if strings.HasPrefix(line, "{") && json.Unmarshal([]byte(line), &l) == nil && l.Step != "" {
			steps[l.Step] = l
		} else {
			plain = append(plain, line)
		}
	}
	if py, ok := steps["python"]; ok {
		t.fields["python"] = py.Version
		if py.DlopenFlags != nil {
			t.fields["dlopenflags"] = *py.DlopenFlags
		}
		t.fields["ext_suffixes"] = py.ExtSuffixes
		t.fields["package_files"] = py.Files
	}
	if imp, ok := steps["import"]; ok {
		t.fields["import_ms"] = imp.MS
		t.fields["loaded"] = imp.File
		t.fields["built_for"] = imp.BuiltFor
	}
	errLines := wheelLines(res.Stderr)
	last := ""
	if len(errLines) > 0 {
		last = errLines[len(errLines)-1]
	}
	switch {
	case !res.Started:
		t.evidence = res.StartError
		if strings.Contains(res.StartError, "no such file or directory") {
			t.outcome, t.detail = WheelExecNotFound, "the engine could not exec the container's program"
		} else {
			t.outcome, t.detail = WheelUnexpected, "the container did not start"
		}
	case res.Signal == "SIGSEGV":
		t.outcome = WheelSegfault
		t.evidence = fmt.Sprintf("exit %d (SIGSEGV), nothing on stderr", res.ExitCode)
		if last != "" {
			t.evidence = fmt.Sprintf("exit %d (SIGSEGV): %s", res.ExitCode, last)
		}
		t.detail = "the process died before the import finished"
		if imp, ok := steps["import"]; ok {
			t.detail = fmt.Sprintf("the import worked (%s, built for %s); the process died in the call",
				path.Base(imp.File), imp.BuiltFor)
		}
	case strings.HasPrefix(last, "ModuleNotFoundError:"):
		t.outcome, t.evidence = WheelModuleNotFound, last
		t.detail = "CPython found the package but no extension file with a suffix it loads"
	case strings.HasPrefix(last, "ImportError:"):
		t.outcome, t.evidence = WheelImportError, last
		t.detail = "the extension was found and dlopen failed"
	case res.ExitCode != 0 && strings.Contains(last, "no such file or directory") && strings.HasPrefix(last, "exec "):
		t.outcome, t.evidence = WheelExecNotFound, last
		t.detail = fmt.Sprintf("the container started and runc's exec of its program failed (exit %d)", res.ExitCode)
	case res.ExitCode == 0:
		if call, ok := steps["call"]; ok {
			t.outcome = WheelWorks
			t.evidence = fmt.Sprintf("exit 0: describe(2) = %q", call.Describe)
			t.detail = fmt.Sprintf("imported %s (built for %s) in %.1f ms; label(2) = %q",
				path.Base(steps["import"].File), steps["import"].BuiltFor, steps["import"].MS, call.Label)
			t.fields["describe"] = call.Describe
			t.fields["label"] = call.Label
			t.fields["call_ms"] = call.MS
		} else if len(steps) == 0 && len(plain) > 0 {
			t.outcome, t.evidence = WheelWorks, "exit 0: "+plain[len(plain)-1]
			t.detail = "the program ran"
		} else {
			t.outcome, t.evidence = WheelUnexpected, "exit 0 without the call's output"
		}
	default:
		t.outcome = WheelUnexpected
		t.evidence = fmt.Sprintf("exit %d: %s", res.ExitCode, last)
	}
	return t
}

func wheelLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimRight(l, "\r "); strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}

// wheelDiagnosticText keeps a diagnostic run's first lines and how it ended.
func wheelDiagnosticText(d WheelDiagnostic, res run.Result) string {
	if !res.Started {
		return "not started: " + res.StartError
	}
	lines := append(wheelLines(res.Stderr), wheelLines(res.Stdout)...)
	if len(lines) > 6 {
		lines = lines[:6]
	}
	end := fmt.Sprintf("exit %d", res.ExitCode)
	if res.Signal != "" {
		end += " (" + res.Signal + ")"
	}
	return strings.Join(append(lines, "["+end+"]"), "\n")
}
