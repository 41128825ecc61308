package doctor

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/baselab/baselab/harness/elf"
	"github.com/baselab/baselab/harness/engine"
	"github.com/baselab/baselab/harness/rootfs"
	"github.com/baselab/baselab/labs/surface"
)

// Image is what doctor reads from one image: enough to judge it without
// the engine, so that every check is a table test on a made-up image.
type Image struct {
	Ref, ID string
	OS      string
	// Size and Layers are what image inspect says.
	Size   int64
	Layers int
	Config Config
	FS     *rootfs.FS
	// ELF are the image's ELF files, by path; Go those of them that are Go
	// programs, with what they link.
	ELF map[string]elf.File
	Go  map[string]GoFacts
	// Scripts are the kept files that start with "#!", by path: their first line.
	Scripts map[string]string
	// cache is /etc/ld.so.cache: library name → path.
	cache map[string]string
}

// Config is the part of the image config a container starts from.
type Config struct {
	Entrypoint, Cmd []string
	User            string
	Env             []string
}

// GoFacts is what a Go program's function table says it can do: Go keeps
// the names of every linked function in the binary (pclntab), stripped or
// not, so a name there means the code is in it.
type GoFacts struct {
	TLS, LoadLocation, TZData bool
}

// ErrBadImage is wrapped by Load for an image doctor cannot judge: absent,
// not Linux, no ELF file, an unreadable layer. `baselab doctor` exits 3.
var ErrBadImage = errors.New("cannot judge image")

// keep decides which files' bytes are read: every executable or shared
// object (ELF or script), and the few configuration files the checks read.
// Everything else is only listed.
func keep(f rootfs.File) bool {
	p := f.Path
	if surface.Keep(p) {
		return true // compare sets the surface facts side by side
	}
	switch {
	case p == "/etc/passwd", p == "/etc/group", p == "/etc/nsswitch.conf", p == "/etc/ld.so.conf", p == "/etc/ld.so.cache",
		strings.HasPrefix(p, "/etc/ld.so.conf.d/"), strings.HasPrefix(p, "/etc/ld-musl-"),
		strings.HasSuffix(p, ".dist-info/WHEEL"):
		return true
	}
	if f.Size < 4 {
		return false
	}
	return f.Mode.Perm()&0o111 != 0 || strings.Contains(path.Base(p), ".so")
}

// Load reads ref through the engine: its config by inspect, its files by
// export of a never-started container. It never pulls.
func Load(ctx context.Context, eng *engine.Engine, ref string) (*Image, error) {
	res, err := eng.API.ImageInspect(ctx, ref)
	if err != nil {
		if engine.IsNotFound(err) {
			return nil, fmt.Errorf("%w: %s: the engine has no such image (doctor never pulls: docker pull or build it first)", ErrBadImage, ref)
		}
		return nil, fmt.Errorf("inspect image %s: %w", ref, err)
	}
	if err := judgeable(ref, res.Os, res.Architecture); err != nil {
		return nil, err
	}
	im := &Image{Ref: ref, ID: res.ID, OS: res.Os, Size: res.Size, Layers: len(res.RootFS.Layers)}
	if c := res.Config; c != nil {
		im.Config = Config{Entrypoint: c.Entrypoint, Cmd: c.Cmd, User: c.User, Env: c.Env}
	}
	err = im.read(func() (*rootfs.FS, error) {
		return rootfs.Read(ctx, eng, ref, rootfs.Options{KeepFile: keep, Labels: map[string]string{engine.LabelLab: "doctor"}})
	})
	if err != nil {
		return nil, err
	}
	return im, nil
}

// judgeable refuses what doctor's checks cannot read: another OS's image,
// or another architecture's — the checks know x86-64's file tags and
// loader paths (the CPython SOABI, ld-linux-x86-64.so.2, ld-musl-x86_64),
// and --confirm could not run it.
func judgeable(ref, os, arch string) error {
	if os != "" && os != "linux" {
		return fmt.Errorf("%w: %s is a %s image; doctor reads Linux images", ErrBadImage, ref, os)
	}
	if arch != "" && arch != "amd64" {
		return fmt.Errorf("%w: %s is a linux/%s image; doctor's checks read linux/amd64 (x86-64) images", ErrBadImage, ref, arch)
	}
	return nil
}

// read takes the file system from export — the engine's, or a stream a
// test gives — and parses what it keeps. A layer that cannot be read is
// the image's fault as doctor sees it: one line, ErrBadImage.
func (im *Image) read(export func() (*rootfs.FS, error)) error {
	fsys, err := export()
	if err != nil {
		return fmt.Errorf("%w: %s: %s (a layer the engine cannot export or a broken stream: rebuild or re-pull the image)", ErrBadImage, im.Ref, oneLine(err))
	}
	im.FS = fsys
	return im.parse()
}

// oneLine keeps an error to one line: an engine's message may hold several.
func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}

// parse reads the kept files: ELF headers, Go function names, #! lines.
func (im *Image) parse() error {
	im.ELF, im.Go, im.Scripts = map[string]elf.File{}, map[string]GoFacts{}, map[string]string{}
	for _, f := range im.FS.Files {
		if !f.Mode.IsRegular() {
			continue
		}
		data, ok := im.FS.Content(f.Path)
		if !ok {
			continue
		}
		switch {
		case elf.IsELF(data):
			e, err := elf.Parse(data)
			if err != nil {
				continue // a truncated or foreign object: the loader would refuse it too, but no lab shows how
			}
			im.ELF[f.Path] = e
			if bytes.Contains(data, []byte("runtime.goexit")) {
				im.Go[f.Path] = GoFacts{
					TLS:          bytes.Contains(data, []byte("crypto/tls.(*Conn).Handshake")),
					LoadLocation: bytes.Contains(data, []byte("time.LoadLocation")),
					TZData:       bytes.Contains(data, []byte("time/tzdata.")),
				}
			}
		case bytes.HasPrefix(data, []byte("#!")):
			line, _, _ := bytes.Cut(data, []byte("\n"))
			im.Scripts[f.Path] = strings.TrimSpace(string(line[2:]))
		}
	}
	im.cache = im.ldCache()
	if len(im.ELF) == 0 && len(im.Scripts) == 0 {
		return fmt.Errorf("%w: %s holds no ELF file and no script: nothing in it can run", ErrBadImage, im.Ref)
	}
	return nil
}

// env returns the value of an Env entry.
func (im *Image) env(key string) (string, bool) {
	for _, kv := range im.Config.Env {
		if k, v, ok := strings.Cut(kv, "="); ok && k == key {
			return v, true
		}
	}
	return "", false
}

// text returns a kept file's content as a string.
func (im *Image) text(p string) (string, bool) {
	b, ok := im.FS.Content(p)
	return string(b), ok
}
