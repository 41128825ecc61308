// Package rootfs reads an image's file system without running anything in
// it — the only way to look inside distroless and scratch images, which have
// no shell to run `ls` with.
package rootfs

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"

	"github.com/baselab/baselab/harness/engine"
	"github.com/baselab/baselab/harness/run"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
)

// File is one entry of an image's file system.
type File struct {
	Path     string      `json:"path"` // absolute, "/etc/passwd"
	Mode     fs.FileMode `json:"mode"`
	Size     int64       `json:"size"`
	UID      int         `json:"uid"`
	GID      int         `json:"gid"`
	Linkname string      `json:"link,omitempty"`
}

// FS is an image's file system, read once.
type FS struct {
	Files  []File
	byPath map[string]int
	data   map[string][]byte
}

// Options choose which file contents to keep while reading.
type Options struct {
	// Keep returns true for paths whose contents Read should return.
	Keep func(path string) bool
	// KeepFile is Keep with the entry's header (mode, size), for readers
	// that keep by kind — every executable — rather than by name.
	KeepFile func(File) bool
	// Labels are added to the project's and the run's labels on the
	// temporary container (engine.LabelLab, say), so that one left behind by
	// a killed Read says which lab made it.
	Labels map[string]string
}

// engineInjected are the paths the engine adds to every container's file
// system (mount points, the resolv.conf/hosts/hostname placeholders); they are
// not the image's.
var engineInjected = map[string]bool{
	"/.dockerenv": true, "/dev": true, "/proc": true, "/sys": true, "/etc": true,
	"/etc/hosts": true, "/etc/hostname": true, "/etc/resolv.conf": true, "/etc/mtab": true,
	"/dev/console": true, "/dev/pts": true, "/dev/shm": true,
}

// Read exports image's file system through a created, never started,
// container and removes the container again.
func Read(ctx context.Context, eng *engine.Engine, image string, opts Options) (*FS, error) {
	cr, err := eng.API.ContainerCreate(ctx, createOptions(eng, image, opts))
	if err != nil {
		return nil, fmt.Errorf("create container from %s: %w", image, err)
	}
	defer func() {
		_, _ = eng.API.ContainerRemove(context.WithoutCancel(ctx), cr.ID, client.ContainerRemoveOptions{Force: true})
	}()
	run.Created(ctx, eng, cr.ID)
	rc, err := eng.API.ContainerExport(ctx, cr.ID, client.ContainerExportOptions{})
	if err != nil {
		return nil, fmt.Errorf("export %s: %w", image, err)
	}
	defer rc.Close()
	return readTar(rc, opts, image)
}

// createOptions are the temporary container's: image set once (moby's client
// refuses Image and Config.Image together), the project's labels plus the
// caller's.
func createOptions(eng *engine.Engine, image string, opts Options) client.ContainerCreateOptions {
	// Never started, but created like every lab container: unprivileged,
	// read-only, without a network.
	hc := &container.HostConfig{NetworkMode: "none"}
	run.Privileges{ReadOnly: true}.Apply(hc)
	return client.ContainerCreateOptions{
		Image: image,
		// Never run: the command only has to exist on paper.
		Config:     &container.Config{Cmd: []string{"/baselab-never-runs"}, Labels: eng.Labels(opts.Labels)},
		HostConfig: hc,
	}
}

// ReadTar reads a file system from a tar stream laid out as `docker export`
// writes it (member names relative to the root); Options.Labels is unused.
func ReadTar(r io.Reader, opts Options) (*FS, error) {
	return readTar(r, opts, "tar stream")
}

func readTar(r io.Reader, opts Options, image string) (*FS, error) {
	out := &FS{byPath: map[string]int{}, data: map[string][]byte{}}
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read export of %s: %w", image, err)
		}
		p := "/" + strings.TrimPrefix(path.Clean("/"+h.Name), "/")
		if p == "/" {
			continue
		}
		f := File{Path: p, Mode: h.FileInfo().Mode(), Size: h.Size, UID: h.Uid, GID: h.Gid, Linkname: h.Linkname}
		out.byPath[p] = len(out.Files)
		out.Files = append(out.Files, f)
		if h.Typeflag == tar.TypeReg && (opts.Keep != nil && opts.Keep(p) || opts.KeepFile != nil && opts.KeepFile(f)) {
			var b bytes.Buffer
			if _, err := io.Copy(&b, tr); err != nil {
				return nil, fmt.Errorf("read %s from %s: %w", p, image, err)
			}
			out.data[p] = b.Bytes()
		}
	}
}

// Stat returns the entry at p.
func (f *FS) Stat(p string) (File, bool) {
	i, ok := f.byPath[p]
	if !ok {
		return File{}, false
	}
	return f.Files[i], true
}

// Resolve follows symlinks — in the last component and in every directory
// on the way, absolute or relative, up to 32 hops — the way the kernel
// would inside the container: on a merged-/usr image /lib64 is a link to
// usr/lib64, and /lib64/ld-linux-x86-64.so.2 only exists through it.
func (f *FS) Resolve(p string) (File, bool) {
	hops := 0
	parts := strings.Split(strings.Trim(path.Clean("/"+p), "/"), "/")
	cur := "/"
	for i := 0; i < len(parts); i++ {
		if parts[i] == "" {
			continue
		}
		next := path.Join(cur, parts[i])
		e, ok := f.Stat(next)
		if !ok {
			return File{}, false
		}
		if e.Mode&fs.ModeSymlink != 0 {
			if hops++; hops > 32 {
				return File{}, false
			}
			target := e.Linkname
			if !strings.HasPrefix(target, "/") {
				target = path.Join(cur, target)
			}
			rest := append(strings.Split(strings.Trim(path.Clean(target), "/"), "/"), parts[i+1:]...)
			parts, cur, i = rest, "/", -1
			continue
		}
		cur = next
	}
	e, ok := f.Stat(cur)
	return e, ok
}

// Exists reports whether p resolves to something.
func (f *FS) Exists(p string) bool { _, ok := f.Resolve(p); return ok }

// Content returns a kept file's bytes (see Options.Keep).
func (f *FS) Content(p string) ([]byte, bool) {
	e, ok := f.Resolve(p)
	if !ok {
		return nil, false
	}
	b, ok := f.data[e.Path]
	return b, ok
}

// ImageFiles are the entries the image holds, without what the engine adds to
// every container.
func (f *FS) ImageFiles() []File {
	out := make([]File, 0, len(f.Files))
	for _, e := range f.Files {
		if !engineInjected[e.Path] {
			out = append(out, e)
		}
	}
	return out
}
