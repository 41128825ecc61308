package rootfs

import (
	"archive/tar"
	"bytes"
	"io/fs"
	"strings"
	"testing"

	"github.com/baselab/baselab/harness/engine"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func mkfs(files ...File) *FS {
	f := &FS{byPath: map[string]int{}, data: map[string][]byte{}}
	for _, e := range files {
		f.byPath[e.Path] = len(f.Files)
		f.Files = append(f.Files, e)
	}
	return f
}

func TestResolveFollowsLinksInEveryComponent(t *testing.T) {
	// A merged-/usr layout, as on Debian bookworm.
	f := mkfs(
		File{Path: "/usr", Mode: fs.ModeDir},
		File{Path: "/usr/lib", Mode: fs.ModeDir},
		File{Path: "/usr/lib64", Mode: fs.ModeDir},
		File{Path: "/usr/lib/x86_64-linux-gnu", Mode: fs.ModeDir},
		File{Path: "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", Size: 210968},
		File{Path: "/lib", Mode: fs.ModeSymlink, Linkname: "usr/lib"},
		File{Path: "/lib64", Mode: fs.ModeSymlink, Linkname: "usr/lib64"},
		File{Path: "/usr/lib64/ld-linux-x86-64.so.2", Mode: fs.ModeSymlink, Linkname: "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"},
		File{Path: "/loop", Mode: fs.ModeSymlink, Linkname: "/loop"},
	)
	cases := []struct {
		name string
		path string
		want string
		ok   bool
	}{
		{"a plain file", "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", true},
		{"a relative directory link", "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", true},
		{"a directory link then an absolute file link", "/lib64/ld-linux-x86-64.so.2", "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", true},
		{"a missing file", "/bin/sh", "", false},
		{"a link loop ends", "/loop", "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, ok := f.Resolve(c.path)
			assert.Equal(t, c.ok, ok)
			assert.Equal(t, c.want, e.Path)
		})
	}
}

// member is one entry of a test tar stream.
type member struct {
	name string
	mode int64
	kind byte
	link string
	body string
	uid  int
}

func tarOf(tb testing.TB, ms ...member) *bytes.Buffer {
	tb.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, m := range ms {
		h := &tar.Header{Name: m.name, Mode: m.mode, Typeflag: m.kind, Linkname: m.link, Size: int64(len(m.body)), Uid: m.uid}
		require.NoError(tb, tw.WriteHeader(h))
		_, err := tw.Write([]byte(m.body))
		require.NoError(tb, err)
	}
	require.NoError(tb, tw.Close())
	return &b
}

func TestReadTar(t *testing.T) {
	dir := func(name string) member { return member{name: name, mode: 0o755, kind: tar.TypeDir} }
	file := func(name, body string) member { return member{name: name, mode: 0o644, kind: tar.TypeReg, body: body} }
	link := func(name, to string) member { return member{name: name, mode: 0o777, kind: tar.TypeSymlink, link: to} }
	passwd := "root:x:0:0:root:/root:/bin/sh\n"
	cases := []struct {
		name    string
		members []member
		keep    func(string) bool
		paths   []string          // Files, in stream order
		image   []string          // ImageFiles
		content map[string]string // path asked for -> content; "" means not kept
		stat    map[string]File   // path -> entry
	}{
		{
			name:    "member names become absolute paths and the root itself is no entry",
			members: []member{dir("./"), dir("./etc/"), file("./etc/os-release", "ID=test\n"), dir("usr/")},
			paths:   []string{"/etc", "/etc/os-release", "/usr"},
			image:   []string{"/etc/os-release", "/usr"},
		},
		{
			name:    "only the files Keep names have content, and Content follows links to them",
			members: []member{dir("etc/"), file("etc/passwd", passwd), file("etc/group", "root:x:0:\n"), link("etc/pw", "passwd")},
			keep:    func(p string) bool { return p == "/etc/passwd" },
			paths:   []string{"/etc", "/etc/passwd", "/etc/group", "/etc/pw"},
			image:   []string{"/etc/passwd", "/etc/group", "/etc/pw"},
			content: map[string]string{"/etc/passwd": passwd, "/etc/pw": passwd, "/etc/group": "", "/etc/missing": ""},
		},
		{
			name: "mode bits, size, owner and link target come from the member's header",
			members: []member{dir("usr/"), dir("usr/bin/"), {name: "usr/bin/su", mode: 0o4755, kind: tar.TypeReg, body: "elf"},
				{name: "tmp/", mode: 0o1777, kind: tar.TypeDir}, {name: "home/app/", mode: 0o700, kind: tar.TypeDir, uid: 65532}, link("usr/bin/sh", "dash")},
			paths: []string{"/usr", "/usr/bin", "/usr/bin/su", "/tmp", "/home/app", "/usr/bin/sh"},
			image: []string{"/usr", "/usr/bin", "/usr/bin/su", "/tmp", "/home/app", "/usr/bin/sh"},
			stat: map[string]File{
				"/usr/bin/su": {Path: "/usr/bin/su", Mode: 0o755 | fs.ModeSetuid, Size: 3},
				"/tmp":        {Path: "/tmp", Mode: fs.ModeDir | fs.ModeSticky | 0o777},
				"/home/app":   {Path: "/home/app", Mode: fs.ModeDir | 0o700, UID: 65532},
				"/usr/bin/sh": {Path: "/usr/bin/sh", Mode: fs.ModeSymlink | 0o777, Linkname: "dash"},
			},
		},
		{
			name: "ImageFiles leaves out what the engine puts in every container",
			members: []member{file(".dockerenv", ""), dir("dev/"), dir("dev/pts/"), dir("etc/"), file("etc/hosts", ""),
				file("etc/hostname", ""), file("etc/resolv.conf", ""), link("etc/mtab", "/proc/mounts"), file("etc/passwd", passwd), dir("proc/"), dir("sys/")},
			paths: []string{"/.dockerenv", "/dev", "/dev/pts", "/etc", "/etc/hosts", "/etc/hostname", "/etc/resolv.conf", "/etc/mtab", "/etc/passwd", "/proc", "/sys"},
			image: []string{"/etc/passwd"},
		},
		{
			name:  "an empty stream is an empty file system",
			paths: nil,
			image: nil,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := ReadTar(tarOf(t, c.members...), Options{Keep: c.keep})
			require.NoError(t, err)
			assert.Equal(t, c.paths, paths(f.Files))
			assert.Equal(t, c.image, paths(f.ImageFiles()))
			for p, want := range c.content {
				b, ok := f.Content(p)
				assert.Equal(t, want != "", ok, p)
				assert.Equal(t, want, string(b), p)
			}
			for p, want := range c.stat {
				e, ok := f.Stat(p)
				assert.True(t, ok, p)
				assert.Equal(t, want, e, p)
			}
		})
	}
}

func TestReadTarRefusesABrokenStream(t *testing.T) {
	whole := tarOf(t, member{name: "etc/passwd", mode: 0o644, kind: tar.TypeReg, body: strings.Repeat("x", 2048)}).Bytes()
	cases := []struct {
		name   string
		stream []byte
	}{
		{"a stream cut inside a kept file's content", whole[:512+100]},
		{"a stream that is not tar", []byte(strings.Repeat("not a tar header ", 64))},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadTar(bytes.NewReader(c.stream), Options{Keep: func(string) bool { return true }})
			assert.Error(t, err)
		})
	}
}

func paths(files []File) []string {
	var out []string
	for _, f := range files {
		out = append(out, f.Path)
	}
	return out
}

func TestCreateOptions(t *testing.T) {
	eng := &engine.Engine{RunID: "run-1"}
	cases := []struct {
		name   string
		labels map[string]string
		want   map[string]string
	}{
		{"without labels the container carries the project's and the run's", nil,
			map[string]string{engine.LabelProject: engine.ProjectValue, engine.LabelRun: "run-1"}},
		{"a lab label is added to them", map[string]string{engine.LabelLab: "surface"},
			map[string]string{engine.LabelProject: engine.ProjectValue, engine.LabelRun: "run-1", engine.LabelLab: "surface"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := createOptions(eng, "baselab/slim:0123456789ab", Options{Labels: c.labels})
			assert.Equal(t, "baselab/slim:0123456789ab", o.Image)
			require.NotNil(t, o.Config)
			assert.Empty(t, o.Config.Image, "the image is named once: the client refuses both")
			assert.Equal(t, c.want, o.Config.Labels)
			assert.NotEmpty(t, o.Config.Cmd, "an image without CMD can still be created")
		})
	}
}
