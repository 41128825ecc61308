package wheel

import (
	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/labs/lab"
)

// Variant is one cell of the wheel lab: an image built on a catalog base
// with errtext (or a program) put in one way, and the outcome that way has.
type Variant struct {
	Name string
	// Runtime is the catalog base the cell's container runs on.
	Runtime images.Key
	// Dockerfile (in dockerfiles/) builds the cell's image FROM the build
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
	Diagnostics []Diagnostic
}

// Diagnostic is one extra command run once in a cell's image; its output
// is the record's field Field.
type Diagnostic struct {
	Field string
	Cmd   []string
}

// The wheel folders build.sh writes.
const (
	glibc         = "glibc"
	glibcABI3     = "glibc-abi3"
	glibcABI3Fort = "glibc-abi3-fortified"
	musl          = "musl"
)

// allWheels are the folders in the order the progress lines name them.
var allWheels = []string{glibc, glibcABI3, glibcABI3Fort, musl}

const (
	sitePackages  = "/usr/local/lib/python3.11/site-packages"
	programPath   = "/usr/local/bin/hello"
	muslLoader    = "/lib/ld-musl-x86_64.so.1"
	messageENOENT = "No such file or directory"
)

var (
	pipNoPlatform = Diagnostic{Field: "pip_without_platform",
		Cmd: []string{"python3", "-m", "pip", "install", "--no-index", "--find-links", "/wheels", "--dry-run", "--ignore-installed", "errtext"}}
	faultHandler = Diagnostic{Field: "faulthandler", Cmd: []string{"python3", "-X", "faulthandler", "/app/app.py"}}
)

// Variants is the wheel lab's table.
func Variants() []Variant {
	slimBases := map[string]images.Key{"PYSLIM": images.PythonSlim}
	alpineBases := map[string]images.Key{"PYALPINE": images.PythonAlpine}
	return []Variant{
		{
			Name: "glibc wheel on python-slim works", Runtime: images.PythonSlim,
			Dockerfile: "slim.Dockerfile", Bases: slimBases, Args: map[string]string{"WHEELS": glibc},
			Wheel: glibc, Install: "pip install (python-slim picks the manylinux wheel)",
			Want: lab.Works, WantEvidence: messageENOENT,
			Why: "the wheel was built against glibc 2.36, the libc it runs on",
		},
		{
			Name: "site-packages copied from a glibc stage into python-alpine is not found", Runtime: images.PythonAlpine,
			Dockerfile: "multistage.Dockerfile", Bases: map[string]images.Key{"PYSLIM": images.PythonSlim, "PYALPINE": images.PythonAlpine},
			Wheel: glibc, Install: "pip install --target in a python-slim stage, COPY --from into python-alpine's site-packages",
			Want: ModuleNotFound, WantEvidence: "ModuleNotFoundError: No module named 'errtext._errtext'",
			Why: "CPython on musl loads only *.cpython-311-x86_64-linux-musl.so, *.abi3.so and *.so " +
				"(Python/dynload_shlib.c: \".\" SOABI \".so\"); the file is *.cpython-311-x86_64-linux-gnu.so",
		},
		{
			Name: "fortified glibc abi3 wheel forced onto python-alpine fails to relocate", Runtime: images.PythonAlpine,
			Dockerfile: "platform.Dockerfile", Bases: alpineBases, Args: map[string]string{"WHEELS": glibcABI3Fort},
			Wheel: glibcABI3Fort, Install: "pip install --platform manylinux_2_36_x86_64 --only-binary=:all: --target (pip on musl)",
			Want: ImportError,
			WantEvidence: "ImportError: Error relocating " + sitePackages +
				"/errtext/_errtext.abi3.so: __snprintf_chk: symbol not found",
			Why: "-D_FORTIFY_SOURCE=2 turns snprintf into glibc's __snprintf_chk; musl has no __*_chk " +
				"functions and its loader binds every symbol at dlopen (ldso/dynlink.c: \"Error relocating %s: %s: symbol not found\")",
			Diagnostics: []Diagnostic{pipNoPlatform},
		},
		{
			Name: "glibc abi3 wheel forced onto python-alpine loads and segfaults when called", Runtime: images.PythonAlpine,
			Dockerfile: "platform.Dockerfile", Bases: alpineBases, Args: map[string]string{"WHEELS": glibcABI3},
			Wheel: glibcABI3, Install: "pip install --platform manylinux_2_36_x86_64 --only-binary=:all: --target (pip on musl)",
			Want: Segfault, WantEvidence: "exit 139 (SIGSEGV)",
			Why: "glibc's strerror_r (with _GNU_SOURCE, which Python.h defines) returns char *; musl's symbol of the " +
				"same name is the XSI one returning int 0, which the glibc-built code uses as the message pointer",
			Diagnostics: []Diagnostic{pipNoPlatform, faultHandler},
		},
		{
			Name: "fix: the same sdist built on musl works on python-alpine", Runtime: images.PythonAlpine,
			Dockerfile: "musl.Dockerfile", Bases: alpineBases,
			Wheel: musl, Install: "pip install (pip on musl picks the musllinux wheel by itself)",
			Want: lab.Works, WantEvidence: messageENOENT,
			Why: "compiled against musl's headers, describe() takes the XSI branch; nothing glibc-only is referenced",
		},
		{
			Name: "fix: python-slim runs the abi3 wheel that segfaulted on alpine", Runtime: images.PythonSlim,
			Dockerfile: "slim.Dockerfile", Bases: slimBases, Args: map[string]string{"WHEELS": glibcABI3},
			Wheel: glibcABI3, Install: "pip install (python-slim picks the manylinux wheel)",
			Want: lab.Works, WantEvidence: messageENOENT,
			Why: "the binary is right for glibc: the crash was the libc, not the wheel",
		},
		{
			Name: "fix: python-slim runs the fortified abi3 wheel that failed on alpine", Runtime: images.PythonSlim,
			Dockerfile: "slim.Dockerfile", Bases: slimBases, Args: map[string]string{"WHEELS": glibcABI3Fort},
			Wheel: glibcABI3Fort, Install: "pip install (python-slim picks the manylinux wheel)",
			Want: lab.Works, WantEvidence: messageENOENT,
			Why: "glibc has __snprintf_chk since 2.3.4",
		},
		{
			Name: "glibc program on alpine is not found although it is there", Runtime: images.Alpine,
			Dockerfile: "exec.Dockerfile", Bases: map[string]images.Key{"ALPINE": images.Alpine},
			Args: map[string]string{"PROGRAM": "hello-glibc"}, Program: "hello-glibc",
			Install: "COPY of a gcc-built program into the alpine stand-in",
			Want:    lab.ExecNotFound, WantEvidence: "no such file or directory",
			Why: "execve fails with ENOENT when the ELF interpreter (PT_INTERP /lib64/ld-linux-x86-64.so.2) is missing, " +
				"and the error names the program, not the interpreter",
			Diagnostics: []Diagnostic{
				{Field: "shell", Cmd: []string{"/bin/sh", "-c", programPath}},
				{Field: "musl_ldd", Cmd: []string{muslLoader, "--list", programPath}},
				{Field: "via_musl_loader", Cmd: []string{muslLoader, programPath}},
				{Field: "missing_file", Cmd: []string{"/usr/local/bin/missing"}},
			},
		},
		{
			Name: "fix: the same program built with musl-gcc runs on alpine", Runtime: images.Alpine,
			Dockerfile: "exec.Dockerfile", Bases: map[string]images.Key{"ALPINE": images.Alpine},
			Args: map[string]string{"PROGRAM": "hello-musl"}, Program: "hello-musl",
			Install: "COPY of a musl-gcc-built program into the alpine stand-in",
			Want:    lab.Works, WantEvidence: "hello from a dynamically linked program",
			Why: "its interpreter is /lib/ld-musl-x86_64.so.1, which the image has",
		},
	}
}
