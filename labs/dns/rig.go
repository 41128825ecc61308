package dns

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/baselab/baselab/dnsfaker"
	"github.com/baselab/baselab/harness/engine"
	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/harness/run"
	"github.com/baselab/baselab/labs/lab"
	tc "github.com/testcontainers/testcontainers-go"
	tcnetwork "github.com/testcontainers/testcontainers-go/network"
)

// rig is one running instance of the lab: a network, the fake server on
// it, and one long-lived probe container per base × options (resolv.conf is
// per container; faults are per name, so cells share containers).
type rig struct {
	env       *lab.Env
	dir       string
	network   *tc.DockerNetwork
	faker     *run.Container
	fakerIP   string
	boxes     map[string]*box
	probe     map[images.Key]images.Image
	user      images.Image
	userProbe string
	timerPath string // the static timer on the host, for --image
	userHosts string // the /etc/hosts of --image --in-hosts, on the host

	// The nameservers cells' servers after the first (nameservers.go),
	// their addresses and logs; the hosts cells' files and images
	// (hosts.go).
	nsFakers  []*run.Container
	nsIPs     []string
	nsLogs    []map[string][]dnsfaker.Entry
	hostsPath string
	nssPath   string
	noNSS     map[images.Key]*images.Image
	// noise is the run's control, measured once every cell has run and
	// before any record is made (floor.go); zero until then.
	noise noise
}

type box struct {
	c  *run.Container
	im images.Image
}

func boxKey(base images.Key, options string) string { return string(base) + "|" + options }

// startRig builds what the cells need (concurrently), then starts the
// network, the fake server with one rule per cell, and the probe containers.
// On error the partial rig is returned for close.
func startRig(ctx context.Context, env *lab.Env, cfg Config, cells []cell, loads []loadCell) (*rig, error) {
	dir, err := os.MkdirTemp("", "baselab-dns-")
	if err != nil {
		return nil, err
	}
	rg := &rig{env: env, dir: dir, boxes: map[string]*box{}, probe: map[images.Key]images.Image{}, userProbe: cfg.Probe}

	fakerIm, err := rg.buildImages(ctx, cfg, cells, loads)
	if err != nil {
		return rg, err
	}

	// The lab network is internal: nothing in it can reach a real DNS
	// server or anything else outside by accident.
	rg.network, err = tcnetwork.New(ctx, tcnetwork.WithInternal(),
		tcnetwork.WithLabels(env.Engine.Labels(map[string]string{engine.LabelLab: "dns"})))
	if err != nil {
		return rg, fmt.Errorf("dns: create lab network: %w", err)
	}

	var rules strings.Builder
	rules.WriteString("# one rule per lab cell: the cell's own name gets the cell's fault\n")
	for _, c := range cells {
		if c.preset != nil && c.preset.layout != nil {
			fmt.Fprintf(&rules, "%s %s\n", c.name, nsWords[c.preset.layout.servers[0]])
			continue
		}
		if c.form != "" {
			for _, l := range searchRules(c) {
				rules.WriteString(l + "\n")
			}
			continue
		}
		for _, n := range c.lookupNames(c.triesIn(cfg.Tries)) {
			fmt.Fprintf(&rules, "%s %s\n", n, c.fault)
		}
	}
	for _, lc := range loads {
		fmt.Fprintf(&rules, "%s %s\n", lc.name, cfg.loadFault())
	}
	if cfg.Image != "" {
		fmt.Fprintf(&rules, "%s ok\n", preflightName)
	}
	rulesPath, err := writeTemp(dir, "rules.conf", rules.String())
	if err != nil {
		return rg, err
	}
	rg.faker, err = run.Start(ctx, env.Engine, run.Spec{
		Image: fakerIm.Ref, Lab: "dns", Network: rg.network.Name, Aliases: []string{"dnsfaker"},
		Cmd:   []string{"--listen", "0.0.0.0:53", "--rules", "/rules.conf"},
		Binds: []run.Bind{{Host: rulesPath, Container: "/rules.conf"}},
		// Port 53 is below 1024: the one capability the server keeps. It
		// writes nothing but its log (stdout).
		Privileges: run.Privileges{CapAdd: []string{"NET_BIND_SERVICE"}, ReadOnly: true},
	})
	if err != nil {
		return rg, fmt.Errorf("dns: start dnsfaker: %w", err)
	}
	if rg.fakerIP, err = rg.faker.IP(ctx, rg.network.Name); err != nil {
		return rg, err
	}
	if err := rg.faker.WaitLog(ctx, "serving", 30*time.Second); err != nil {
		return rg, fmt.Errorf("dns: dnsfaker: %w", err)
	}
	if err := rg.startNameservers(ctx, fakerIm, cells); err != nil {
		return rg, err
	}
	if err := rg.writeHostsFiles(cells); err != nil {
		return rg, err
	}
	if cfg.InHosts {
		if rg.userHosts, err = writeUserHosts(dir, cells); err != nil {
			return rg, err
		}
	}
	return rg, rg.startBoxes(ctx, cells, loads)
}

// buildImages builds the server's image, one probe image per base and
// resolves the user's image, side by side; it returns the server's.
func (rg *rig) buildImages(ctx context.Context, cfg Config, cells []cell, loads []loadCell) (images.Image, error) {
	var bases []images.Key
	seen := map[images.Key]bool{}
	add := func(b images.Key) {
		if !seen[b] {
			seen[b] = true
			bases = append(bases, b)
		}
	}
	for _, c := range cells {
		if !c.user {
			add(c.base)
		}
	}
	for _, lc := range loads {
		add(lc.base)
	}
	var fakerIm images.Image
	probes := make([]images.Image, len(bases))
	builds := []func() error{func() (err error) { fakerIm, err = fakerImage(ctx, rg.env); return err }}
	for i, b := range bases {
		builds = append(builds, func() (err error) { probes[i], err = probeImage(ctx, rg.env, b); return err })
	}
	builds = append(builds, rg.presetBuilds(ctx, cells)...)
	if cfg.Image != "" {
		builds = append(builds, func() (err error) { rg.user, err = rg.env.Catalog.External(ctx, cfg.Image); return err },
			func() error { return rg.buildTimer(ctx) })
	}
	errs := make([]error, len(builds))
	lab.InParallel(len(builds), len(builds), func(i int) { errs[i] = builds[i]() })
	for i, b := range bases {
		rg.probe[b] = probes[i]
	}
	if msg := joinErrs(errs); msg != "" {
		return fakerIm, fmt.Errorf("dns: build images: %s", msg)
	}
	return fakerIm, nil
}

// startBoxes starts the probe containers, one per base × options, side by
// side.
func (rg *rig) startBoxes(ctx context.Context, cells []cell, loads []loadCell) error {
	type want struct {
		base    images.Key
		options string
	}
	var wants []want
	seen := map[string]bool{}
	add := func(b images.Key, o string) {
		if k := boxKey(b, o); !seen[k] {
			seen[k] = true
			wants = append(wants, want{b, o})
		}
	}
	for _, c := range cells {
		if !c.user {
			add(c.base, c.options)
		}
	}
	for _, lc := range loads {
		add(lc.base, "")
	}
	boxes := make([]*box, len(wants))
	errs := make([]error, len(wants))
	lab.InParallel(len(wants), len(wants), func(i int) {
		boxes[i], errs[i] = rg.startBox(ctx, wants[i].base, wants[i].options)
	})
	for i, w := range wants {
		if boxes[i] != nil {
			// Kept even when it failed to start, so close() removes it.
			rg.boxes[boxKey(w.base, w.options)] = boxes[i]
		}
	}
	if msg := joinErrs(errs); msg != "" {
		return fmt.Errorf("dns: start probe containers: %s", msg)
	}
	return nil
}

// joinErrs joins the errors there are with "; ", "" when there are none.
func joinErrs(errs []error) string {
	var msgs []string
	for _, err := range errs {
		if err != nil {
			msgs = append(msgs, err.Error())
		}
	}
	return strings.Join(msgs, "; ")
}

// writeResolvConf writes the resolv.conf a container gets for options: the
// lab server only, so the lab container talks to it directly (not through
// Docker's embedded resolver, which would re-send each query from a fresh
// socket and hide exactly the client behaviour under test).
func (rg *rig) writeResolvConf(options string) (string, error) {
	content := rg.nameserverLines(options) + resolvConfBody(options)
	return writeTemp(rg.dir, "resolv-"+strings.NewReplacer(" ", "_", ":", "-").Replace(optionsSlug(options))+".conf", content)
}

func (rg *rig) startBox(ctx context.Context, base images.Key, options string) (*box, error) {
	path, err := rg.writeResolvConf(options)
	if err != nil {
		return nil, err
	}
	im := rg.probe[base]
	binds := []run.Bind{{Host: path, Container: "/etc/resolv.conf"}}
	if more, pim, ok := rg.presetBox(base, options); ok {
		binds, im = append(binds, more...), pim
	}
	c, err := run.Start(ctx, rg.env.Engine, run.Spec{
		Image: im.Ref, Lab: "dns", Network: rg.network.Name, Cmd: []string{"--idle"},
		Binds: binds,
		// The probes only resolve names and print: no capability, nothing
		// written.
		Privileges: run.Privileges{ReadOnly: true},
	})
	b := &box{c: c, im: im}
	if err != nil {
		return b, fmt.Errorf("%s with options %q: %w", base, options, err)
	}
	return b, nil
}

// serverLog reads the server's query log (its stdout, one JSON entry per
// line) and groups it by query name.
func (rg *rig) serverLog(ctx context.Context) (map[string][]dnsfaker.Entry, error) {
	return readLog(ctx, rg.faker)
}

// readLog reads one dnsfaker container's query log, grouped by name.
func readLog(ctx context.Context, faker *run.Container) (map[string][]dnsfaker.Entry, error) {
	stdout, _, err := faker.Logs(ctx)
	if err != nil {
		return nil, fmt.Errorf("dns: read dnsfaker output: %w", err)
	}
	out := map[string][]dnsfaker.Entry{}
	sc := bufio.NewScanner(strings.NewReader(stdout))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var e dnsfaker.Entry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return nil, fmt.Errorf("dns: parse dnsfaker log line %q: %w", sc.Text(), err)
		}
		name := strings.TrimSuffix(e.Name, ".")
		out[name] = append(out[name], e)
	}
	return out, sc.Err()
}

func (rg *rig) close() {
	ctx := context.Background()
	for _, b := range rg.boxes {
		_ = b.c.Terminate(ctx)
	}
	for _, f := range rg.nsFakers {
		_ = f.Terminate(ctx)
	}
	_ = rg.faker.Terminate(ctx)
	if rg.network != nil {
		_ = rg.network.Remove(ctx)
	}
	_ = os.RemoveAll(rg.dir)
}

// writeTemp writes a file into the lab's temp folder.
func writeTemp(dir, name, content string) (string, error) {
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		return "", fmt.Errorf("write %s: %w", name, err)
	}
	return p, nil
}
