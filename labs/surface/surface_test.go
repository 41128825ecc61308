package surface_test

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/harness/record"
	"github.com/baselab/baselab/labs/labtest"
	"github.com/baselab/baselab/labs/surface"
	"github.com/spf13/pflag"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSurface runs the surface lab on every catalog base and holds each cell
// to the table and to what the bases' recipes (fixtures/images) put in them.
func TestSurface(t *testing.T) {
	t.Parallel()
	env := labtest.Env(t)
	out := t.TempDir()
	w, err := record.Create(out)
	require.NoError(t, err)
	t.Cleanup(func() { _ = w.Close() })
	env.Out = w
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	rs, err := surface.New().Run(ctx, env)
	require.NoError(t, err)

	by := map[string]record.Record{}
	for _, r := range rs {
		by[r.Variant] = r
	}
	require.Len(t, rs, len(images.Keys()), "a record for every catalog base")
	written, err := record.Read(out)
	require.NoError(t, err)
	assert.Len(t, written, len(rs), "every record reaches results.jsonl")
	scanner := surface.FindScanner(exec.LookPath, os.Getenv, glob)

	t.Run("every field the records carry is declared, and every declared field is in some record", func(t *testing.T) {
		seen := labtest.CheckFields(t, surface.New(), written...)
		for _, f := range surface.Fields {
			if f.Name == "cves_by_severity" && scanner.Path == "" {
				continue // written only beside a count
			}
			assert.True(t, seen[f.Name], "surface.Fields declares %q but no record carries it", f.Name)
		}
	})

	for _, v := range surface.Variants() {
		t.Run(string(v.Base)+" is "+v.Expect+", its packages read from "+v.DB, func(t *testing.T) {
			r, ok := by[string(v.Base)]
			require.True(t, ok)
			assert.Equal(t, v.Expect, r.Outcome, "detail: %s\nevidence: %s", r.Detail, r.Evidence)
			assert.Equal(t, v.DB, r.Extra["package_db"])
			for _, k := range []string{"packages", "shells", "package_manager", "setuid", "world_writable", "files", "user", "cves"} {
				assert.Contains(t, r.Extra, k)
			}
			// No recipe in fixtures/images sets USER: every base runs as root,
			// as debian, alpine and distroless's default (non-:nonroot) tags do.
			assert.Equal(t, "", r.Extra["user"])
			assert.Equal(t, true, r.Extra["runs_as_root"])
			sbomMatchesRecord(t, r)
		})
	}

	count := func(base images.Key, field string) int {
		t.Helper()
		r, ok := by[string(base)]
		require.True(t, ok)
		return int(r.Int(field))
	}
	list := func(base images.Key, field string) []string {
		t.Helper()
		var out []string
		for _, x := range by[string(base)].Extra[field].([]string) {
			out = append(out, x)
		}
		return out
	}
	// A fact about a stand-in's recipe says nothing about the registry
	// image when the engine has that instead (BASELAB_IMAGES=registry, or a
	// mirror): it is skipped with the reason, never asserted on the real
	// image.
	standinOnly := func(check func(t *testing.T), keys ...images.Key) func(t *testing.T) {
		return func(t *testing.T) {
			for _, k := range keys {
				if r, ok := by[string(k)]; ok && !r.Standin {
					t.Skipf("%s is the registry image %s here, not the stand-in this fact describes", k, r.Image)
				}
			}
			check(t)
		}
	}
	facts := []struct {
		name  string
		check func(t *testing.T)
	}{
		{"full lists more packages than slim, slim than distroless-static, and scratch none", func(t *testing.T) {
			assert.Greater(t, count(images.Full, "packages"), count(images.Slim, "packages"))
			assert.Greater(t, count(images.Slim, "packages"), count(images.DistrolessStatic, "packages"))
			assert.Positive(t, count(images.DistrolessStatic, "packages"))
			assert.Zero(t, count(images.Scratch, "packages"))
		}},
		{"distroless-static lists the four packages its recipe copies from", standinOnly(func(t *testing.T) {
			assert.Equal(t, []string{"base-files", "ca-certificates", "netbase", "tzdata"}, sbomPackages(t, by[string(images.DistrolessStatic)]))
		}, images.DistrolessStatic)},
		{"distroless-base adds glibc and libssl to them", standinOnly(func(t *testing.T) {
			assert.Equal(t, []string{"base-files", "ca-certificates", "libc6", "libssl3", "netbase", "tzdata"}, sbomPackages(t, by[string(images.DistrolessBase)]))
		}, images.DistrolessBase)},
		{"the alpine stand-in's apk database lists musl and busybox", standinOnly(func(t *testing.T) {
			assert.Equal(t, []string{"busybox", "musl"}, sbomPackages(t, by[string(images.Alpine)]))
		}, images.Alpine)},
		{"distroless and scratch have no shell and no package manager", func(t *testing.T) {
			for _, k := range []images.Key{images.DistrolessStatic, images.DistrolessBase, images.Scratch} {
				assert.Empty(t, list(k, "shells"), k)
				assert.Empty(t, list(k, "package_manager"), k)
			}
		}},
		{"Debian bases have bash, dash, sh, apt and dpkg", func(t *testing.T) {
			for _, k := range []images.Key{images.Slim, images.Full, images.PythonSlim, images.Builder} {
				assert.Subset(t, list(k, "shells"), []string{"bash", "dash", "sh"}, k)
				assert.Subset(t, list(k, "package_manager"), []string{"apt", "dpkg"}, k)
			}
		}},
		{"the alpine stand-in's shell is busybox and it has no apk, nor the dpkg applet its recipe removes", standinOnly(func(t *testing.T) {
			assert.Contains(t, list(images.Alpine, "shells"), "sh (busybox applet)")
			assert.NotContains(t, list(images.Alpine, "package_manager"), "apk")
			assert.NotContains(t, list(images.Alpine, "package_manager"), "dpkg (busybox applet)")
		}, images.Alpine)},
		{"pip comes with Debian's python3-pip, not with the musl CPython built --without-ensurepip", standinOnly(func(t *testing.T) {
			assert.Contains(t, list(images.PythonSlim, "package_manager"), "pip")
			assert.NotContains(t, list(images.PythonAlpine, "package_manager"), "pip")
		}, images.PythonSlim, images.PythonAlpine)},
		{"setuid root programs (su, passwd, mount) come with Debian's base, and nowhere else", func(t *testing.T) {
			assert.Contains(t, list(images.Slim, "setuid"), "/usr/bin/su")
			for _, k := range []images.Key{images.Alpine, images.DistrolessStatic, images.DistrolessBase, images.Scratch, images.PythonAlpine} {
				assert.Empty(t, list(k, "setuid"), k)
			}
		}},
		{"every world-writable folder carries the sticky bit", func(t *testing.T) {
			for _, k := range images.Keys() {
				assert.Empty(t, list(k, "world_writable_nonsticky"), k)
			}
			assert.Contains(t, list(images.DistrolessStatic, "world_writable"), "/tmp")
		}},
		{"the musl CPython lives under /usr/local, in no package database", standinOnly(func(t *testing.T) {
			assert.Positive(t, count(images.PythonAlpine, "local_files"))
			assert.Zero(t, count(images.PythonSlim, "local_files"))
		}, images.PythonSlim, images.PythonAlpine)},
		{"file counts follow the recipes: scratch none, alpine's few, distroless's zoneinfo, Debian's thousands", standinOnly(func(t *testing.T) {
			assert.Zero(t, count(images.Scratch, "files"))
			assert.Less(t, count(images.Alpine, "files"), count(images.DistrolessStatic, "files"))
			assert.Less(t, count(images.DistrolessStatic, "files"), count(images.Slim, "files"))
			assert.Less(t, count(images.Slim, "files"), count(images.Full, "files"))
		}, images.Alpine, images.DistrolessStatic)},
		{"scratch and the distroless stand-ins carry nothing removable: they are copied file by file", standinOnly(func(t *testing.T) {
			for _, k := range []images.Key{images.Scratch, images.DistrolessStatic, images.DistrolessBase} {
				assert.Zero(t, count(k, "removable_bytes"), k)
			}
		}, images.DistrolessStatic, images.DistrolessBase)},
		{"a CVE count exists only when a scanner with a local database does, else null with the reason", func(t *testing.T) {
			for _, r := range rs {
				if scanner.Path == "" {
					assert.Nil(t, r.Extra["cves"], r.Variant)
					assert.Contains(t, r.Detail, "CVEs not counted: "+scanner.Why, r.Variant)
				} else {
					assert.NotNil(t, r.Extra["cves"], r.Variant)
				}
			}
		}},
	}
	for _, f := range facts {
		t.Run(f.name, f.check)
	}
}

// TestSurfaceRunsOnlyTheCellsAsked holds the lab to env.Only: `baselab
// claims` asking about scratch inspects scratch alone.
func TestSurfaceRunsOnlyTheCellsAsked(t *testing.T) {
	t.Parallel()
	env := labtest.Env(t)
	env.Only = []string{"scratch"}
	rs, err := surface.New().Run(context.Background(), env)
	require.NoError(t, err)
	require.Len(t, rs, 1)
	assert.Equal(t, "scratch", rs[0].Variant)
	assert.Equal(t, surface.Empty, rs[0].Outcome)
}

// TestSurfaceConfig: the variants list and a wrong base need no engine.
func TestSurfaceConfig(t *testing.T) {
	l := surface.New()
	var all []string
	for _, v := range surface.Variants() {
		all = append(all, string(v.Base))
	}
	assert.Equal(t, all, l.Variants(), "the default is every base")
	fs := pflag.NewFlagSet("surface", pflag.ContinueOnError)
	l.Config.Bind(fs)
	require.NoError(t, fs.Parse([]string{"--bases", "scratch,slim"}))
	require.NoError(t, l.Validate([]string{"slim"}))
	assert.Equal(t, []string{"scratch", "slim"}, l.Variants(), "in the order --bases names them")
	err := l.Validate([]string{"alpine"})
	require.Error(t, err, "a base --bases leaves out is no variant")
	l = surface.New()
	fs = pflag.NewFlagSet("surface", pflag.ContinueOnError)
	l.Config.Bind(fs)
	require.NoError(t, fs.Parse([]string{"--bases", "ubuntu"}))
	err = l.Validate(nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `unknown image key "ubuntu"`)
	assert.NotContains(t, err.Error(), "\n", "one line")
}

func glob(pattern string) []string {
	m, _ := filepath.Glob(pattern)
	return m
}

var spdxID = regexp.MustCompile(`^SPDXRef-[A-Za-z0-9.-]+$`)

// spdxDoc is the part of an SPDX 2.3 document the tests read.
type spdxDoc struct {
	SPDXVersion       string   `json:"spdxVersion"`
	DataLicense       string   `json:"dataLicense"`
	SPDXID            string   `json:"SPDXID"`
	DocumentNamespace string   `json:"documentNamespace"`
	DocumentDescribes []string `json:"documentDescribes"`
	CreationInfo      struct {
		Created  string   `json:"created"`
		Creators []string `json:"creators"`
	} `json:"creationInfo"`
	Packages []struct {
		Name                  string `json:"name"`
		SPDXID                string `json:"SPDXID"`
		VersionInfo           string `json:"versionInfo"`
		DownloadLocation      string `json:"downloadLocation"`
		PrimaryPackagePurpose string `json:"primaryPackagePurpose"`
		ExternalRefs          []struct {
			ReferenceType    string `json:"referenceType"`
			ReferenceLocator string `json:"referenceLocator"`
		} `json:"externalRefs"`
	} `json:"packages"`
	Relationships []struct {
		Element string `json:"spdxElementId"`
		Type    string `json:"relationshipType"`
		Related string `json:"relatedSpdxElement"`
	} `json:"relationships"`
}

func readSPDX(t *testing.T, b []byte) spdxDoc {
	t.Helper()
	var d spdxDoc
	require.NoError(t, json.Unmarshal(b, &d))
	return d
}

// checkSPDX holds a document to the SPDX 2.3 rules baselab relies on and
// returns the names of the packages the image contains.
func checkSPDX(t *testing.T, d spdxDoc) []string {
	t.Helper()
	assert.Equal(t, "SPDX-2.3", d.SPDXVersion)
	assert.Equal(t, "CC0-1.0", d.DataLicense)
	assert.Equal(t, "SPDXRef-DOCUMENT", d.SPDXID)
	assert.True(t, strings.HasPrefix(d.DocumentNamespace, "https://example.org/"), d.DocumentNamespace)
	_, err := time.Parse(time.RFC3339, d.CreationInfo.Created)
	assert.NoError(t, err)
	assert.NotEmpty(t, d.CreationInfo.Creators)
	require.NotEmpty(t, d.Packages)
	assert.Equal(t, "CONTAINER", d.Packages[0].PrimaryPackagePurpose, "the first package is the image")
	assert.Equal(t, []string{d.Packages[0].SPDXID}, d.DocumentDescribes)
	ids := map[string]bool{}
	var names []string
	for i, p := range d.Packages {
		assert.Regexp(t, spdxID, p.SPDXID)
		assert.False(t, ids[p.SPDXID], "SPDXID %s is unique", p.SPDXID)
		ids[p.SPDXID] = true
		assert.NotEmpty(t, p.DownloadLocation)
		if i > 0 {
			names = append(names, p.Name)
		}
	}
	contains := 0
	for _, r := range d.Relationships {
		assert.True(t, ids[r.Related], "relationship to a known element %s", r.Related)
		if r.Type == "CONTAINS" {
			contains++
		}
	}
	assert.Equal(t, len(d.Packages)-1, contains, "the image CONTAINS each package")
	slices.Sort(names)
	return names
}

func sbomPackages(t *testing.T, r record.Record) []string {
	t.Helper()
	p, ok := r.Extra["sbom"].(string)
	require.True(t, ok, "record %s names its SBOM", r.Variant)
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	return checkSPDX(t, readSPDX(t, b))
}

func sbomMatchesRecord(t *testing.T, r record.Record) {
	t.Helper()
	p, _ := r.Extra["sbom"].(string)
	assert.Equal(t, "sbom", filepath.Base(filepath.Dir(p)), "SBOMs sit in <out>/sbom")
	assert.Len(t, sbomPackages(t, r), int(r.Int("packages")), "the SBOM lists the packages counted")
}

// entry is one member of a test file system.
type entry struct {
	name string
	mode int64
	kind byte
	link string
	body string
}

func file(name string, mode int64, body string) entry {
	return entry{name: name, mode: mode, kind: tar.TypeReg, body: body}
}
func dir(name string, mode int64) entry {
	return entry{name: name, mode: mode, kind: tar.TypeDir}
}
func dir0(name string) entry { return dir(name, 0o755) }
func link(name, to string) entry {
	return entry{name: name, mode: 0o777, kind: tar.TypeSymlink, link: to}
}

// exportOf writes entries as `docker export` does: a tar of the root.
func export(t *testing.T, es ...entry) *bytes.Buffer {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, e := range es {
		h := &tar.Header{Name: e.name, Mode: e.mode, Typeflag: e.kind, Linkname: e.link, Size: int64(len(e.body))}
		require.NoError(t, tw.WriteHeader(h))
		if e.body != "" {
			_, err := tw.Write([]byte(e.body))
			require.NoError(t, err)
		}
	}
	require.NoError(t, tw.Close())
	return &b
}

const dpkgStatus = `Package: libc6
Status: install ok installed
Architecture: amd64
Source: glibc
Version: 2.36-9+deb12u4
Maintainer: GNU Libc Maintainers <debian-glibc@example.org>
Description: GNU C Library: Shared libraries
 Contains the standard libraries that are used by nearly all programs on
 the system.

Package: libstdc++6
Status: install ok installed
Architecture: amd64
Version: 12.2.0-14+deb12u1

Package: old-removed
Status: deinstall ok config-files
Version: 1.0
`

const debianOSRelease = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n"

func TestInspectTar(t *testing.T) {
	cases := []struct {
		name      string
		fs        []entry
		db        string
		packages  []string
		shells    []string
		managers  []string
		setuid    []string
		setgid    []string
		writable  []string
		unsticky  []string
		files     int
		removable map[string]int64
	}{
		{
			name: "merged-/usr Debian is read through the /bin link, and a removed package is not counted",
			fs: []entry{dir("usr/", 0o755), dir("usr/bin/", 0o755), link("bin", "usr/bin"),
				file("usr/bin/dash", 0o755, "x"), link("usr/bin/sh", "dash"), file("usr/bin/bash", 0o755, "x"),
				file("usr/bin/apt-get", 0o755, "x"), file("usr/bin/dpkg", 0o755, "x"),
				dir("var/", 0o755), dir("var/lib/", 0o755), dir("var/lib/dpkg/", 0o755), file("var/lib/dpkg/status", 0o644, dpkgStatus),
				dir("usr/lib/", 0o755), file("usr/lib/os-release", 0o644, debianOSRelease), dir("etc/", 0o755), link("etc/os-release", "../usr/lib/os-release")},
			db: "dpkg", packages: []string{"libc6", "libstdc++6"}, shells: []string{"bash", "dash", "sh"}, managers: []string{"apt", "dpkg"},
			files: 6,
		},
		{
			name: "busybox applets are named as applets, and apk's database is read",
			fs: []entry{dir("bin/", 0o755), file("bin/busybox", 0o755, "x"), link("bin/sh", "/bin/busybox"), link("bin/ash", "/bin/busybox"),
				dir("usr/", 0o755), dir("usr/bin/", 0o755), link("usr/bin/dpkg", "/bin/busybox"),
				dir("lib/", 0o755), dir("lib/apk/", 0o755), dir("lib/apk/db/", 0o755),
				file("lib/apk/db/installed", 0o644, "P:musl\nV:1.2.3-1\nA:x86_64\nL:MIT\n\nP:busybox\nV:1:1.35.0-4\nA:x86_64\n\n")},
			db: "apk", packages: []string{"busybox", "musl"}, shells: []string{"ash (busybox applet)", "busybox", "sh (busybox applet)"},
			managers: []string{"dpkg (busybox applet)"}, files: 2,
		},
		{
			name: "distroless's status.d counts a package per file and skips its md5sums",
			fs: []entry{dir("var/", 0o755), dir("var/lib/", 0o755), dir("var/lib/dpkg/", 0o755), dir("var/lib/dpkg/status.d/", 0o755),
				file("var/lib/dpkg/status.d/tzdata", 0o644, "Package: tzdata\nVersion: 2024a-0+deb12u1\nArchitecture: all\n"),
				file("var/lib/dpkg/status.d/tzdata.md5sums", 0o644, "abc  usr/share/zoneinfo/UTC\n"),
				file("var/lib/dpkg/status.d/netbase", 0o644, "Package: netbase\nStatus: install ok installed\nVersion: 6.4\n"),
				dir("tmp/", 0o1777)},
			db: "dpkg-status.d", packages: []string{"netbase", "tzdata"}, writable: []string{"/tmp"}, files: 3,
		},
		{
			name: "mode bits give setuid, setgid and world-writable; sticky folders are told apart; links and /dev are not counted",
			fs: []entry{dir("usr/", 0o755), dir("usr/bin/", 0o755), file("usr/bin/su", 0o4755, "x"), file("usr/bin/chage", 0o2755, "x"),
				dir("var/", 0o2775), dir("tmp/", 0o1777), dir("srv/", 0o777), link("usr/bin/any", "su"),
				dir("dev/", 0o755), {name: "dev/null", mode: 0o666, kind: tar.TypeChar}},
			db: "none", setuid: []string{"/usr/bin/su"}, setgid: []string{"/usr/bin/chage"},
			writable: []string{"/srv", "/tmp"}, unsticky: []string{"/srv"}, files: 2,
		},
		{
			name: "apt's downloads, bytecode caches and static libraries are counted as removable, code is not",
			fs: []entry{dir0("var/cache/apt/archives/"), file("var/cache/apt/archives/libc6_2.36_amd64.deb", 0o644, "1234567890"),
				dir0("usr/local/lib/python3.11/__pycache__/"), file("usr/local/lib/python3.11/__pycache__/os.cpython-311.pyc", 0o644, "12345"),
				file("usr/local/lib/python3.11/os.py", 0o644, "123"), file("usr/local/lib/libpython3.11.a", 0o644, "1234567")},
			db: "none", files: 4, removable: map[string]int64{"apt-cache": 10, "pycache": 5, "static-libs": 7},
		},
		{
			name: "a symlink loop and a shell without execute bits are no shell",
			fs:   []entry{dir("bin/", 0o755), link("bin/sh", "bash"), link("bin/bash", "sh"), file("bin/dash", 0o644, "x")},
			db:   "none", files: 1,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := surface.InspectTar(export(t, c.fs...))
			require.NoError(t, err)
			assert.Equal(t, c.db, f.DB)
			var names []string
			for _, p := range f.Packages {
				names = append(names, p.Name)
			}
			assert.Equal(t, c.packages, names)
			assert.Equal(t, c.shells, labels(f.Shells))
			assert.Equal(t, c.managers, labels(f.Managers))
			assert.Equal(t, c.setuid, f.Setuid)
			assert.Equal(t, c.setgid, f.Setgid)
			assert.Equal(t, c.writable, f.Writable)
			assert.Equal(t, c.unsticky, f.Unsticky)
			assert.Equal(t, c.files, f.Files)
			assert.Equal(t, c.removable, f.Removable)
		})
	}
}

func labels(ps []surface.Program) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Label())
	}
	return out
}

func TestSBOMIsSPDXWithPackageURLs(t *testing.T) {
	cases := []struct {
		name      string
		fs        []entry
		im        images.Image
		purls     []string
		wantNames []string
	}{
		{
			name: "Debian packages get deb purls with + escaped and the distro from os-release",
			fs: []entry{dir("var/", 0o755), dir("var/lib/", 0o755), dir("var/lib/dpkg/", 0o755), file("var/lib/dpkg/status", 0o644, dpkgStatus),
				dir("etc/", 0o755), file("etc/os-release", 0o644, debianOSRelease)},
			im: images.Image{Key: images.Slim, Ref: "baselab/slim:0123456789ab", ID: "sha256:abc", Standin: true, StandinFor: "debian:bookworm-slim", Libc: "glibc-2.36"},
			purls: []string{
				"pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12",
				"pkg:deb/debian/libstdc%2B%2B6@12.2.0-14%2Bdeb12u1?arch=amd64&distro=debian-12",
			},
			wantNames: []string{"libc6", "libstdc++6"},
		},
		{
			name: "the alpine stand-in's packages are named for its own os-release, not passed off as Alpine's",
			fs: []entry{dir("lib/", 0o755), dir("lib/apk/", 0o755), dir("lib/apk/db/", 0o755),
				file("lib/apk/db/installed", 0o644, "P:musl\nV:1.2.3-1\nA:x86_64\nL:MIT\n"),
				dir("etc/", 0o755), file("etc/os-release", 0o644, "ID=baselab-alpine-standin\nID_LIKE=alpine\n")},
			im:        images.Image{Key: images.Alpine, Ref: "baselab/alpine:0123456789ab", ID: "sha256:def", Standin: true, StandinFor: "alpine:3.20"},
			purls:     []string{"pkg:apk/baselab-alpine-standin/musl@1.2.3-1?arch=x86_64"},
			wantNames: []string{"musl"},
		},
		{
			name:      "an image with no package database is an SBOM of the image alone",
			im:        images.Image{Key: images.Scratch, Ref: "baselab/scratch:0123456789ab", ID: "sha256:0"},
			wantNames: nil,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := surface.InspectTar(export(t, c.fs...))
			require.NoError(t, err)
			b, err := surface.SBOM(c.im, f, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
			require.NoError(t, err)
			d := readSPDX(t, b)
			assert.Equal(t, c.wantNames, checkSPDX(t, d))
			var purls []string
			for _, p := range d.Packages {
				for _, r := range p.ExternalRefs {
					if r.ReferenceType == "purl" {
						purls = append(purls, r.ReferenceLocator)
					}
				}
			}
			assert.Equal(t, c.purls, purls)
		})
	}
}

func TestFindScanner(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	on := func(tools ...string) func(string) (string, error) {
		return func(name string) (string, error) {
			if slices.Contains(tools, name) {
				return "/opt/bin/" + name, nil
			}
			return "", errors.New("not found")
		}
	}
	has := func(paths ...string) func(string) []string {
		return func(pattern string) []string {
			var out []string
			for _, p := range paths {
				if ok, _ := filepath.Match(pattern, p); ok {
					out = append(out, p)
				}
			}
			return out
		}
	}
	home := env(map[string]string{"HOME": "/home/u"})
	cases := []struct {
		name     string
		lookPath func(string) (string, error)
		getenv   func(string) string
		glob     func(string) []string
		want     string // scanner name, "" for none
		why      string
	}{
		{"no scanner on PATH gives no count and says so", on(), home, has(), "", "neither trivy nor grype is on PATH"},
		{"trivy without a database gives no count and names the missing file", on("trivy"), home, has(), "",
			"trivy is at /opt/bin/trivy but has no database at /home/u/.cache/trivy/db/trivy.db"},
		{"trivy with its database in the default cache is used", on("trivy", "grype"), home, has("/home/u/.cache/trivy/db/trivy.db"), "trivy", ""},
		{"TRIVY_CACHE_DIR moves the database", on("trivy"), env(map[string]string{"HOME": "/home/u", "TRIVY_CACHE_DIR": "/c"}), has("/c/db/trivy.db"), "trivy", ""},
		{"grype is used when trivy has no database and grype has one", on("trivy", "grype"), home,
			has("/home/u/.cache/grype/db/5/vulnerability.db"), "grype", ""},
		{"grype without a database gives no count and says where it looked", on("grype"), home, has(), "",
			"grype is at /opt/bin/grype but has no database under /home/u/.cache/grype/db"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := surface.FindScanner(c.lookPath, c.getenv, c.glob)
			assert.Equal(t, c.want, s.Name)
			if c.want == "" {
				assert.Empty(t, s.Path)
				assert.Contains(t, s.Why, c.why)
			} else {
				assert.Equal(t, "/opt/bin/"+c.want, s.Path)
				assert.NotEmpty(t, s.DB)
			}
		})
	}
}

func TestCountCVEs(t *testing.T) {
	cases := []struct {
		name, tool, out string
		want            int
		sev             map[string]int
		err             bool
	}{
		{"trivy's findings are counted across results", "trivy",
			`{"Results":[{"Target":"x (debian 12)","Vulnerabilities":[{"VulnerabilityID":"CVE-2023-0001","Severity":"HIGH"},{"VulnerabilityID":"CVE-2023-0002","Severity":"LOW"}]},{"Target":"y"}]}`,
			2, map[string]int{"HIGH": 1, "LOW": 1}, false},
		{"trivy with nothing found counts zero", "trivy", `{"Results":[]}`, 0, map[string]int{}, false},
		{"grype's matches are counted", "grype",
			`{"matches":[{"vulnerability":{"id":"CVE-2023-0001","severity":"Critical"}}]}`, 1, map[string]int{"CRITICAL": 1}, false},
		{"output that is not JSON is an error, not zero", "trivy", `FATAL db missing`, 0, nil, true},
		{"an unknown tool is an error", "clair", `{}`, 0, nil, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n, sev, err := surface.CountCVEs(c.tool, []byte(c.out))
			if c.err {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, c.want, n)
			assert.Equal(t, c.sev, sev)
		})
	}
}
