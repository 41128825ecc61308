package labs

// The size lab is the course's exercise 1 ("compare base image sizes"),
// measured: the same app on every base, and per image its size, layer count,
// the bytes a registry would store (docker save | gzip) and the time from
// container start to the first HTTP answer.

import (
	"bytes"
	"compress/gzip"
	"context"
	"debug/buildinfo"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"testing/fstest"
	"time"

	"github.com/baselab/baselab/fixtures"
	"github.com/baselab/baselab/harness/engine"
	"github.com/baselab/baselab/harness/gobuild"
	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/harness/record"
	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
	"github.com/spf13/pflag"
)

// What the size lab runs on a base: nothing (the base itself, as the course
// lists it), the static Go server, or the Python server.
const (
	SizeBare   = "base"
	SizeGo     = "go"
	SizePython = "python"
)

// Outcomes of a size cell.
const (
	sizeMeasured   = "measured"    // a bare base: sizes only
	sizeServes     = "serves"      // the app answered on every start
	sizeNoResponse = "no-response" // at least one start never answered
	sizeError      = "error"       // the image could not be built or measured
)

// SizeVariant is one cell: an app on a base, with the outcome expected.
type SizeVariant struct {
	Name   string
	Base   images.Key
	App    string
	Expect string
}

// SizeVariants are the cells for keys: every base bare and with the Go server
// (a static binary runs anywhere, scratch included), and the Python server on
// the two Python bases. Every app is expected to serve: a failure to answer
// is a finding, not a design.
func SizeVariants(keys []images.Key) []SizeVariant {
	var out []SizeVariant
	for _, k := range keys {
		out = append(out, SizeVariant{Name: SizeBare + "/" + string(k), Base: k, App: SizeBare, Expect: sizeMeasured})
	}
	for _, k := range keys {
		out = append(out, SizeVariant{Name: SizeGo + "/" + string(k), Base: k, App: SizeGo, Expect: sizeServes})
	}
	for _, k := range keys {
		if k == images.PythonSlim || k == images.PythonAlpine {
			out = append(out, SizeVariant{Name: SizePython + "/" + string(k), Base: k, App: SizePython, Expect: sizeServes})
		}
	}
	return out
}

// sizeCourse is the course's quick-reference table (decimal megabytes, as
// `docker images` prints them). The course's "full" row is ubuntu:22.04; the
// catalog's full is Debian bookworm, so that row compares two distributions.
var sizeCourse = map[images.Key]struct {
	Image string
	Bytes int64
}{
	images.Full:             {"ubuntu:22.04", 77_000_000},
	images.Slim:             {"debian:bookworm-slim", 74_000_000},
	images.Alpine:           {"alpine:3.18", 7_000_000},
	images.DistrolessStatic: {"distroless/static", 2_000_000},
	images.Scratch:          {"scratch", 0},
}

// sizeStandinNote says how a stand-in differs from the image it stands in
// for, so that no size of a stand-in is read as the real image's.
var sizeStandinNote = map[images.Key]string{
	images.Slim:             "debootstrap --variant=minbase with docs, man pages, locales and apt lists removed, the way debian:bookworm-slim is made",
	images.Full:             "debootstrap's default variant of bookworm (the course's row is ubuntu:22.04, another distribution)",
	images.Alpine:           "only Debian's musl and busybox-static; alpine:3.20 also ships apk-tools, libssl3/libcrypto3, zlib, ca-certificates-bundle, alpine-baselayout, scanelf and musl-utils",
	images.DistrolessStatic: "CA bundle, zoneinfo (without right/), passwd, group, nsswitch.conf and netbase files taken from Debian's .debs, as Google's image is",
	images.DistrolessBase:   "the distroless-static stand-in plus the files of Debian's libc6 and libssl3",
	images.PythonSlim:       "slim plus Debian's python3 and python3-pip (python:3.11-slim builds CPython into /usr/local instead and needs fewer packages)",
	images.PythonAlpine:     "the alpine stand-in plus CPython 3.11 built with musl-gcc into /usr/local, without pip",
}

// sizeConfig is what `baselab run size` can change.
type sizeConfig struct {
	runs  int
	bases []string
}

// sizeDefaultRuns starts per app image: enough for a median and a spread
// without making the lab slow (each start is well under a second here).
const sizeDefaultRuns = 7

// Size measures the same app on every base: size, layers, compressed size and
// start time.
func Size() Lab {
	cfg := &sizeConfig{runs: sizeDefaultRuns}
	return Lab{
		Name:    "size",
		Summary: "the same app on every base: size, layers, compressed size, start to first response",
		Flags: func(fs *pflag.FlagSet) {
			fs.IntVar(&cfg.runs, "runs", cfg.runs, "container starts per app image (median and spread; --short uses 3)")
			fs.StringSliceVar(&cfg.bases, "bases", nil, "catalog keys to measure (default: all)")
		},
		Run: func(ctx context.Context, env *Env) ([]record.Record, error) { return sizeRun(ctx, env, *cfg) },
	}
}

// sizeShortRuns is the number of starts under --short.
const sizeShortRuns = 3

func sizeRun(ctx context.Context, env *Env, cfg sizeConfig) ([]record.Record, error) {
	keys, err := images.ParseKeys(cfg.bases)
	if err != nil {
		return nil, err
	}
	runs := cfg.runs
	if env.Short && runs > sizeShortRuns {
		env.Logf("size: --short: %d starts per app image instead of %d", sizeShortRuns, runs)
		runs = sizeShortRuns
	}
	if runs < 1 {
		return nil, fmt.Errorf("size: --runs %d: want at least 1", runs)
	}
	bin, err := SizeServerBinary(ctx)
	if err != nil {
		return nil, err
	}
	env.Logf("size: static Go server is %d bytes (CGO_ENABLED=0, -s -w)", len(bin))

	variants := SizeVariants(keys)
	out := make([]record.Record, len(variants))
	refs := make([]string, len(variants))
	errs := make([]error, len(variants))
	finish := func(i int) {
		env.Logf("size: %-26s %-11s %s", variants[i].Name, out[i].Outcome, out[i].Detail)
		if err := env.Emit(out[i]); err != nil {
			errs[i] = errors.Join(errs[i], err)
		}
	}
	// Phase one, side by side (bounded: the machine has two cores): build the
	// app images, read their sizes, gzip their save streams.
	inParallel(len(variants), 3, func(i int) {
		v := variants[i]
		out[i], refs[i], errs[i] = sizeMeasure(ctx, env, v, bin)
		if errs[i] != nil {
			errs[i] = fmt.Errorf("%s: %w", v.Name, errs[i])
		}
		if v.App == SizeBare || errs[i] != nil {
			finish(i)
		}
	})
	// Phase two, alone: start times. Concurrent starts (or a gzip running
	// beside them) would measure each other on two cores, so the starts run
	// one at a time, round-robin over the images so that any drift in the
	// machine's load spreads over every base instead of landing on one.
	var timed []int
	for i, v := range variants {
		if v.App != SizeBare && errs[i] == nil {
			timed = append(timed, i)
		}
	}
	if len(timed) > 0 {
		env.Logf("size: timing %d starts of each of %d app images, one at a time", runs, len(timed))
	}
	results := make([][]sizeTry, len(variants))
	for n := 0; n < runs; n++ {
		for _, i := range timed {
			st, err := SizeStartOnce(ctx, env.Engine, refs[i])
			results[i] = append(results[i], sizeTry{SizeStart: st, Err: err})
		}
	}
	for _, i := range timed {
		sizeFinishStarts(&out[i], results[i])
		finish(i)
	}
	env.Logf("size: table\n%s", SizeTable(out))
	return out, errors.Join(errs...)
}

// SizeServerBinary builds fixtures/size/server on the host, static.
func SizeServerBinary(ctx context.Context) ([]byte, error) {
	src, err := fs.ReadFile(fixtures.Size, "size/server/main.go")
	if err != nil {
		return nil, fmt.Errorf("read server source: %w", err)
	}
	fsys := fstest.MapFS{
		"server/main.go": {Data: src},
		"server/go.mod":  {Data: []byte(fixtures.SizeServerGoMod)},
	}
	bin, err := gobuild.Source(ctx, fsys, "server", gobuild.Options{})
	if err != nil {
		return nil, fmt.Errorf("build size server: %w", err)
	}
	return bin, nil
}

// Dockerfiles of the app images: one COPY, so an app adds exactly one layer.
const (
	sizeGoDockerfile = `ARG BASE
FROM ${BASE}
COPY server /server
EXPOSE 8080
ENTRYPOINT ["/server"]
`
	sizePythonDockerfile = `ARG BASE
FROM ${BASE}
COPY app.py /app/app.py
EXPOSE 8080
ENTRYPOINT ["python3", "/app/app.py"]
`
)

// SizeAppImage builds (or finds) the app image of v.
func SizeAppImage(ctx context.Context, env *Env, v SizeVariant, bin []byte) (images.Image, error) {
	d := images.Derived{Name: "size-" + v.App + "-" + string(v.Base), Bases: map[string]images.Key{"BASE": v.Base}, Lab: "size"}
	switch v.App {
	case SizeGo:
		d.Dockerfile, d.Files = sizeGoDockerfile, map[string][]byte{"server": bin}
	case SizePython:
		app, err := fs.ReadFile(fixtures.Size, "size/app.py")
		if err != nil {
			return images.Image{}, fmt.Errorf("read app.py: %w", err)
		}
		d.Dockerfile, d.Files = sizePythonDockerfile, map[string][]byte{"app.py": app}
	default:
		return images.Image{}, fmt.Errorf("no app %q", v.App)
	}
	return env.Catalog.Derive(ctx, d)
}

// sizeMeasure builds v's image and fills a record with its sizes; for an
// app it also returns the image to time. An error still returns a record
// (outcome "error") that says what failed.
func sizeMeasure(ctx context.Context, env *Env, v SizeVariant, bin []byte) (record.Record, string, error) {
	r := record.Record{Lab: "size", Variant: v.Name, Base: string(v.Base), Started: time.Now().UTC()}
	r.Set("app", v.App)
	fail := func(err error) (record.Record, string, error) {
		r.Outcome, r.Detail, r.Evidence = sizeError, "could not measure: "+err.Error(), err.Error()
		return r, "", err
	}
	base, err := env.Catalog.Ensure(ctx, v.Base)
	if err != nil {
		return fail(fmt.Errorf("ensure base: %w", err))
	}
	Stamp(&r, base)
	baseFacts, err := sizeInspect(ctx, env.Engine, base.Ref)
	if err != nil {
		return fail(err)
	}
	im, facts := base, baseFacts
	if v.App != SizeBare {
		if im, err = SizeAppImage(ctx, env, v, bin); err != nil {
			return fail(err)
		}
		// The record is about the base; the app image is the evidence.
		r.Image = im.Evidence()
		if facts, err = sizeInspect(ctx, env.Engine, im.Ref); err != nil {
			return fail(err)
		}
		r.Set("base_size_bytes", baseFacts.Size)
		r.Set("app_bytes", facts.Size-baseFacts.Size)
		if v.App == SizeGo {
			r.Set("binary_bytes", len(bin))
			// What a scanner reads to find Go CVEs in an image with no
			// package database: the toolchain and modules in the build info.
			if bi, err := buildinfo.Read(bytes.NewReader(bin)); err == nil {
				r.Set("go_version", bi.GoVersion)
			}
		}
	}
	r.Set("size_bytes", facts.Size)
	r.Set("layers", facts.Layers)
	r.Evidence = fmt.Sprintf("image inspect %s: Size=%d RootFS.Layers=%d", im.Ref, facts.Size, facts.Layers)
	gzipped := "nothing to gzip"
	gz, err := sizeCompressed(ctx, env.Engine, im.Ref)
	switch {
	case err == nil:
		r.Set("compressed_bytes", gz)
		r.Evidence += fmt.Sprintf("; docker save | gzip = %d bytes", gz)
		gzipped = sizeMB(gz) + " gzipped"
	case facts.Layers == 0:
		// An image with no layers (scratch) cannot be saved: the engine
		// answers "empty export - not implemented". That is recorded as
		// seen; zero would be a number nobody measured.
		r.Set("compressed_bytes", nil)
		r.Evidence += "; docker save refused: " + err.Error()
		gzipped = "docker save refuses an image with no layers"
	default:
		return fail(err)
	}
	course, hasCourse := sizeCourse[v.Base]
	if hasCourse {
		r.Set("course_image", course.Image)
		r.Set("course_bytes", course.Bytes)
	} else {
		r.Set("course_image", nil)
		r.Set("course_bytes", nil)
	}
	r.Set("start_ms", nil)
	what := sizeWhat(base)
	sizes := fmt.Sprintf("%s in %d layer%s, %s", sizeMB(facts.Size), facts.Layers, sizePlural(facts.Layers), gzipped)
	if v.App == SizeBare {
		r.Tries, r.OK = 1, 1
		r.Outcome = sizeMeasured
		r.Detail = fmt.Sprintf("%s: %s", what, sizes)
		if hasCourse {
			r.Detail += fmt.Sprintf("; the course says %s for %s", sizeMB(course.Bytes), course.Image)
		}
		if note := sizeStandinNote[v.Base]; base.Standin && note != "" {
			r.Detail += "; the stand-in is " + note
		}
		return r, "", nil
	}
	r.Detail = fmt.Sprintf("%s server on %s: %s, +%s over the base", v.App, what, sizes, sizeMB(facts.Size-baseFacts.Size))
	return r, im.Ref, nil
}

// sizeTry is one timed start or its error.
type sizeTry struct {
	SizeStart
	Err error
}

// sizeFinishStarts adds an app cell's start times to its record.
func sizeFinishStarts(r *record.Record, tries []sizeTry) {
	var ms, calls, ready []float64
	var errs []error
	evidence := ""
	for i, t := range tries {
		if t.Err != nil {
			errs = append(errs, fmt.Errorf("start %d: %w", i+1, t.Err))
			continue
		}
		ms = append(ms, t.Ms)
		calls = append(calls, t.CallMs)
		ready = append(ready, t.Ms-t.CallMs)
		evidence = t.Evidence
	}
	r.Tries, r.OK, r.Failed = len(tries), len(ms), len(tries)-len(ms)
	r.Timings(ms)
	r.Set("start_runs_ms", ms)
	if len(ms) > 0 {
		r.Set("start_ms", record.Percentile(ms, 50))
		r.Set("start_spread_ms", math.Round((slices.Max(ms)-slices.Min(ms))*1000)/1000)
		r.Set("start_call_ms", record.Percentile(calls, 50))
		r.Set("ready_after_call_ms", record.Percentile(ready, 50))
	} else {
		r.Set("ready_after_call_ms", nil)
		r.Set("start_spread_ms", nil)
		r.Set("start_call_ms", nil)
	}
	if r.Failed == 0 {
		r.Outcome = sizeServes
		r.Detail += fmt.Sprintf("; first response after %.0f ms median (spread %.0f ms, %d starts): the engine's start call %.0f ms, then the app %.0f ms",
			record.Percentile(ms, 50), slices.Max(ms)-slices.Min(ms), len(ms), record.Percentile(calls, 50), record.Percentile(ready, 50))
		r.Evidence += "; " + evidence
		return
	}
	r.Outcome = sizeNoResponse
	r.Detail += fmt.Sprintf("; %d of %d starts never answered", r.Failed, len(tries))
	r.Evidence += "; " + errors.Join(errs...).Error()
}

// sizeWhat names a base with what it stands in for.
func sizeWhat(im images.Image) string {
	if !im.Standin {
		return string(im.Key) + " (" + im.Ref + ")"
	}
	if im.StandinFor == "" {
		return string(im.Key) + " (baselab image)"
	}
	return string(im.Key) + " (stand-in for " + im.StandinFor + ")"
}

// sizeFacts is what image inspect says about size.
type sizeFacts struct {
	Size   int64
	Layers int
	User   string
}

func sizeInspect(ctx context.Context, eng *engine.Engine, ref string) (sizeFacts, error) {
	res, err := eng.API.ImageInspect(ctx, ref)
	if err != nil {
		return sizeFacts{}, fmt.Errorf("inspect image %s: %w", ref, err)
	}
	f := sizeFacts{Size: res.Size, Layers: len(res.RootFS.Layers)}
	if res.Config != nil {
		f.User = res.Config.User
	}
	return f, nil
}

// sizeCompressed streams `docker save` through gzip (the default level, as
// registries' layer blobs are) and counts the bytes; nothing touches disk.
// A registry gzips each layer on its own, so its total differs from this by
// the save format's tar headers and per-layer dictionaries: a few KB.
func sizeCompressed(ctx context.Context, eng *engine.Engine, ref string) (int64, error) {
	rc, err := eng.API.ImageSave(ctx, []string{ref})
	if err != nil {
		return 0, fmt.Errorf("save %s: %w", ref, err)
	}
	defer rc.Close()
	var n sizeCounter
	zw := gzip.NewWriter(&n)
	if _, err := io.Copy(zw, rc); err != nil {
		return 0, fmt.Errorf("gzip save stream of %s: %w", ref, err)
	}
	if err := zw.Close(); err != nil {
		return 0, fmt.Errorf("gzip save stream of %s: %w", ref, err)
	}
	return int64(n), nil
}

// sizeCounter counts bytes written and keeps none.
type sizeCounter int64

func (c *sizeCounter) Write(p []byte) (int, error) {
	*c += sizeCounter(len(p))
	return len(p), nil
}

// sizeAppPort is where both apps listen inside the container.
const sizeAppPort = "8080/tcp"

// sizeStartTimeout bounds one start; a healthy start here is under a second.
const sizeStartTimeout = 30 * time.Second

// SizeStart is one timed start.
type SizeStart struct {
	// Ms is from the start call to the first HTTP 200.
	Ms float64
	// CallMs is how long the engine's start call took to return: the part of
	// Ms that is the engine's (namespaces, network, port proxy), not the app's.
	CallMs   float64
	Evidence string
}

// SizeStartOnce creates a container from ref with the app port published on
// loopback only, starts it, and polls until the first HTTP 200. The clock
// runs from the start call to that answer; create and remove are outside it.
func SizeStartOnce(ctx context.Context, eng *engine.Engine, ref string) (SizeStart, error) {
	var lastErr error
	// The host port is picked before the clock starts; another process may
	// take it in between, so a refused binding is retried with another port.
	for attempt := 0; attempt < 3; attempt++ {
		port, err := sizeFreePort()
		if err != nil {
			return SizeStart{}, err
		}
		st, retry, err := sizeStartOn(ctx, eng, ref, port)
		if err == nil || !retry {
			return st, err
		}
		lastErr = err
	}
	return SizeStart{}, lastErr
}

func sizeStartOn(ctx context.Context, eng *engine.Engine, ref string, port int) (st SizeStart, retry bool, err error) {
	p := network.MustParsePort(sizeAppPort)
	cr, err := eng.API.ContainerCreate(ctx, client.ContainerCreateOptions{
		Config: &container.Config{Image: ref, Labels: eng.Labels(map[string]string{engine.LabelLab: "size"}),
			ExposedPorts: network.PortSet{p: {}}},
		HostConfig: &container.HostConfig{PortBindings: network.PortMap{
			p: {{HostIP: sizeLoopback, HostPort: strconv.Itoa(port)}},
		}},
	})
	if err != nil {
		return SizeStart{}, false, fmt.Errorf("create container from %s: %w", ref, err)
	}
	defer func() {
		_, _ = eng.API.ContainerRemove(context.WithoutCancel(ctx), cr.ID, client.ContainerRemoveOptions{Force: true})
	}()
	url := fmt.Sprintf("http://127.0.0.1:%d/", port)
	hc := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	start := time.Now()
	if _, err := eng.API.ContainerStart(ctx, cr.ID, client.ContainerStartOptions{}); err != nil {
		msg := err.Error()
		taken := strings.Contains(msg, "port is already allocated") || strings.Contains(msg, "address already in use")
		return SizeStart{}, taken, fmt.Errorf("start container from %s: %w", ref, err)
	}
	callMs := float64(time.Since(start).Microseconds()) / 1000
	deadline := start.Add(sizeStartTimeout)
	var last error
	for time.Now().Before(deadline) {
		resp, err := hc.Get(url)
		if err == nil {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 64))
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				ms := float64(time.Since(start).Microseconds()) / 1000
				return SizeStart{Ms: ms, CallMs: callMs, Evidence: fmt.Sprintf("HTTP %d %q from 127.0.0.1:%d", resp.StatusCode, strings.TrimSpace(string(body)), port)}, false, nil
			}
			last = fmt.Errorf("HTTP %d", resp.StatusCode)
		} else {
			last = err
		}
		select {
		case <-ctx.Done():
			return SizeStart{}, false, ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
	return SizeStart{}, false, fmt.Errorf("no answer on %s within %s (last: %v); container log: %s",
		url, sizeStartTimeout, last, sizeLogs(ctx, eng, cr.ID))
}

// sizeLoopback is where app ports are published: never on every interface.
var sizeLoopback = netip.MustParseAddr("127.0.0.1")

// sizeFreePort asks the kernel for a free loopback port.
func sizeFreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// sizeLogs is the tail of a container's output, for evidence.
func sizeLogs(ctx context.Context, eng *engine.Engine, id string) string {
	rc, err := eng.API.ContainerLogs(context.WithoutCancel(ctx), id, client.ContainerLogsOptions{ShowStdout: true, ShowStderr: true, Tail: "5"})
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	defer rc.Close()
	var b strings.Builder
	_, _ = stdcopy.StdCopy(&b, &b, rc)
	return strings.TrimSpace(b.String())
}

// sizeMB prints bytes in decimal megabytes, as `docker images` and the course do.
func sizeMB(b int64) string {
	switch {
	case b == 0:
		return "0 B"
	case b < 1_000_000:
		return fmt.Sprintf("%.1f kB", float64(b)/1e3)
	}
	return fmt.Sprintf("%.1f MB", float64(b)/1e6)
}

func sizePlural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// SizeTable renders size records as the two markdown tables of the lab's
// README: the bases beside the course's numbers, and the apps on them.
func SizeTable(rs []record.Record) string {
	var b strings.Builder
	b.WriteString("| base | stands in for | course says | measured | layers | gzipped |\n|---|---|---|---|---|---|\n")
	for _, r := range rs {
		if app, _ := r.Get("app"); app != SizeBare || r.Outcome == sizeError {
			continue
		}
		course := "—"
		if img, ok := r.Get("course_image"); ok && img != nil {
			course = fmt.Sprintf("%s (%s)", sizeMB(SizeInt(r, "course_bytes")), img)
		}
		gz := "— (save refused)"
		if v, ok := r.Get("compressed_bytes"); ok && v != nil {
			gz = sizeMB(SizeInt(r, "compressed_bytes"))
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %d | %s |\n", r.Base, sizeStandinFor(r), course,
			sizeMB(SizeInt(r, "size_bytes")), SizeInt(r, "layers"), gz)
	}
	b.WriteString("\n| app on base | image | over the base | layers | gzipped | start → first response, median (spread) | start call | then the app |\n|---|---|---|---|---|---|---|---|\n")
	for _, r := range rs {
		if app, _ := r.Get("app"); app == SizeBare || r.Outcome == sizeError {
			continue
		}
		start, call, ready := r.Outcome, "—", "—"
		if v, ok := r.Get("start_ms"); ok && v != nil {
			start = fmt.Sprintf("%.0f ms (%.0f ms, %d runs)", SizeFloat(r, "start_ms"), SizeFloat(r, "start_spread_ms"), r.OK)
			call = fmt.Sprintf("%.0f ms", SizeFloat(r, "start_call_ms"))
			ready = fmt.Sprintf("%.0f ms", SizeFloat(r, "ready_after_call_ms"))
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %d | %s | %s | %s | %s |\n", r.Variant, sizeMB(SizeInt(r, "size_bytes")),
			sizeMB(SizeInt(r, "app_bytes")), SizeInt(r, "layers"), sizeMB(SizeInt(r, "compressed_bytes")), start, call, ready)
	}
	return b.String()
}

// sizeStandinFor says what a record's base is.
func sizeStandinFor(r record.Record) string {
	s, err := images.Lookup(images.Key(r.Base))
	switch {
	case err != nil:
		return "—"
	case s.Registry == "":
		return "— (no registry image: built here as it is)"
	case r.Standin:
		return s.StandinFor() + " (stand-in)"
	}
	return "itself (registry image)"
}

// SizeInt reads a numeric lab field, whether set in this process (int,
// int64) or read back from JSON (float64).
func SizeInt(r record.Record, k string) int64 {
	switch v := r.Extra[k].(type) {
	case int:
		return int64(v)
	case int64:
		return v
	case float64:
		return int64(v)
	}
	return 0
}

func SizeFloat(r record.Record, k string) float64 {
	switch v := r.Extra[k].(type) {
	case float64:
		return v
	case int64:
		return float64(v)
	case int:
		return float64(v)
	}
	return 0
}
