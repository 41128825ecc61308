package exercise

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/baselab/baselab/harness/record"
	"github.com/baselab/baselab/labs/dns"
	"github.com/baselab/baselab/labs/lab"
)

// ex2Tries is how many lookups each cell makes, each in a fresh container:
// enough for a median that one slow start cannot move (musl's stall is
// every lookup, glibc's every fresh process), few enough to grade in
// seconds.
const ex2Tries = 3

const ex2Hint = "labs/dns/README.md#what-it-means"

func dnsDelay() Exercise {
	return Exercise{N: 2, Title: "reproduce and fix the Alpine DNS delay", Load: loadDNS, Show: `Exercise 2: reproduce and fix the Alpine DNS delay (course: "Alpine DNS Issue
Reproduction"; lab: labs/dns/README.md).

Task: a server that loses one of two parallel A/AAAA queries stalls lookups
on Alpine. Hand in an image whose lookups under that fault are fast and
still succeed: a resolv.conf options line, another base, or another program.

Hand in a folder with:
  Dockerfile    FROM catalog keys only (alpine, slim, python-alpine, builder
                AS build ... : baselab fixtures list); each FROM KEY is built
                on the catalog's local image, as the labs build theirs
  resolv.conf   optional; its options line is what the container gets (the
                engine replaces an image's own /etc/resolv.conf at start)
  answer.yaml   probe: "your lookup command with {name}"

Checked, with the DNS lab's race fault and its timer (your command's own run
time inside the container), 3 lookups in fresh containers:
  builds · lookups succeed (all 3 exit 0) · no stall (p95 under the lab's
  400 ms fast line). Your image is also run without your options: the stall
  you reproduced is shown beside the fix.`}
}

// dnsHandIn is a loaded exercise 2 hand-in.
type dnsHandIn struct {
	dir     string
	recipe  recipe
	options string // "none" for no options line
	probe   string
}

func loadDNS(dir string) (HandIn, error) {
	if err := folder(dir); err != nil {
		return nil, err
	}
	var a struct {
		Probe string `yaml:"probe"`
	}
	if err := readAnswer(dir, &a); err != nil {
		return nil, err
	}
	if a.Probe == "" {
		return nil, fmt.Errorf("%s: probe: is empty: give the lookup command your app makes, with {name} for the name", filepath.Join(dir, AnswerFile))
	}
	// The lab's own check of --image/--probe, before Docker.
	cfg := dns.DefaultConfig()
	cfg.Image, cfg.Probe = "handin", a.Probe
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("%s: probe: %w", filepath.Join(dir, AnswerFile), err)
	}
	r, err := readRecipe(filepath.Join(dir, "Dockerfile"))
	if err != nil {
		return nil, err
	}
	opts, err := readOptions(filepath.Join(dir, "resolv.conf"))
	if err != nil {
		return nil, err
	}
	return &dnsHandIn{dir: dir, recipe: r, options: opts, probe: a.Probe}, nil
}

// readOptions is the options of a resolv.conf ("none" without one): its
// nameservers are the lab's, its options the learner's.
func readOptions(p string) (string, error) {
	b, err := os.ReadFile(p)
	if os.IsNotExist(err) {
		return "none", nil
	}
	if err != nil {
		return "", fmt.Errorf("read %s: %w", p, err)
	}
	var words []string
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) > 0 && f[0] == "options" {
			words = append(words, f[1:]...)
		}
	}
	if len(words) == 0 {
		return "none", nil
	}
	return strings.Join(words, " "), nil
}

func (h *dnsHandIn) Grade(ctx context.Context, env *lab.Env) (*Grade, error) {
	g := &Grade{Exercise: 2, Title: "reproduce and fix the Alpine DNS delay", Path: h.dir}
	files, err := contextFiles(h.dir)
	if err != nil {
		return nil, err
	}
	im, err := build(ctx, env, "exercise2", h.recipe, files)
	if err != nil {
		g.add("builds", false, "the build failed", lastLines(err.Error(), 6), "labs/dns/README.md#run-it")
		return g, nil
	}
	g.Images = append(g.Images, im.Ref)
	g.add("builds", true, fmt.Sprintf("%s (%s)", im.Ref, orWord(im.Libc, "libc not read")), "", "")

	cfg := dns.DefaultConfig()
	cfg.Image, cfg.Probe, cfg.Faults, cfg.Tries, cfg.Load = im.Ref, h.probe, []string{"race"}, ex2Tries, false
	cfg.Options = []string{h.options}
	if h.options != "none" {
		cfg.Options = append(cfg.Options, "none")
	}
	recs, err := dns.Run(ctx, env, cfg)
	if err != nil {
		// The lab refuses a probe that fails even without a fault: that is
		// the hand-in's failure, shown as one.
		if strings.Contains(err.Error(), "the probe does not work in this image") {
			g.add("lookups succeed", false, "the probe fails even when the server answers well", err.Error(), "labs/dns/README.md#run-it")
			return g, nil
		}
		return nil, fmt.Errorf("run the dns lab on %s: %w", im.Ref, err)
	}
	fixed, before, ok := byOptions(recs, h.options)
	if !ok {
		return nil, fmt.Errorf("dns lab on %s: no record for options %q among %d", im.Ref, h.options, len(recs))
	}
	if fixed.Libc == "" || fixed.Libc == "unknown" {
		// The lab marks an outside image's libc "unknown"; the
		// catalog base the final stage is built on says it otherwise.
		fixed.Libc = im.Libc
	}
	p95 := 0.0
	if fixed.P95ms != nil {
		p95 = *fixed.P95ms
	}
	g.add("lookups succeed", fixed.Failed == 0 && fixed.OK == fixed.Tries && fixed.Tries > 0,
		fmt.Sprintf("%d of %d lookups exited 0 under race, options %q", fixed.OK, fixed.Tries, h.options), fixed.Evidence,
		h.failHint(fixed))
	stall := p95 >= dns.FastMs
	g.add("no stall", fixed.Tries > 0 && !stall,
		fmt.Sprintf("p95 %.0f ms over %d lookups (the lab's fast line: %.0f ms)", p95, fixed.Tries, dns.FastMs),
		fixed.Evidence, h.stallHint(fixed)).Value = &p95
	if before != nil && before.P95ms != nil {
		g.note("reproduced: the same image without your options: p95 %.0f ms, outcome %s", *before.P95ms, before.Outcome)
	}
	if ms, why, known := dns.Predict(fixed.Libc, "race", h.options); known {
		g.note("the lab's prediction for %s with options %q: %.0f ms (%s)", fixed.Libc, h.options, ms, why)
	}
	return g, nil
}

// stallHint says why the lookups still stall: for musl and an option it
// does not read, the source that says so and the delay its schedule gives.
func (h *dnsHandIn) stallHint(r record.Record) string {
	ignored := false
	for _, w := range strings.Fields(h.options) {
		ignored = ignored || w == "single-request" || w == "single-request-reopen" || w == "use-vc"
	}
	ms, why, known := dns.Predict(r.Libc, "race", h.options)
	switch {
	case strings.HasPrefix(r.Libc, "musl") && ignored:
		return fmt.Sprintf("%s (\"The course's fix does nothing on Alpine\"): musl ignores %q — its resolv.conf reader (src/network/resolvconf.c, __get_resolv_conf) reads only ndots:, attempts: and timeout:; the lost query is resent after timeout/attempts = %.0f ms (%s)",
			ex2Hint, h.options, ms, why)
	case known && ms > 0:
		return fmt.Sprintf("%s: %s predicts %.0f ms here: %s", ex2Hint, r.Libc, ms, why)
	}
	return ex2Hint
}

// byOptions finds the race record of the learner's options and, when it
// was run, the one without options.
func byOptions(recs []record.Record, options string) (fixed record.Record, before *record.Record, ok bool) {
	// The lab records "no options line" as "".
	want := options
	if want == "none" {
		want = ""
	}
	for i, r := range recs {
		o, _ := r.Str("options")
		switch o {
		case want:
			fixed, ok = r, true
		case "":
			before = &recs[i]
		}
	}
	if options == "none" {
		before = nil
	}
	return fixed, before, ok
}

func orWord(s, w string) string {
	if s == "" {
		return w
	}
	return s
}

// lastLines is the end of a long error (a build log).
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

// failHint says why lookups fail. On musl, timeout:0 sends nothing at all:
// __res_msend_rc (src/network/res_msend.c) sends and waits only inside
// "for (; t2-t0 < timeout; ...)", so with a timeout of 0 no query leaves and
// name_from_dns (src/network/lookup_name.c) returns EAI_AGAIN for the
// answers it never got.
func (h *dnsHandIn) failHint(r record.Record) string {
	if strings.HasPrefix(r.Libc, "musl") && slices.Contains(strings.Fields(h.options), "timeout:0") {
		return ex2Hint + ": musl reads timeout:0 (src/network/resolvconf.c) and then sends no query at all: src/network/res_msend.c sends only inside its \"t2-t0 < timeout\" loop, and lookup_name.c returns EAI_AGAIN for the answers it never got; a faster failure is not a fix"
	}
	return ex2Hint + " (a lost or failed AAAA fails the whole lookup on musl: EAI_AGAIN)"
}
