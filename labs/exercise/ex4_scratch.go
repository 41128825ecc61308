package exercise

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing/fstest"
	"time"

	"github.com/baselab/baselab/harness/elf"
	"github.com/baselab/baselab/harness/gobuild"
	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/harness/rootfs"
	"github.com/baselab/baselab/harness/run"
	"github.com/baselab/baselab/labs/doctor"
	"github.com/baselab/baselab/labs/lab"
	"github.com/baselab/baselab/labs/lint"
	"github.com/baselab/baselab/labs/scratch"
	"github.com/baselab/baselab/labs/size"
)

const ex4Hint = "labs/scratch/README.md#symptom-cause-fix"

// The zone the program loads and what the tz database says of it at the
// scratch lab's probe instant (2024-07-01 12:00 UTC).
const (
	ex4Zone   = scratch.Zone
	ex4Abbrev = scratch.ZoneAbbrev
)

func scratchApp() Exercise {
	return Exercise{N: 4, Title: "a Go HTTPS app on scratch", Load: loadScratch, Show: `Exercise 4: build a Go app for scratch (course: "Build Go App for Scratch";
lab: labs/scratch/README.md).

Task: a Go program that makes an HTTPS call and loads a named time zone,
in a scratch image, running as a named non-root user.

Hand in a folder with:
  src/         your Go program (package main). Run as PROGRAM URL ZONE it
               GETs URL and prints "https STATUS", loads ZONE and prints
               "zone ZONE ABBREV" for 2024-07-01 12:00 UTC; exit 0 if both
               worked. baselab builds it on the host (as answer.yaml says)
               and puts it in the build context as "app".
  Dockerfile   final stage FROM scratch; other stages FROM catalog keys
               (distroless-static has a CA bundle, zoneinfo, passwd)
  answer.yaml  max_mb: 10    cgo: false    tags: []

Checked on containers: builds · static (no ELF interpreter) · CA bundle at
/etc/ssl/certs/ca-certificates.crt (baselab adds the CA it made for this run
to it) · named non-root USER the engine finds · HTTPS to baselab's server ·
` + ex4Zone + ` loads · image ≤ max_mb. doctor and lint findings are shown.`}
}

type scratchHandIn struct {
	dir    string
	recipe recipe
	maxMB  float64
	opts   gobuild.Options
}

func loadScratch(dir string) (HandIn, error) {
	if err := folder(dir); err != nil {
		return nil, err
	}
	var a struct {
		MaxMB *float64 `yaml:"max_mb"`
		CGO   bool     `yaml:"cgo"`
		Tags  []string `yaml:"tags"`
	}
	if err := readAnswer(dir, &a); err != nil {
		return nil, err
	}
	p := filepath.Join(dir, AnswerFile)
	if a.MaxMB == nil || *a.MaxMB <= 0 {
		return nil, fmt.Errorf("%s: max_mb: give the size (decimal MB) your image must stay under", p)
	}
	if st, err := os.Stat(filepath.Join(dir, "src")); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("%s: no src/ folder: hand in your Go program's main package in src/", dir)
	}
	r, err := readRecipe(filepath.Join(dir, "Dockerfile"))
	if err != nil {
		return nil, err
	}
	if r.Final != images.Scratch {
		return nil, fmt.Errorf("%s: the final stage is built on %s: exercise 4 is FROM scratch", r.Path, orWord(string(r.Final), "an unknown base"))
	}
	return &scratchHandIn{dir: dir, recipe: r, maxMB: *a.MaxMB, opts: gobuild.Options{CGO: a.CGO, Tags: a.Tags}}, nil
}

func (h *scratchHandIn) Grade(ctx context.Context, env *lab.Env) (*Grade, error) {
	g := &Grade{Exercise: 4, Title: "a Go HTTPS app on scratch", Path: h.dir}
	bin, err := gobuild.Source(ctx, os.DirFS(h.dir), "src", h.opts)
	if err != nil {
		g.add("builds", false, "go build of src/ failed", lastLines(err.Error(), 6), "labs/scratch/README.md#exercise-4-the-dockerfiles-the-lab-builds")
		return g, nil
	}
	files, err := contextFiles(h.dir)
	if err != nil {
		return nil, err
	}
	files["app"] = bin
	im, err := build(ctx, env, "exercise4", h.recipe, files)
	if err != nil {
		g.add("builds", false, "the build failed", lastLines(err.Error(), 6), "labs/scratch/README.md#exercise-4-the-dockerfiles-the-lab-builds")
		return g, nil
	}
	g.Images = append(g.Images, im.Ref)
	g.add("builds", true, im.Ref, "", "")

	ef, err := elf.Parse(bin)
	if err != nil {
		return nil, fmt.Errorf("read the program's ELF header: %w", err)
	}
	g.add("static", ef.Static(), ef.Describe(), fmt.Sprintf("go build CGO_ENABLED=%s", map[bool]string{true: "1", false: "0"}[h.opts.CGO]),
		ex4Hint+" (a cgo build names glibc's loader, which scratch does not have: exec /app: no such file or directory; build with cgo: false)")

	// The bundle the image carries, with the run's CA added: the check is
	// whether the program reads the bundle from where the image put it.
	root, err := rootfs.Read(ctx, env.Engine, im.Ref, rootfs.Options{Keep: func(p string) bool { return p == scratch.BundlePath }})
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", im.Ref, err)
	}
	bundle, hasBundle := root.Content(scratch.BundlePath)
	g.add("CA bundle", hasBundle && len(bundle) > 0,
		map[bool]string{true: fmt.Sprintf("%s: %d bytes, %d certificates", scratch.BundlePath, len(bundle), bytes.Count(bundle, []byte("BEGIN CERTIFICATE"))),
			false: "no " + scratch.BundlePath + " in the image"}[hasBundle && len(bundle) > 0], "",
		ex4Hint+" (scratch has no CA bundle: COPY it from a stage that has one, e.g. distroless-static)")

	srv, caPEM, err := scratch.StartServer(ctx, env, "exercise")
	defer srv.Close(context.WithoutCancel(ctx), env)
	if err != nil {
		return nil, err
	}
	spec := run.Spec{Image: im.Ref, Cmd: []string{scratch.URL, ex4Zone}, Network: srv.Network, Lab: "exercise"}
	dir, err := os.MkdirTemp("", "baselab-exercise4-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	if hasBundle {
		p := filepath.Join(dir, "ca-certificates.crt")
		if err := os.WriteFile(p, append(append(append([]byte{}, bundle...), '\n'), caPEM...), 0o644); err != nil {
			return nil, err
		}
		spec.Binds = []run.Bind{{Host: p, Container: scratch.BundlePath}}
	}
	cctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	res, err := run.Once(cctx, env.Engine, spec)
	if err != nil {
		return nil, fmt.Errorf("run %s: %w", im.Ref, err)
	}
	out := fmt.Sprintf("exit %d; stdout %q; stderr %q", res.ExitCode, lastLines(res.Stdout, 3), lastLines(res.Stderr, 2))
	if !res.Started {
		out = "the engine did not start it: " + res.StartError
	}

	dim, err := doctor.Load(ctx, env.Engine, im.Ref)
	if err != nil {
		return nil, fmt.Errorf("doctor %s: %w", im.Ref, err)
	}
	rep := doctor.Diagnose(dim)
	user := dim.Config.User
	userOK, userWhy := namedNonRoot(user)
	if userOK && strings.Contains(res.StartError, "unable to find user") {
		userOK, userWhy = false, "the engine found no "+user+" in the image's /etc/passwd"
	}
	g.add("named non-root user", userOK, fmt.Sprintf("USER %q: %s", user, userWhy), out,
		ex4Hint+" (USER by name needs /etc/passwd in the image; root is the default on every base, scratch included)")

	gets, failed, err := srv.Requests(context.WithoutCancel(ctx))
	if err != nil {
		return nil, err
	}
	https := lineWith(res.Stdout, "https ")
	zone := lineWith(res.Stdout, "zone ")
	// A program that printed neither line never got to try: its hint is
	// why it did not run, not what HTTPS or zoneinfo need.
	httpsHint := ex4Hint + " (x509: certificate signed by unknown authority: the bundle at " + scratch.BundlePath + " is what Go reads)"
	zoneHint := ex4Hint + " (unknown time zone: copy /usr/share/zoneinfo, or build with tags: [timetzdata])"
	if https == "" && zone == "" {
		httpsHint = ex4Hint + " (the program never ran: " + out + "; see the checks above)"
		zoneHint = httpsHint
	}
	g.add("HTTPS", https == "https 200" && gets > 0,
		fmt.Sprintf("the program said %q; the server saw %d requests, %d failed handshakes", https, gets, failed), out, httpsHint)
	want := "zone " + ex4Zone + " " + ex4Abbrev
	g.add("time zone", zone == want, fmt.Sprintf("the program said %q, want %q", zone, want), out, zoneHint)

	measured, _, err := size.ImageFacts(ctx, env.Engine, im.Ref)
	if err != nil {
		return nil, err
	}
	g.add("size", float64(measured) <= h.maxMB*1e6,
		fmt.Sprintf("%s, your limit %.1f MB", images.Bytes(measured), h.maxMB), fmt.Sprintf("image inspect %s: Size=%d", im.Ref, measured),
		"labs/scratch/README.md#measured (what each fix adds to the program alone on scratch)")

	var b strings.Builder
	doctor.WriteText(&b, rep)
	g.note("doctor %s:\n%s", im.Ref, strings.TrimSpace(b.String()))
	h.lintNote(g, files)
	return g, nil
}

// lintNote lints the Dockerfile as built: the rewritten one, with each
// catalog key passed as the build arg that stands for it (lint reads a
// catalog key from --build-arg the way the labs pass their bases) and the
// context with the built program, so that lint sees whether it is static.
func (h *scratchHandIn) lintNote(g *Grade, files map[string][]byte) {
	args := map[string]string{}
	for a, k := range h.recipe.Bases {
		args[a] = string(k)
	}
	fsys := fstest.MapFS{}
	for n, b := range files {
		fsys[n] = &fstest.MapFile{Data: b, Mode: 0o755}
	}
	res, err := lint.Lint(h.recipe.Path, []byte(h.recipe.Dockerfile), lint.Options{BuildArgs: args, Context: fsys})
	if err != nil {
		g.note("lint: %v", err)
		return
	}
	var b strings.Builder
	lint.WriteText(&b, []*lint.Result{res})
	g.note("lint %s:\n%s", h.recipe.Path, strings.TrimSpace(b.String()))
}

// namedNonRoot says whether a USER is a name other than root.
func namedNonRoot(user string) (bool, string) {
	name, _, _ := strings.Cut(user, ":")
	switch {
	case name == "" || name == "root" || name == "0":
		return false, "runs as root"
	case isNumber(name):
		return false, "a number, not a name"
	}
	return true, "a name, not root"
}

func isNumber(s string) bool {
	_, err := strconv.Atoi(s)
	return err == nil
}

// lineWith is the last stdout line starting with prefix.
func lineWith(stdout, prefix string) string {
	found := ""
	for _, l := range strings.Split(stdout, "\n") {
		if l = strings.TrimSpace(l); strings.HasPrefix(l, prefix) {
			found = l
		}
	}
	return found
}
