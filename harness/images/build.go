package images

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"

	"github.com/moby/moby/api/types/build"
	"github.com/moby/moby/client"
)

// buildJob is one classic-builder build. The classic builder is what every
// engine has (Debian's docker.io 20.10 included), so the Dockerfiles use no
// BuildKit-only syntax.
type buildJob struct {
	name       string // for progress lines
	ref        string
	dockerfile string   // path in files
	context    []string // paths in files copied into the build context
	extra      map[string][]byte
	bases      map[string]Image
	args       map[string]string
	labels     map[string]string
	files      fs.FS
}

func (c *Catalog) dockerBuild(ctx context.Context, j buildJob) error {
	buildCtx, err := tarContext(j.files, j.dockerfile, j.context, j.extra)
	if err != nil {
		return err
	}
	args := map[string]*string{}
	for a, im := range j.bases {
		args[a] = &im.Ref
	}
	for a, v := range j.args {
		args[a] = &v
	}
	resp, err := c.eng.API.ImageBuild(ctx, bytes.NewReader(buildCtx), client.ImageBuildOptions{
		Tags:        []string{j.ref},
		Dockerfile:  "Dockerfile",
		BuildArgs:   args,
		Labels:      j.labels,
		Remove:      true,
		ForceRemove: true,
		PullParent:  false, // bases are resolved by the catalog; the build never pulls
		Version:     build.BuilderV1,
	})
	if err != nil {
		return fmt.Errorf("start build: %w", err)
	}
	defer resp.Body.Close()
	var log bytes.Buffer
	err = decodeStream(resp.Body, &log, func(line string) {
		// Steps, and the lines a recipe marks for the user ("baselab: ..."):
		// a long RUN (CPython's build) says what it is doing.
		if strings.HasPrefix(line, "Step ") || strings.HasPrefix(line, "baselab: ") {
			fmt.Fprintf(c.progress, "%s: %s\n", j.name, truncate(strings.TrimPrefix(line, "baselab: "), 120))
		}
	})
	if err != nil {
		return fmt.Errorf("%w\n--- build log (last lines) ---\n%s", err, tail(log.String(), 40))
	}
	return nil
}

// decodeStream reads the engine's JSON message stream (build, pull, import),
// copying text to log and calling step per line; an error message ends it.
func decodeStream(r io.Reader, log io.Writer, step func(string)) error {
	dec := json.NewDecoder(r)
	for {
		var m struct {
			Stream      string `json:"stream"`
			Status      string `json:"status"`
			Error       string `json:"error"`
			ErrorDetail struct {
				Message string `json:"message"`
			} `json:"errorDetail"`
		}
		if err := dec.Decode(&m); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("read engine stream: %w", err)
		}
		if m.Error != "" {
			msg := m.ErrorDetail.Message
			if msg == "" {
				msg = m.Error
			}
			return errors.New(msg)
		}
		text := m.Stream
		if text == "" && m.Status != "" {
			text = m.Status + "\n"
		}
		_, _ = io.WriteString(log, text)
		if step != nil {
			sc := bufio.NewScanner(strings.NewReader(text))
			for sc.Scan() {
				if l := strings.TrimSpace(sc.Text()); l != "" {
					step(l)
				}
			}
		}
	}
}

// tarContext packs the Dockerfile (as "Dockerfile"), the fixture paths and
// extra files into a build context.
func tarContext(fsys fs.FS, dockerfile string, paths []string, extra map[string][]byte) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	add := func(name string, b []byte, mode int64) error {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: mode, Size: int64(len(b)), Typeflag: tar.TypeReg}); err != nil {
			return err
		}
		_, err := tw.Write(b)
		return err
	}
	df, err := fs.ReadFile(fsys, dockerfile)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", dockerfile, err)
	}
	if err := add("Dockerfile", df, 0o644); err != nil {
		return nil, err
	}
	for _, p := range paths {
		err := fs.WalkDir(fsys, p, func(name string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := fs.ReadFile(fsys, name)
			if err != nil {
				return err
			}
			mode := int64(0o644)
			if path.Ext(name) == ".sh" {
				mode = 0o755
			}
			return add(name, b, mode)
		})
		if err != nil {
			return nil, fmt.Errorf("pack %s: %w", p, err)
		}
	}
	for name, b := range extra {
		mode := int64(0o644)
		if isExecutable(name, b) {
			mode = 0o755
		}
		if err := add(name, b, mode); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// isExecutable decides a context file's mode from what it is: scripts and
// ELF binaries run, everything else (passwd, certificates ...) is 0644.
func isExecutable(name string, b []byte) bool {
	return strings.HasSuffix(name, ".sh") || bytes.HasPrefix(b, []byte("\x7fELF")) || bytes.HasPrefix(b, []byte("#!"))
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-1] + "…"
}
