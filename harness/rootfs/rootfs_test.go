package rootfs

import (
	"io/fs"
	"testing"

	"github.com/stretchr/testify/assert"
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
