package images_test

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/baselab/baselab/harness/engine"
	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/harness/rootfs"
	"github.com/baselab/baselab/harness/run"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// catalog returns a catalog on the test's engine with build progress in the
// test log.
func catalog(t *testing.T) (*engine.Engine, *images.Catalog) {
	t.Helper()
	eng := engine.ForTest(t)
	cat, err := images.New(eng, images.Options{Progress: testLog{t}})
	require.NoError(t, err)
	return eng, cat
}

type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func ensure(t *testing.T, key images.Key) (*engine.Engine, images.Image) {
	t.Helper()
	eng, cat := catalog(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	im, err := cat.Ensure(ctx, key)
	require.NoError(t, err)
	require.True(t, im.Built)
	return eng, im
}

// sh runs a shell command in a fresh container of im and returns its output.
func sh(t *testing.T, eng *engine.Engine, im images.Image, script string) run.Result {
	t.Helper()
	res, err := run.Once(context.Background(), eng, run.Spec{Image: im.Ref, Cmd: []string{"/bin/sh", "-c", script}})
	require.NoError(t, err)
	require.True(t, res.Started, "container started: %s", res.StartError)
	return res
}

func files(t *testing.T, eng *engine.Engine, im images.Image) *rootfs.FS {
	t.Helper()
	fsys, err := rootfs.Read(context.Background(), eng, im.Ref, rootfs.Options{Keep: func(p string) bool { return p == "/etc/passwd" }})
	require.NoError(t, err)
	return fsys
}

func packages(t *testing.T, out string) int {
	t.Helper()
	m := regexp.MustCompile(`packages=(\d+)`).FindStringSubmatch(out)
	require.NotNil(t, m, out)
	n, err := strconv.Atoi(m[1])
	require.NoError(t, err)
	return n
}

func TestSlimIsGlibcWithDpkgAndNoDocs(t *testing.T) {
	t.Parallel()
	eng, im := ensure(t, images.Slim)
	out := sh(t, eng, im, `ldd --version | head -n1; echo packages=$(dpkg-query -W | wc -l); ls /usr/share/doc | wc -l`)
	assert.Equal(t, 0, out.ExitCode, out.Stderr)
	assert.Contains(t, out.Stdout, "GLIBC 2.36")
	assert.Less(t, packages(t, out.Stdout), 120, "minbase is a small package set")
	assert.InDelta(t, 74e6, float64(im.SizeBytes), 7.4e6, "within 10%% of debian:bookworm-slim's 74 MB; got %d", im.SizeBytes)
	assert.True(t, im.Standin || im.Digest != "", "a stand-in, or a pulled image with a digest")
}

func TestFullIsGlibcWithMorePackagesThanSlim(t *testing.T) {
	t.Parallel()
	eng, im := ensure(t, images.Full)
	out := sh(t, eng, im, `ldd --version | head -n1; echo packages=$(dpkg-query -W | wc -l)`)
	assert.Contains(t, out.Stdout, "GLIBC 2.36")
	assert.Greater(t, packages(t, out.Stdout), 120, "the default variant adds the 'important' packages")
}

func TestAlpineHasTheMuslLoaderABusyboxShellAndNoGlibc(t *testing.T) {
	t.Parallel()
	cases := []struct {
		key                 images.Key
		version, standinFor string
	}{
		{images.Alpine, "Version 1.2.5", "alpine:3.20"},    // Debian trixie's musl
		{images.Alpine317, "Version 1.2.3", "alpine:3.17"}, // Debian bookworm's
	}
	for _, c := range cases {
		t.Run(string(c.key), func(t *testing.T) {
			t.Parallel()
			eng, im := ensure(t, c.key)
			out := sh(t, eng, im, `readlink /bin/sh; /lib/ld-musl-x86_64.so.1 2>&1; if [ -e /lib64/ld-linux-x86-64.so.2 ]; then echo glibc-loader; else echo no-glibc-loader; fi; ls /bin/dpkg 2>&1; cat /etc/os-release`)
			assert.Contains(t, out.Stdout, "/bin/busybox", "sh is busybox")
			assert.Contains(t, out.Stdout, "musl libc (x86_64)", "the loader is musl's and runs")
			assert.Contains(t, out.Stdout, "no-glibc-loader")
			assert.Contains(t, out.Stdout, "No such file", "no dpkg applet")
			if im.Standin {
				assert.Contains(t, out.Stdout, c.version)
				assert.Equal(t, c.standinFor, im.StandinFor)
				assert.Contains(t, out.Stdout, "stand-in for "+c.standinFor, "os-release names what it stands in for")
			}
			assert.Less(t, im.SizeBytes, int64(15e6), "under 15 MB")
		})
	}
}

func TestDistrolessStaticHasCertsZoneinfoNonrootAndNoShellNoLibc(t *testing.T) {
	t.Parallel()
	eng, im := ensure(t, images.DistrolessStatic)
	fsys := files(t, eng, im)
	assert.True(t, fsys.Exists("/etc/ssl/certs/ca-certificates.crt"), "CA bundle")
	assert.True(t, fsys.Exists("/usr/share/zoneinfo/Europe/Berlin"), "zoneinfo")
	passwd, ok := fsys.Content("/etc/passwd")
	require.True(t, ok, "/etc/passwd")
	assert.Contains(t, string(passwd), "nonroot:x:65532:65532:")
	assert.False(t, fsys.Exists("/bin/sh"), "no shell")
	for _, f := range fsys.Files {
		assert.NotContains(t, f.Path, "libc.so", "no libc")
		assert.NotContains(t, f.Path, "ld-linux", "no dynamic loader")
	}
	res, err := run.Once(context.Background(), eng, run.Spec{Image: im.Ref, Cmd: []string{"sh", "-c", "true"}})
	require.NoError(t, err)
	assert.False(t, res.Started, "nothing to run a shell with")
	assert.Contains(t, res.StartError, "executable file not found")
	assert.Less(t, im.SizeBytes, int64(5e6), "under 5 MB")
}

func TestDistrolessBaseHasGlibcButNoShell(t *testing.T) {
	t.Parallel()
	eng, im := ensure(t, images.DistrolessBase)
	fsys := files(t, eng, im)
	assert.True(t, fsys.Exists("/lib64/ld-linux-x86-64.so.2"), "glibc's loader")
	assert.True(t, fsys.Exists("/lib/x86_64-linux-gnu/libc.so.6"), "glibc")
	assert.True(t, fsys.Exists("/usr/lib/x86_64-linux-gnu/libssl.so.3") || fsys.Exists("/lib/x86_64-linux-gnu/libssl.so.3"), "libssl")
	assert.False(t, fsys.Exists("/bin/sh"), "no shell")
	assert.False(t, fsys.Exists("/bin/bash"), "no shell")
	// The loader runs: glibc is real, not just files.
	res, err := run.Once(context.Background(), eng, run.Spec{Image: im.Ref, Entrypoint: []string{"/lib64/ld-linux-x86-64.so.2"}, Cmd: []string{"--version"}})
	require.NoError(t, err)
	require.True(t, res.Started, res.StartError)
	assert.Contains(t, res.Stdout, "2.36")
}

func TestScratchHoldsNothing(t *testing.T) {
	t.Parallel()
	eng, im := ensure(t, images.Scratch)
	fsys := files(t, eng, im)
	assert.Empty(t, fsys.ImageFiles(), "only what the engine injects into every container")
	assert.Zero(t, im.SizeBytes)
}

func TestPythonExtensionSuffixIsMuslOnAlpineAndGnuOnSlim(t *testing.T) {
	t.Parallel()
	cases := []struct {
		key  images.Key
		want string
	}{
		{images.PythonSlim, ".cpython-311-x86_64-linux-gnu.so"},
		{images.PythonAlpine, ".cpython-311-x86_64-linux-musl.so"},
	}
	for _, c := range cases {
		t.Run(string(c.key), func(t *testing.T) {
			t.Parallel()
			eng, im := ensure(t, c.key)
			res, err := run.Once(context.Background(), eng, run.Spec{Image: im.Ref,
				Cmd: []string{"python3", "-c", `import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))`}})
			require.NoError(t, err)
			require.True(t, res.Started, res.StartError)
			assert.Equal(t, c.want, strings.TrimSpace(res.Stdout), res.Stderr)
		})
	}
}

// python-alpine's CPython is built with what the labs import and without
// what none of them needs (fixtures/images/python-alpine/build.sh says which
// and why). labsImport are the extension modules the labs' Python loaded on
// the full build (PYTHONPROFILEIMPORTTIME=1 over the wheel lab's build.sh
// musl part, ensurepip, its three pip installs and app.py, the size lab's
// server answering a request, and the getaddrinfo probes of doctor's compare
// and the claims): each must import. One left-out module was imported
// there: pip imports rich, which imports fractions, which imports decimal;
// without _decimal, decimal is the pure-Python _pydecimal (same API), so
// decimal is held to import too. leftOut must not import: python:3.11-alpine
// has them, the stand-in does not (its size is not the real image's either:
// Spec.Lacks says so), and a lab that starts to need one must say so here.
func TestPythonAlpineHasWhatTheLabsImport(t *testing.T) {
	t.Parallel()
	labsImport := []string{"_asyncio", "_bisect", "_blake2", "_contextvars", "_csv", "_datetime", "_heapq", "_json",
		"_md5", "_opcode", "_pickle", "_posixsubprocess", "_queue", "_random", "_sha1", "_sha256", "_sha3", "_sha512",
		"_socket", "_struct", "_typing", "array", "binascii", "fcntl", "grp", "math", "mmap", "pyexpat", "select",
		"termios", "unicodedata", "zlib", "decimal"}
	leftOut := []string{"_decimal", "_multibytecodec", "_codecs_cn", "_codecs_hk", "_codecs_iso2022", "_codecs_jp",
		"_codecs_kr", "_codecs_tw", "audioop", "ossaudiodev", "nis", "spwd", "_crypt", "_xxsubinterpreters"}
	eng, im := ensure(t, images.PythonAlpine)
	script := `import importlib, sys
for name in sys.argv[1].split(","):
    try:
        importlib.import_module(name)
        print("have", name)
    except ImportError:
        print("lack", name)`
	res, err := run.Once(context.Background(), eng, run.Spec{Image: im.Ref,
		Cmd: []string{"python3", "-c", script, strings.Join(append(labsImport, leftOut...), ",")}})
	require.NoError(t, err)
	require.True(t, res.Started, res.StartError)
	require.Equal(t, 0, res.ExitCode, res.Stderr)
	for _, m := range labsImport {
		assert.Contains(t, res.Stdout, "have "+m+"\n", "a lab imports %s", m)
	}
	for _, m := range leftOut {
		assert.Contains(t, res.Stdout, "lack "+m+"\n", "%s is left out of the stand-in's CPython", m)
	}
}

func TestBuilderCompilesForGlibcAndMusl(t *testing.T) {
	t.Parallel()
	eng, im := ensure(t, images.Builder)
	out := sh(t, eng, im, `printf 'int main(void){return 0;}' > /tmp/t.c && gcc -o /tmp/g /tmp/t.c && musl-gcc -o /tmp/m /tmp/t.c && file /tmp/g /tmp/m`)
	require.Equal(t, 0, out.ExitCode, out.Stderr)
	assert.Contains(t, out.Stdout, "/tmp/g: ELF 64-bit LSB pie executable, x86-64, version 1 (SYSV), dynamically linked, interpreter /lib64/ld-linux-x86-64.so.2")
	assert.Contains(t, out.Stdout, "interpreter /lib/ld-musl-x86_64.so.1")
}

// The catalog's libc column is a claim; the image is asked (its loader or
// libc.so.6 run as a program) and the two must agree for every stand-in.
// alpine and alpine-3.17 are built if missing: they are the pair whose
// versions the DNS lab compares. Other keys are checked when built.
func TestCatalogLibcAgreesWithTheImage(t *testing.T) {
	t.Parallel()
	_, cat := catalog(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	_, err := cat.EnsureAll(ctx, images.Alpine, images.Alpine317)
	require.NoError(t, err)
	ims, err := cat.List(ctx)
	require.NoError(t, err)
	checked := map[images.Key]string{}
	for _, im := range ims {
		if !im.Built {
			t.Logf("%s is not built: not checked", im.Key)
			continue
		}
		spec, err := images.Lookup(im.Key)
		require.NoError(t, err)
		want := spec.StandinLibc
		if !im.Standin && spec.Registry != "" {
			want = spec.RegistryLibc
		}
		assert.Equal(t, want, im.Libc, "%s: catalog label against the image's own word", im.Key)
		checked[im.Key] = im.Libc
	}
	assert.Equal(t, "musl-1.2.5", checked[images.Alpine], "alpine carries the musl alpine:3.20 ships")
	assert.Equal(t, "musl-1.2.3", checked[images.Alpine317], "alpine-3.17 carries musl from before the TCP fallback")
}
