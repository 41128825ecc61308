package images

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/baselab/baselab/fixtures"
	"github.com/baselab/baselab/harness/engine"
	"github.com/moby/moby/client"
)

// Labels carried by stand-ins, beside engine.LabelProject.
const (
	LabelKey        = "org.baselab.key"
	LabelStandinFor = "org.baselab.standin-for"
	LabelLibc       = "org.baselab.libc"
	LabelInputs     = "org.baselab.inputs"
)

// Options configure a Catalog.
type Options struct {
	// Mode; "" reads BASELAB_IMAGES.
	Mode Mode
	// Progress receives a line per build step; nil discards.
	Progress io.Writer
	// Mirror is the Debian mirror for debootstrap; "" reads
	// BASELAB_DEBIAN_MIRROR, then the host's apt sources, then lets
	// debootstrap use its default.
	Mirror string
	// RegistryMirror is where registry images are pulled from (see
	// EnvRegistryMirror); "" reads BASELAB_REGISTRY_MIRROR.
	RegistryMirror string
}

// Catalog resolves keys to images in one engine. It is safe for concurrent
// use: each key is resolved at most once per Catalog, and builds across
// processes are serialised by a lock file per image.
type Catalog struct {
	eng       *engine.Engine
	mode      Mode
	mirror    string
	regMirror string
	progress  io.Writer
	files     fs.FS
	puller    puller

	mu    sync.Mutex
	calls map[string]*call
	// pullErrs are the pulls that failed, by reference: each is tried and
	// reported once per catalog, not once per lab that needs the image.
	pullErrs map[string]error
}

type call struct {
	done chan struct{}
	im   Image
	err  error
}

// puller is the only door to ImagePull, so that Local mode provably never
// pulls (see TestLocalModeNeverPulls).
type puller func(ctx context.Context, ref string) error

// New returns a catalog on eng.
func New(eng *engine.Engine, opts Options) (*Catalog, error) {
	mode := opts.Mode
	if mode == "" {
		m, err := ModeFromEnv()
		if err != nil {
			return nil, err
		}
		mode = m
	}
	mirror := opts.Mirror
	if mirror == "" {
		mirror = hostMirror()
	}
	progress := opts.Progress
	if progress == nil {
		progress = io.Discard
	}
	regMirror := opts.RegistryMirror
	if regMirror == "" {
		regMirror = mirrorFromEnv()
	}
	c := &Catalog{eng: eng, mode: mode, mirror: mirror, regMirror: regMirror, progress: &lockedWriter{w: progress},
		files: fixtures.Images, calls: map[string]*call{}, pullErrs: map[string]error{}}
	c.puller = c.pull
	return c, nil
}

// Mode is the catalog's mode.
func (c *Catalog) Mode() Mode { return c.mode }

// Engine is the catalog's engine.
func (c *Catalog) Engine() *engine.Engine { return c.eng }

// Progress is where build steps are reported.
func (c *Catalog) Progress() io.Writer { return c.progress }

// once runs fn at most once per name for the catalog's life.
func (c *Catalog) once(name string, fn func() (Image, error)) (Image, error) {
	c.mu.Lock()
	if cl, ok := c.calls[name]; ok {
		c.mu.Unlock()
		<-cl.done
		return cl.im, cl.err
	}
	cl := &call{done: make(chan struct{})}
	c.calls[name] = cl
	c.mu.Unlock()
	cl.im, cl.err = fn()
	if cl.err != nil {
		// A failure is not cached: a later caller may have fixed the cause.
		c.mu.Lock()
		delete(c.calls, name)
		c.mu.Unlock()
	}
	close(cl.done)
	return cl.im, cl.err
}

// Ensure resolves key to an image in the engine, pulling or building as the
// mode allows.
func (c *Catalog) Ensure(ctx context.Context, key Key) (Image, error) {
	spec, err := Lookup(key)
	if err != nil {
		return Image{}, err
	}
	return c.once("key:"+string(key), func() (Image, error) {
		im, err := c.ensure(ctx, spec)
		if err != nil {
			return im, err
		}
		return c.withLibc(ctx, im)
	})
}

// EnsureAll resolves keys concurrently (independent stand-ins build side by
// side) and returns them in the order given.
func (c *Catalog) EnsureAll(ctx context.Context, keys ...Key) ([]Image, error) {
	out := make([]Image, len(keys))
	errs := make([]error, len(keys))
	var wg sync.WaitGroup
	for i, k := range keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i], errs[i] = c.Ensure(ctx, k)
		}()
	}
	wg.Wait()
	return out, errors.Join(errs...)
}

func (c *Catalog) ensure(ctx context.Context, spec Spec) (Image, error) {
	if spec.Registry != "" && c.mode == Auto {
		// auto uses what the engine already has — the registry image, or a
		// stand-in built earlier — before it tries the network.
		if ref, err := c.registryRef(spec); err == nil {
			if im, ok, err := c.inspect(ctx, ref); err == nil && ok {
				im.Key, im.Libc = spec.Key, spec.RegistryLibc
				return im, nil
			}
		}
		if im, ok, err := c.Find(ctx, spec.Key); err == nil && ok {
			return im, nil
		}
	}
	if spec.Registry != "" && c.mode != Local {
		ref, err := c.registryRef(spec)
		if err != nil {
			if c.mode == Registry {
				return Image{}, err
			}
			fmt.Fprintf(c.progress, "%s: %v; building the stand-in\n", spec.Key, err)
		} else {
			im, err := c.fromRegistry(ctx, spec, ref)
			if err == nil || c.mode == Registry {
				return im, err
			}
			if !errors.Is(err, errPullFailed) {
				fmt.Fprintf(c.progress, "%s: %v; building the stand-in\n", spec.Key, err)
			}
		}
	}
	return c.standin(ctx, spec)
}

// registryRef is the reference a registry image is pulled and found as:
// through the registry mirror when one is set.
func (c *Catalog) registryRef(spec Spec) (string, error) {
	ref, err := registryRef(spec)
	if err != nil {
		return "", err
	}
	return throughMirror(ref, c.regMirror)
}

func registryRef(spec Spec) (string, error) {
	if !strings.Contains(spec.Registry, "{distroless}") {
		return spec.Registry, nil
	}
	repo := strings.TrimSuffix(os.Getenv(EnvDistrolessRepo), "/")
	if repo == "" {
		return "", fmt.Errorf("%s: set %s to the registry path of Google's distroless images to use the real one", spec.Key, EnvDistrolessRepo)
	}
	return strings.ReplaceAll(spec.Registry, "{distroless}", repo), nil
}

// fromRegistry uses the image if the engine has it, else pulls it.
func (c *Catalog) fromRegistry(ctx context.Context, spec Spec, ref string) (Image, error) {
	if im, ok, err := c.inspect(ctx, ref); err != nil || ok {
		if ok {
			im.Key, im.Libc = spec.Key, spec.RegistryLibc
		}
		return im, err
	}
	if err := c.pullOnce(ctx, spec.Key, ref); err != nil {
		return Image{}, fmt.Errorf("pull %s: %w (offline? set %s=local to build stand-ins)", ref, err, EnvMode)
	}
	im, ok, err := c.inspect(ctx, ref)
	if err != nil || !ok {
		return Image{}, fmt.Errorf("inspect %s after pull: %v", ref, err)
	}
	im.Key, im.Libc = spec.Key, spec.RegistryLibc
	return im, nil
}

func (c *Catalog) pull(ctx context.Context, ref string) error {
	if c.mode == Local {
		return fmt.Errorf("pull %s refused: %s=local never pulls", ref, EnvMode)
	}
	resp, err := c.eng.API.ImagePull(ctx, ref, client.ImagePullOptions{})
	if err != nil {
		return err
	}
	defer resp.Close()
	return decodeStream(resp, io.Discard, nil)
}

// standin finds or builds the offline stand-in for spec.
func (c *Catalog) standin(ctx context.Context, spec Spec) (Image, error) {
	bases := map[string]Image{}
	var baseKeys []Key
	for _, k := range spec.Bases {
		baseKeys = append(baseKeys, k)
	}
	resolved, err := c.EnsureAll(ctx, baseKeys...)
	if err != nil {
		return Image{}, fmt.Errorf("%s: resolve bases: %w", spec.Key, err)
	}
	for arg, k := range spec.Bases {
		for _, im := range resolved {
			if im.Key == k {
				bases[arg] = im
			}
		}
	}
	inputs, err := c.inputsHash(spec, bases)
	if err != nil {
		return Image{}, err
	}
	ref := "baselab/" + string(spec.Key) + ":" + inputs[:12]
	labels := c.eng.Labels(map[string]string{
		LabelKey: string(spec.Key), LabelLibc: spec.StandinLibc, LabelInputs: inputs,
	})
	delete(labels, engine.LabelRun) // images outlive runs; a run sweep must not take them
	if spec.Registry != "" {
		labels[LabelStandinFor] = spec.StandinFor()
	}
	im, err := c.findOrBuild(ctx, ref, func() error {
		start := time.Now()
		fmt.Fprintf(c.progress, "%s: building %s\n", spec.Key, ref)
		var err error
		if spec.Bootstrap != nil {
			err = c.bootstrap(ctx, spec, ref, labels)
		} else {
			err = c.dockerBuild(ctx, buildJob{name: string(spec.Key), ref: ref, dockerfile: spec.Dockerfile,
				context: spec.Context, bases: bases, args: spec.BuildArgs(), labels: labels, files: c.files})
		}
		if err == nil {
			fmt.Fprintf(c.progress, "%s: built %s in %s\n", spec.Key, ref, time.Since(start).Round(100*time.Millisecond))
		}
		return err
	})
	if err != nil {
		return Image{}, fmt.Errorf("build %s stand-in: %w", spec.Key, err)
	}
	im.Key, im.Libc = spec.Key, spec.StandinLibc
	// Only an image that replaces a registry image is a stand-in: scratch
	// built here is scratch, and builder exists only here.
	im.Standin, im.StandinFor, im.StandinLacks = spec.Registry != "", spec.StandinFor(), spec.StandinLacks()
	return im, nil
}

// findOrBuild returns ref if the engine has it; else takes the build lock,
// looks again (another process may have built it meanwhile), and builds.
// Builds tag only on success, so an interrupted build leaves no ref behind.
func (c *Catalog) findOrBuild(ctx context.Context, ref string, build func() error) (Image, error) {
	if im, ok, err := c.inspect(ctx, ref); err != nil || ok {
		return im, err
	}
	unlock, err := lockFile(ctx, ref)
	if err != nil {
		return Image{}, err
	}
	defer unlock()
	if im, ok, err := c.inspect(ctx, ref); err != nil || ok {
		return im, err
	}
	if err := build(); err != nil {
		return Image{}, err
	}
	im, ok, err := c.inspect(ctx, ref)
	if err != nil {
		return Image{}, err
	}
	if !ok {
		return Image{}, fmt.Errorf("build reported success but %s is not in the engine", ref)
	}
	return im, nil
}

// inspect reports whether ref is in the engine.
func (c *Catalog) inspect(ctx context.Context, ref string) (Image, bool, error) {
	res, err := c.eng.API.ImageInspect(ctx, ref)
	if err != nil {
		if engine.IsNotFound(err) {
			return Image{}, false, nil
		}
		return Image{}, false, fmt.Errorf("inspect image %s: %w", ref, err)
	}
	im := Image{Ref: ref, ID: res.ID, SizeBytes: res.Size, Built: true}
	if len(res.RepoDigests) > 0 {
		im.Digest = res.RepoDigests[0]
	}
	if t, err := time.Parse(time.RFC3339Nano, res.Created); err == nil {
		im.Created = t
	}
	return im, true, nil
}

// inputsHash is the identity of a stand-in: its recipe, the fixture files it
// uses, and the IDs of the images it is built on. A change to any of them
// gives a new tag; an unchanged tree finds its tags and builds nothing.
func (c *Catalog) inputsHash(spec Spec, bases map[string]Image) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "key=%s\n", spec.Key)
	if b := spec.Bootstrap; b != nil {
		fmt.Fprintf(h, "bootstrap=%s/%s\n", b.Variant, b.Suite)
		if err := hashFiles(h, c.files, "bootstrap.sh"); err != nil {
			return "", err
		}
	} else {
		if err := hashFiles(h, c.files, append([]string{spec.Dockerfile}, spec.Context...)...); err != nil {
			return "", err
		}
	}
	buildArgs := spec.BuildArgs()
	names := make([]string, 0, len(buildArgs))
	for a := range buildArgs {
		names = append(names, a)
	}
	sort.Strings(names)
	for _, a := range names {
		fmt.Fprintf(h, "arg %s=%s\n", a, buildArgs[a])
	}
	args := make([]string, 0, len(bases))
	for a := range bases {
		args = append(args, a)
	}
	sort.Strings(args)
	for _, a := range args {
		fmt.Fprintf(h, "base %s=%s\n", a, bases[a].ID)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// hashFiles writes the names and contents of files (folders walked) into h.
func hashFiles(h io.Writer, fsys fs.FS, paths ...string) error {
	for _, p := range paths {
		err := fs.WalkDir(fsys, p, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := fs.ReadFile(fsys, path)
			if err != nil {
				return err
			}
			fmt.Fprintf(h, "file %s %d\n", path, len(b))
			_, err = h.Write(b)
			return err
		})
		if err != nil {
			return fmt.Errorf("hash fixture %s: %w", p, err)
		}
	}
	return nil
}

// lockedWriter lets concurrent builds share one progress stream line by line.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// Resolved lists, sorted, the keys Ensure was asked for in the catalog's
// life, their bases included: what a run resolved, for a test to hold
// against what its labs declared (lab.Lab.Images).
func (c *Catalog) Resolved() []Key {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []Key
	for name := range c.calls {
		if k, ok := strings.CutPrefix(name, "key:"); ok {
			out = append(out, Key(k))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// WithBases is keys and every key a stand-in of theirs is built on, in
// catalog order (parts last): what resolving keys may resolve.
func WithBases(keys []Key) []Key {
	want := map[Key]bool{}
	var add func(k Key)
	add = func(k Key) {
		if want[k] {
			return
		}
		want[k] = true
		if s, err := Lookup(k); err == nil {
			for _, b := range s.Bases {
				add(b)
			}
		}
	}
	for _, k := range keys {
		add(k)
	}
	var out []Key
	for _, specs := range [][]Spec{catalog, parts} {
		for _, s := range specs {
			if want[s.Key] {
				out = append(out, s.Key)
			}
		}
	}
	return out
}
