// Package gobuild compiles Go programs on the host for lab images: static
// (CGO_ENABLED=0) binaries for scratch and distroless, or cgo builds when a
// lab needs a dynamically linked one.
package gobuild

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/baselab/baselab/harness/elf"
)

// Options for a build.
type Options struct {
	// CGO builds with cgo (a dynamically linked, glibc-using binary);
	// the default is a static, pure-Go binary.
	CGO bool
	// Tags are build tags.
	Tags []string
	// LDFlags are extra linker flags.
	LDFlags string
}

// Source compiles the Go main package found at dir within src and returns
// the binary. A fixture program keeps no go.mod beside its main.go (one there
// would make it a module of its own, which the go tool refuses to embed into
// baselab's); Source writes one, a module named for the folder, when dir has
// none.
func Source(ctx context.Context, src fs.FS, dir string, opts Options) ([]byte, error) {
	tmp, err := os.MkdirTemp("", "baselab-gobuild-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	sub, err := fs.Sub(src, dir)
	if err != nil {
		return nil, err
	}
	if err := os.CopyFS(filepath.Join(tmp, "src"), sub); err != nil {
		return nil, fmt.Errorf("write sources of %s: %w", dir, err)
	}
	if err := writeGoMod(filepath.Join(tmp, "src"), dir); err != nil {
		return nil, err
	}
	out := filepath.Join(tmp, "out")
	if err := goBuild(ctx, filepath.Join(tmp, "src"), out, ".", opts); err != nil {
		return nil, fmt.Errorf("build %s: %w", dir, err)
	}
	return os.ReadFile(out)
}

// Package compiles a package of this module (e.g. "./cmd/baselab"); it needs
// the module's source, which `go test` and a checkout have.
func Package(ctx context.Context, pkg string, opts Options) ([]byte, error) {
	root, err := moduleRoot(ctx)
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "baselab-gobuild-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	out := filepath.Join(tmp, "out")
	if err := goBuild(ctx, root, out, pkg, opts); err != nil {
		return nil, fmt.Errorf("build %s: %w", pkg, err)
	}
	return os.ReadFile(out)
}

// Baselab returns a static baselab binary: this very program when it is one
// (a `make build` binary needs no Go toolchain to put itself in an image),
// else a fresh build of ./cmd/baselab.
func Baselab(ctx context.Context) ([]byte, error) {
	if self, err := os.Executable(); err == nil && isStaticBaselab(self) {
		return os.ReadFile(self)
	}
	return Package(ctx, "./cmd/baselab", Options{})
}

func isStaticBaselab(path string) bool {
	bi, ok := debug.ReadBuildInfo()
	if !ok || !strings.HasSuffix(bi.Path, "/cmd/baselab") {
		return false
	}
	return IsStatic(path)
}

// IsStatic reports whether the ELF file at path has no program interpreter,
// i.e. needs no dynamic loader: the property scratch images demand.
func IsStatic(path string) bool {
	f, err := elf.Open(path)
	return err == nil && f.Static()
}

// GoModVersion is the go line of the go.mod Source writes.
const GoModVersion = "1.22"

// writeGoMod writes dir/go.mod unless there is one.
func writeGoMod(dir, name string) error {
	p := filepath.Join(dir, "go.mod")
	if _, err := os.Stat(p); err == nil {
		return nil
	}
	mod := "module baselab.test/" + path.Base(name) + "\n\ngo " + GoModVersion + "\n"
	if err := os.WriteFile(p, []byte(mod), 0o644); err != nil {
		return fmt.Errorf("write go.mod for %s: %w", name, err)
	}
	return nil
}

func goBuild(ctx context.Context, dir, out, pkg string, opts Options) error {
	gobin, err := exec.LookPath("go")
	if err != nil {
		return fmt.Errorf("go not found on PATH: install Go 1.26 (labs compile their Go probes on the host)")
	}
	args := []string{"build", "-trimpath", "-o", out}
	ld := "-s -w"
	if opts.LDFlags != "" {
		ld += " " + opts.LDFlags
	}
	args = append(args, "-ldflags", ld)
	if len(opts.Tags) > 0 {
		args = append(args, "-tags", strings.Join(opts.Tags, ","))
	}
	args = append(args, pkg)
	cmd := exec.CommandContext(ctx, gobin, args...)
	cmd.Dir = dir
	cgo := "0"
	if opts.CGO {
		cgo = "1"
	}
	cmd.Env = append(os.Environ(), "CGO_ENABLED="+cgo, "GOOS=linux", "GOARCH=amd64")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return nil
}

func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("find baselab's source: go env GOMOD: %w (install Go 1.26, run from a checkout)", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("find baselab's source: not inside the baselab module; run from a checkout, or use a static baselab built with `make build`")
	}
	return filepath.Dir(gomod), nil
}
