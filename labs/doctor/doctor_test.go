package doctor_test

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/baselab/baselab/harness/engine"
	"github.com/baselab/baselab/harness/gobuild"
	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/labs/doctor"
	"github.com/baselab/baselab/labs/lab"
	"github.com/baselab/baselab/labs/labtest"
	"github.com/moby/moby/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

//go:embed testdata
var testdata embed.FS

// want is one finding a case must have.
type want struct {
	check    string
	severity doctor.Severity
	face     string
	file     string // "" matches the image config
	text     string // a substring of the face's text
}

// fixture is one small image and the findings doctor must give it: exactly
// these errors (no other), and at least these warnings; a control (no want)
// gets no finding at all.
type fixture struct {
	name       string
	dockerfile string
	bases      map[string]images.Key
	app        bool // the Go program tlstz is in the context as "app"
	want       []want
	// fixedBy names the fixture that fixes this one, the same file where
	// it works: --confirm must not confirm this one's findings there.
	fixedBy string
}

const site = "/usr/local/lib/python3.11/site-packages"

// slimSite is where the python-slim stand-in's CPython (Debian's python3)
// looks for what pip installs: dist-packages, not the official image's
// site-packages, which it never reads (its sys.path, printed in the image).
// The python-slim fixtures copy their module into both (slimCopy), so they
// hold on the real python:3.11-slim (site-packages) as on the stand-in.
const slimSite = "/usr/local/lib/python3.11/dist-packages"

// slimCopy copies src to rel under both interpreters' package folders.
func slimCopy(src, rel string) string {
	return "COPY --from=b " + src + " " + slimSite + "/" + rel + "\nCOPY --from=b " + src + " " + site + "/" + rel + "\n"
}

var fixtures = []fixture{
	// 1. missing loader
	{name: "a glibc program on alpine has no loader",
		dockerfile: "FROM ${BUILD} AS b\nFROM ${ALPINE}\nCOPY --from=b /out/hello /app\nENTRYPOINT [\"/app\"]\n",
		bases:      map[string]images.Key{"ALPINE": images.Alpine},
		want:       []want{{doctor.CheckLoader, doctor.SevError, doctor.FaceExecNotFound, "/app", "exec /app: no such file or directory"}},
		fixedBy:    "a musl program on alpine finds its loader"},
	{name: "a musl program on alpine finds its loader",
		dockerfile: "FROM ${BUILD} AS b\nFROM ${ALPINE}\nCOPY --from=b /out/hello-musl /app\nENTRYPOINT [\"/app\"]\n",
		bases:      map[string]images.Key{"ALPINE": images.Alpine}},
	// 2. missing libraries
	{name: "a library copied into /usr/local/lib without ldconfig is not found on slim",
		dockerfile: "FROM ${BUILD} AS b\nFROM ${SLIM}\nCOPY --from=b /out/app /usr/local/bin/app\nCOPY --from=b /out/lib/libgreet.so /usr/local/lib/\nENTRYPOINT [\"app\"]\n",
		bases:      map[string]images.Key{"SLIM": images.Slim},
		want: []want{{doctor.CheckLibrary, doctor.SevError, doctor.FaceLibraryNotFound, "/usr/local/bin/app",
			"error while loading shared libraries: libgreet.so: cannot open shared object file"}},
		fixedBy: "the same library loads once ldconfig has run"},
	{name: "the same library loads once ldconfig has run",
		dockerfile: "FROM ${BUILD} AS b\nFROM ${SLIM}\nCOPY --from=b /out/app /usr/local/bin/app\nCOPY --from=b /out/lib/libgreet.so /usr/local/lib/\nRUN ldconfig\nENTRYPOINT [\"app\"]\n",
		bases:      map[string]images.Key{"SLIM": images.Slim}},
	{name: "a musl program's library missing on alpine",
		dockerfile: "FROM ${BUILD} AS b\nFROM ${ALPINE}\nCOPY --from=b /out/app-musl /app\nENTRYPOINT [\"/app\"]\n",
		bases:      map[string]images.Key{"ALPINE": images.Alpine},
		want: []want{{doctor.CheckLibrary, doctor.SevError, doctor.FaceLibraryNotFound, "/app",
			"Error loading shared library libgreet-musl.so: No such file or directory (needed by /app)"}},
		fixedBy: "the musl library found through /usr/lib"},
	{name: "the musl library found through /usr/lib",
		dockerfile: "FROM ${BUILD} AS b\nFROM ${ALPINE}\nCOPY --from=b /out/app-musl /app\nCOPY --from=b /out/lib/libgreet-musl.so /usr/lib/\nENTRYPOINT [\"/app\"]\n",
		bases:      map[string]images.Key{"ALPINE": images.Alpine}},
	// 3. missing symbols and versions
	{name: "a program built against trixie's glibc needs GLIBC_2.38 on bookworm slim",
		dockerfile: "newglibc.Dockerfile", bases: map[string]images.Key{"SLIM": images.Slim},
		want: []want{{doctor.CheckSymbol, doctor.SevError, doctor.FaceVersionNotFound, "/usr/local/bin/newglibc",
			"version `GLIBC_2.38' not found (required by /usr/local/bin/newglibc)"}},
		fixedBy: "the same program rebuilt against bookworm's glibc runs on bookworm slim"},
	{name: "a program built against bookworm's glibc runs on bookworm slim",
		dockerfile: "FROM ${BUILD} AS b\nFROM ${SLIM}\nCOPY --from=b /out/hello /usr/local/bin/hello\nENTRYPOINT [\"hello\"]\n",
		bases:      map[string]images.Key{"SLIM": images.Slim}},
	{name: "the same program rebuilt against bookworm's glibc runs on bookworm slim",
		dockerfile: "FROM ${BUILD} AS b\nFROM ${SLIM}\nCOPY --from=b /out/hello /usr/local/bin/newglibc\nENTRYPOINT [\"/usr/local/bin/newglibc\"]\n",
		bases:      map[string]images.Key{"SLIM": images.Slim}},
	{name: "a fortified glibc extension on python-alpine fails to relocate and calls GNU strerror_r",
		dockerfile: "FROM ${BUILD} AS b\nFROM ${PYALPINE}\nCOPY --from=b /out/ext.so " + site + "/pkg/_ext.abi3.so\n",
		bases:      map[string]images.Key{"PYALPINE": images.PythonAlpine},
		want: []want{
			{doctor.CheckSymbol, doctor.SevError, doctor.FaceImportError, site + "/pkg/_ext.abi3.so",
				"ImportError: Error relocating " + site + "/pkg/_ext.abi3.so: __snprintf_chk: symbol not found"},
			// 4. same name, other meaning
			{doctor.CheckSemantics, doctor.SevError, doctor.FaceSegfault, site + "/pkg/_ext.abi3.so", "strerror_r"},
		},
		fixedBy: "the same extension on python-slim binds to glibc"},
	{name: "the same extension on python-slim binds to glibc",
		dockerfile: "FROM ${BUILD} AS b\nFROM ${PYSLIM}\n" + slimCopy("/out/ext.so", "pkg/_ext.abi3.so"),
		bases:      map[string]images.Key{"PYSLIM": images.PythonSlim}},
	// 5. Python
	{name: "a package copied from a glibc stage into python-alpine is not found",
		dockerfile: "FROM ${BUILD} AS b\nFROM ${PYALPINE}\nCOPY --from=b /out/ext-gnu.so " + site + "/pkg/_mod.cpython-311-x86_64-linux-gnu.so\n" +
			"RUN mkdir -p " + site + "/pkg-1.0.dist-info && printf 'Wheel-Version: 1.0\\nTag: cp311-cp311-manylinux_2_36_x86_64\\n' > " + site + "/pkg-1.0.dist-info/WHEEL\n",
		bases: map[string]images.Key{"PYALPINE": images.PythonAlpine},
		want: []want{
			{doctor.CheckPython, doctor.SevError, doctor.FaceModuleNotFound, site + "/pkg/_mod.cpython-311-x86_64-linux-gnu.so",
				"ModuleNotFoundError: No module named 'pkg._mod'"},
			{doctor.CheckPython, doctor.SevWarning, doctor.FaceImportError, site + "/pkg-1.0.dist-info/WHEEL", ""},
		},
		fixedBy: "the same package in python-slim is imported"},
	{name: "the same package in python-slim is imported",
		dockerfile: "FROM ${BUILD} AS b\nFROM ${PYSLIM}\n" + slimCopy("/out/ext-gnu.so", "pkg/_mod.cpython-311-x86_64-linux-gnu.so"),
		bases:      map[string]images.Key{"PYSLIM": images.PythonSlim}},
	// 6, 7. CA bundle, time zones
	{name: "a Go program doing TLS and zones on scratch has neither bundle nor zoneinfo",
		dockerfile: "FROM ${SCRATCH}\nCOPY app /app\nENTRYPOINT [\"/app\"]\n", app: true,
		bases: map[string]images.Key{"SCRATCH": images.Scratch},
		want: []want{
			{doctor.CheckCA, doctor.SevWarning, doctor.FaceX509, "/app", "x509: certificate signed by unknown authority"},
			{doctor.CheckZone, doctor.SevWarning, doctor.FaceUnknownZone, "/app", "unknown time zone"},
		},
		fixedBy: "distroless-static has the bundle, zoneinfo and nonroot"},
	{name: "TZ set on scratch without zoneinfo",
		dockerfile: "FROM ${SCRATCH}\nCOPY app /app\nENV TZ=Europe/Berlin\nENTRYPOINT [\"/app\"]\n", app: true,
		bases:   map[string]images.Key{"SCRATCH": images.Scratch},
		want:    []want{{doctor.CheckZone, doctor.SevWarning, doctor.FaceUnknownZone, "", "unknown time zone Europe/Berlin"}},
		fixedBy: "distroless-static has the bundle, zoneinfo and nonroot"},
	// 8. users
	{name: "USER nobody on scratch: the engine will refuse to start it",
		dockerfile: "FROM ${SCRATCH}\nCOPY app /app\nUSER nobody\nENTRYPOINT [\"/app\"]\n", app: true,
		bases: map[string]images.Key{"SCRATCH": images.Scratch},
		want: []want{{doctor.CheckUser, doctor.SevError, doctor.FaceUnknownUser, "",
			"unable to find user nobody: no matching entries in passwd file"}},
		fixedBy: "distroless-static has the bundle, zoneinfo and nonroot"},
	{name: "USER 65534 on scratch runs in group 0",
		dockerfile: "FROM ${SCRATCH}\nCOPY app /app\nUSER 65534\nENTRYPOINT [\"/app\"]\n", app: true,
		bases:   map[string]images.Key{"SCRATCH": images.Scratch},
		want:    []want{{doctor.CheckUser, doctor.SevWarning, doctor.FaceGroupZero, "", "group 0"}},
		fixedBy: "distroless-static has the bundle, zoneinfo and nonroot"},
	{name: "distroless-static has the bundle, zoneinfo and nonroot",
		dockerfile: "FROM ${DSTATIC}\nCOPY app /app\nUSER nonroot\nENTRYPOINT [\"/app\"]\n", app: true,
		bases: map[string]images.Key{"DSTATIC": images.DistrolessStatic}},
	// 9. interpreters
	{name: "bash named on alpine",
		dockerfile: "FROM ${ALPINE}\nENTRYPOINT [\"/bin/bash\", \"-c\", \"echo hi\"]\n",
		bases:      map[string]images.Key{"ALPINE": images.Alpine},
		want:       []want{{doctor.CheckInterpreter, doctor.SevError, doctor.FaceExecNotFound, "", `exec: "/bin/bash": stat /bin/bash: no such file or directory`}},
		fixedBy:    "sh -c on alpine"},
	{name: "sh -c on distroless-static",
		dockerfile: "FROM ${DSTATIC}\nCOPY app /app\nCMD [\"sh\", \"-c\", \"/app\"]\n", app: true,
		bases:   map[string]images.Key{"DSTATIC": images.DistrolessStatic},
		want:    []want{{doctor.CheckInterpreter, doctor.SevError, doctor.FaceExecNotFound, "", `exec: "sh": executable file not found in $PATH`}},
		fixedBy: "distroless-static has the bundle, zoneinfo and nonroot"},
	{name: "a bash script as entrypoint on alpine",
		dockerfile: "FROM ${ALPINE}\nRUN mkdir -p /usr/local/bin && printf '#!/bin/bash\\necho hi\\n' > /usr/local/bin/run.sh && chmod +x /usr/local/bin/run.sh\nENTRYPOINT [\"run.sh\"]\n",
		bases:      map[string]images.Key{"ALPINE": images.Alpine},
		want:       []want{{doctor.CheckInterpreter, doctor.SevError, doctor.FaceExecNotFound, "/usr/local/bin/run.sh", "#!/bin/bash"}},
		fixedBy:    "sh -c on alpine"},
	{name: "sh -c on alpine",
		dockerfile: "FROM ${ALPINE}\nRUN mkdir -p /usr/local/bin && printf '#!/bin/sh\\necho hi\\n' > /usr/local/bin/run.sh && chmod +x /usr/local/bin/run.sh\nCMD [\"sh\", \"-c\", \"run.sh\"]\n",
		bases:      map[string]images.Key{"ALPINE": images.Alpine}},
	// 10. DNS configuration
	{name: "RES_OPTIONS on alpine is ignored",
		dockerfile: "FROM ${ALPINE}\nENV RES_OPTIONS=single-request\n",
		bases:      map[string]images.Key{"ALPINE": images.Alpine},
		want:       []want{{doctor.CheckDNS, doctor.SevWarning, doctor.FaceDNSIgnored, "", "RES_OPTIONS"}}},
	// glibc 2.36's built-in default is "files dns" (nss/nss_database.c):
	// only a glibc before 2.35 asks DNS first (TestConfirmDNSOrder builds
	// bullseye's 2.31 for that side).
	{name: "slim without nsswitch.conf still reads /etc/hosts first",
		dockerfile: "FROM ${SLIM}\nRUN rm /etc/nsswitch.conf\n",
		bases:      map[string]images.Key{"SLIM": images.Slim},
		want:       nil},
}

// inspectedFixtures builds the fixtures and inspects each, once per test
// binary: TestFindings reads the reports, TestConfirm runs a copy of them.
// An inspection reads the image's files (2–3 s for a slim-based one), and
// both tests inspecting all of them one after another cost 20 s of this
// package's run.
func inspectedFixtures(t *testing.T, env *lab.Env) ([]string, []*doctor.Report) {
	t.Helper()
	inspected.Do(func() {
		refs := buildFixtures(t, env, fixtures)
		reports := make([]*doctor.Report, len(refs))
		errs := make([]error, len(refs))
		lab.InParallel(len(refs), 2, func(i int) {
			reports[i], errs[i] = doctor.Inspect(context.Background(), env.Engine, refs[i])
		})
		if err := errors.Join(errs...); err != nil {
			inspected.err = err
			return
		}
		inspected.refs, inspected.reports = refs, reports
	})
	require.NoError(t, inspected.err)
	require.NotNil(t, inspected.refs, "the fixtures were not built: see the first test that asked")
	reports := make([]*doctor.Report, len(inspected.reports))
	for i, r := range inspected.reports {
		c := *r
		c.Findings = slices.Clone(r.Findings)
		reports[i] = &c
	}
	return inspected.refs, reports
}

var inspected struct {
	sync.Once
	refs    []string
	reports []*doctor.Report
	err     error
}

func TestFindings(t *testing.T) {
	env := labtest.Env(t)
	_, reports := inspectedFixtures(t, env)
	for i, fx := range fixtures {
		t.Run(fx.name, func(t *testing.T) {
			r := reports[i]
			matched := map[int]bool{}
			for _, w := range fx.want {
				j := find(r, w)
				if assert.GreaterOrEqual(t, j, 0, "want %s %s %s on %q with %q\n%s", w.severity, w.check, w.face, w.file, w.text, dump(r)) {
					matched[j] = true
				}
			}
			if fx.want == nil {
				// A control: the fix, or the same file where it works.
				assert.Empty(t, r.Findings, "a control has no finding at all")
			}
			for j, f := range r.Findings {
				if f.Severity == doctor.SevError && !matched[j] {
					t.Errorf("unexpected error finding: %+v", f)
				}
			}
		})
	}
}

func find(r *doctor.Report, w want) int {
	for j, f := range r.Findings {
		if f.Check == w.check && f.Severity == w.severity && f.Face == w.face && f.File == w.file && strings.Contains(f.Text+" "+f.Evidence, w.text) {
			return j
		}
	}
	return -1
}

func dump(r *doctor.Report) string {
	b, _ := json.MarshalIndent(r.Findings, "", " ")
	return string(b)
}

// buildFixtures builds the C fixtures once, then every case's image on it.
func buildFixtures(t *testing.T, env *lab.Env, fxs []fixture) []string {
	t.Helper()
	ctx := context.Background()
	src, err := fs.Sub(testdata, "testdata")
	require.NoError(t, err)
	files := map[string][]byte{}
	require.NoError(t, fs.WalkDir(src, "src", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files[p], err = fs.ReadFile(src, p)
		return err
	}))
	df, err := fs.ReadFile(src, "build.Dockerfile")
	require.NoError(t, err)
	build, err := env.Catalog.Derive(ctx, images.Derived{Name: "doctor-build", Dockerfile: string(df), Files: files,
		Bases: map[string]images.Key{"BUILDER": images.Builder}, Lab: "doctor"})
	require.NoError(t, err)
	app, err := gobuild.Source(ctx, src, "tlstz", gobuild.Options{})
	require.NoError(t, err)

	refs := make([]string, len(fxs))
	errs := make([]error, len(fxs))
	lab.InParallel(len(fxs), 3, func(i int) {
		fx := fxs[i]
		text := fx.dockerfile
		ctxFiles := map[string][]byte{}
		if strings.HasSuffix(text, ".Dockerfile") {
			b, err := fs.ReadFile(src, text)
			if err != nil {
				errs[i] = err
				return
			}
			text = string(b)
			ctxFiles["src/newglibc.c"] = files["src/newglibc.c"]
		}
		var head strings.Builder
		head.WriteString("ARG BUILD\n")
		for _, arg := range slices.Sorted(maps.Keys(fx.bases)) { // a stable text: the image's tag hashes it
			head.WriteString("ARG " + arg + "\n")
		}
		if fx.app {
			ctxFiles["app"] = app
		}
		im, err := env.Catalog.Derive(ctx, images.Derived{Name: "doctor-" + slug(fx.name), Dockerfile: head.String() + text,
			Files: ctxFiles, Bases: fx.bases, Args: map[string]string{"BUILD": build.Ref}, Lab: "doctor"})
		refs[i], errs[i] = im.Ref, err
	})
	for i, err := range errs {
		require.NoError(t, err, fxs[i].name)
	}
	return refs
}

func slug(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	out := strings.Trim(b.String(), "-")
	if len(out) > 60 {
		out = out[:60]
	}
	return strings.Trim(out, "-")
}

func TestBadInputIsOneLineExit3(t *testing.T) {
	env := labtest.Env(t)
	ctx := context.Background()
	text, err := env.Catalog.Derive(ctx, images.Derived{Name: "doctor-text-only", Lab: "doctor",
		Dockerfile: "ARG SCRATCH\nFROM ${SCRATCH}\nCOPY notes.txt /notes.txt\n", Files: map[string][]byte{"notes.txt": []byte("no program here\n")},
		Bases: map[string]images.Key{"SCRATCH": images.Scratch}})
	require.NoError(t, err)
	scratch, err := env.Catalog.Ensure(ctx, images.Scratch)
	require.NoError(t, err)
	cases := []struct{ name, ref, says string }{
		{"an image the engine does not have is not pulled", "baselab/doctor-no-such-image:never", "the engine has no such image"},
		{"a text-only image has nothing that runs", text.Ref, "holds no ELF file"},
		{"scratch itself has nothing that runs", scratch.Ref, "holds no ELF file"},
	}
	// Other platforms' images, loaded from an archive written here (no
	// registry): an arm64 one the engine keeps; a windows one a Linux
	// engine with the classic store refuses to load at all ("cannot load
	// windows image on linux") — then doctor can never be handed one by
	// it, and TestJudgeable holds the check.
	for _, p := range []struct{ os, arch, says string }{
		{"linux", "arm64", "is a linux/arm64 image"},
		{"windows", "amd64", "is a windows image"},
	} {
		ref, refused := loadPlatformImage(t, env, p.os, p.arch)
		if refused != "" {
			t.Logf("the engine refuses a %s/%s image: %s", p.os, p.arch, refused)
			continue
		}
		cases = append(cases, struct{ name, ref, says string }{"a " + p.os + "/" + p.arch + " image", ref, p.says})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			junitFile := filepath.Join(t.TempDir(), "doctor.xml")
			code := doctor.Command{JUnit: junitFile}.Run(ctx, []string{c.ref}, &out, &errb)
			assert.Equal(t, doctor.ExitBadImage, code)
			assert.Empty(t, out.String())
			assert.Equal(t, 1, strings.Count(errb.String(), "\n"), errb.String())
			assert.Contains(t, errb.String(), c.says)
			assert.NoFileExists(t, junitFile, "nothing is written for an image doctor cannot judge")
		})
	}
}

// loadPlatformImage loads a one-layer image whose config names os/arch,
// labelled as baselab's and removed at cleanup; refused is the engine's
// message when it will not hold such an image.
func loadPlatformImage(t *testing.T, env *lab.Env, osName, arch string) (ref, refused string) {
	t.Helper()
	ctx := context.Background()
	layer := tarFiles(t, map[string][]byte{"app": []byte("#!/bin/sh\necho hi\n")})
	diff := sha256.Sum256(layer)
	ref = fmt.Sprintf("baselab/lab-doctor-%s-%s:%s", osName, arch, env.Engine.RunID)
	cfg, err := json.Marshal(map[string]any{"architecture": arch, "os": osName,
		"config": map[string]any{"Entrypoint": []string{"/app"}, "Labels": env.Engine.Labels(map[string]string{engine.LabelLab: "doctor"})},
		"rootfs": map[string]any{"type": "layers", "diff_ids": []string{fmt.Sprintf("sha256:%x", diff)}}})
	require.NoError(t, err)
	cfgName := fmt.Sprintf("%x.json", sha256.Sum256(cfg))
	manifest, err := json.Marshal([]map[string]any{{"Config": cfgName, "RepoTags": []string{ref}, "Layers": []string{"layer/layer.tar"}}})
	require.NoError(t, err)
	archive := tarFiles(t, map[string][]byte{cfgName: cfg, "layer/layer.tar": layer, "manifest.json": manifest})
	res, err := env.Engine.API.ImageLoad(ctx, bytes.NewReader(archive), client.ImageLoadWithQuiet(true))
	require.NoError(t, err)
	body, err := io.ReadAll(res)
	res.Close()
	require.NoError(t, err)
	var msg struct {
		ErrorDetail *struct{ Message string } `json:"errorDetail"`
	}
	if json.Unmarshal(bytes.TrimSpace(body), &msg) == nil && msg.ErrorDetail != nil {
		return "", msg.ErrorDetail.Message
	}
	t.Cleanup(func() {
		_, _ = env.Engine.API.ImageRemove(context.WithoutCancel(ctx), ref, client.ImageRemoveOptions{Force: true})
	})
	ins, err := env.Engine.API.ImageInspect(ctx, ref)
	require.NoError(t, err, "loaded: %s", body)
	require.Equal(t, osName+"/"+arch, ins.Os+"/"+ins.Architecture)
	return ref, ""
}

func tarFiles(t *testing.T, files map[string][]byte) []byte {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, name := range slices.Sorted(maps.Keys(files)) {
		require.NoError(t, tw.WriteHeader(&tar.Header{Name: name, Mode: 0o755, Size: int64(len(files[name])), Typeflag: tar.TypeReg}))
		_, err := tw.Write(files[name])
		require.NoError(t, err)
	}
	require.NoError(t, tw.Close())
	return b.Bytes()
}

func TestOutputs(t *testing.T) {
	r := &doctor.Report{Image: "myapp:alpine", ID: "sha256:0123456789abcdef", Libc: "musl", Findings: []doctor.Finding{
		{Check: doctor.CheckLoader, Severity: doctor.SevError, Face: doctor.FaceExecNotFound, Text: "exec /app: no such file or directory", File: "/app", Evidence: "PT_INTERP /lib64/ld-linux-x86-64.so.2 is not in the image", Lab: "wheel"},
		{Check: doctor.CheckCA, Severity: doctor.SevWarning, Face: doctor.FaceX509, Text: "x509: certificate signed by unknown authority", File: "/app", Evidence: "no bundle", Lab: "scratch"},
	}}
	var text bytes.Buffer
	doctor.WriteText(&text, r)
	assert.Contains(t, text.String(), "1 errors, 1 warnings")
	assert.Less(t, strings.Index(text.String(), doctor.FaceExecNotFound), strings.Index(text.String(), doctor.FaceX509), "worst face first")

	var js bytes.Buffer
	require.NoError(t, doctor.WriteJSON(&js, r))
	var back []doctor.Report
	require.NoError(t, json.Unmarshal(js.Bytes(), &back))
	assert.Equal(t, r.Findings, back[0].Findings)

	var ju bytes.Buffer
	require.NoError(t, doctor.WriteJUnit(&ju, "baselab doctor", r))
	var suites struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
	}
	require.NoError(t, xml.Unmarshal(ju.Bytes(), &suites))
	assert.Equal(t, 10, suites.Tests, "one case per check")
	assert.Equal(t, 1, suites.Failures, "the error fails its case; the warning does not")
}

// BenchmarkFull judges the full catalog image (Debian bookworm, 192 MB,
// about 9,800 files and 900 ELF objects): the export through the engine,
// then the checks; the second figure is the checks alone.
func BenchmarkFull(b *testing.B) {
	env := labtest.Env(b)
	ctx := context.Background()
	full, err := env.Catalog.Ensure(ctx, images.Full)
	require.NoError(b, err)
	b.Run("load+diagnose", func(b *testing.B) {
		for b.Loop() {
			_, err := doctor.Inspect(ctx, env.Engine, full.Ref)
			require.NoError(b, err)
		}
	})
	im, err := doctor.Load(ctx, env.Engine, full.Ref)
	require.NoError(b, err)
	b.Run("diagnose", func(b *testing.B) {
		for b.Loop() {
			doctor.Diagnose(im)
		}
	})
}

// notRun are the findings --confirm cannot provoke by itself, each with
// its reason: a crash or other result needs a call into the function; a
// wheel's tag is confirmed through its modules; a DNS finding needs the
// user's lookup command (--probe; TestConfirmDNS runs it).
func notRun(r *doctor.Report, f doctor.Finding) bool {
	if f.Check != doctor.CheckUser && strings.HasPrefix(f.Confirm, "not run: the container does not start: ") {
		// The image's user is unknown: nothing runs in it, as predicted.
		return r.Faces(doctor.SevError)[doctor.FaceUnknownUser]
	}
	return f.Face == doctor.FaceSegfault || f.Face == doctor.FaceOtherResult || f.Check == doctor.CheckDNS ||
		f.Check == doctor.CheckPython && f.Severity == doctor.SevWarning
}

// shown is the part of the face the run must print: the predicted text,
// but for those whose text names what the run chooses (the zone, the uid).
func shown(f doctor.Finding) string {
	switch f.Face {
	case doctor.FaceUnknownZone:
		return "unknown time zone "
	case doctor.FaceGroupZero:
		return " gid 0 "
	}
	return f.Text
}

// TestConfirm provokes every finding of the fixtures in a container of its
// image: each must show its face (but those notRun names, which must say
// why); then the same findings, run on the fixture that fixes them (the
// same file, where it works), must not be confirmed there.
func TestConfirm(t *testing.T) {
	env := labtest.Env(t)
	ctx := context.Background()
	refs, reports := inspectedFixtures(t, env)
	byName := map[string]string{}
	for i, fx := range fixtures {
		byName[fx.name] = refs[i]
	}
	counts := map[string]int{}
	for i, fx := range fixtures {
		if len(fx.want) == 0 {
			continue
		}
		t.Run(fx.name, func(t *testing.T) {
			r := reports[i]
			require.NoError(t, doctor.Confirm(ctx, env, "", r))
			var ran []doctor.Finding
			for _, f := range r.Findings {
				t.Logf("%s %s %s: %s", f.Severity, f.Check, orConfigFile(f.File), f.Confirm)
				if notRun(r, f) {
					assert.Regexp(t, `^not run: \S`, f.Confirm, "%s %s", f.Check, f.File)
					continue
				}
				if assert.True(t, strings.HasPrefix(f.Confirm, "confirmed: "), "%s %s: %s", f.Check, f.File, f.Confirm) {
					counts["confirmed"]++
				}
				// The face predicted is the text the run printed.
				assert.Contains(t, f.Confirm, shown(f), "%s %s", f.Check, f.File)
				f.Confirm = ""
				ran = append(ran, f)
			}
			if len(ran) == 0 {
				return
			}
			require.NotEmpty(t, fx.fixedBy, "a fixture with findings that run names the one that fixes it")
			fixed := &doctor.Report{Image: byName[fx.fixedBy], Findings: ran}
			require.NoError(t, doctor.Confirm(ctx, env, "", fixed))
			for _, f := range fixed.Findings {
				t.Logf("on %q: %s %s: %s", fx.fixedBy, f.Check, orConfigFile(f.File), f.Confirm)
				if assert.True(t, strings.HasPrefix(f.Confirm, "not confirmed: "), "%s %s on %q: %s", f.Check, f.File, fx.fixedBy, f.Confirm) {
					counts["not confirmed on the fix"]++
				}
			}
		})
	}
	t.Logf("confirm: %v", counts)
}

func orConfigFile(f string) string {
	if f == "" {
		return "(image config)"
	}
	return f
}
