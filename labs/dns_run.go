package labs

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/baselab/baselab/dnsfaker"
	"github.com/baselab/baselab/harness/engine"
	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/harness/run"
	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/client"
	tc "github.com/testcontainers/testcontainers-go"
	tcnetwork "github.com/testcontainers/testcontainers-go/network"
)

// dnsLab is one running instance of the lab: a network, the fake server on
// it, and one long-lived probe container per base × options (resolv.conf is
// per container; faults are per name, so cells share containers).
type dnsLab struct {
	env       *Env
	dir       string
	network   *tc.DockerNetwork
	faker     *run.Container
	fakerIP   string
	boxes     map[string]*dnsBox
	probe     map[images.Key]images.Image
	user      images.Image
	userProbe string
}

type dnsBox struct {
	c  *run.Container
	im images.Image
}

func boxKey(base images.Key, options string) string { return string(base) + "|" + options }

// startDNSLab builds what the cells need (concurrently), then starts the
// network, the fake server with one rule per cell, and the probe containers.
func startDNSLab(ctx context.Context, env *Env, cfg DNSConfig, cells []dnsCell, loads []dnsLoadCell) (*dnsLab, error) {
	dir, err := os.MkdirTemp("", "baselab-dns-")
	if err != nil {
		return nil, err
	}
	l := &dnsLab{env: env, dir: dir, boxes: map[string]*dnsBox{}, probe: map[images.Key]images.Image{}, userProbe: cfg.Probe}

	// Images: the server and one probe image per base, side by side.
	bases := map[images.Key]bool{}
	for _, c := range cells {
		if !c.user {
			bases[c.base] = true
		}
	}
	for _, lc := range loads {
		bases[lc.base] = true
	}
	type built struct {
		key images.Key
		im  images.Image
		err error
	}
	ch := make(chan built, len(bases)+2)
	go func() { im, err := fakerImage(ctx, env); ch <- built{"dnsfaker", im, err} }()
	for b := range bases {
		go func() { im, err := probeImage(ctx, env, b); ch <- built{b, im, err} }()
	}
	if cfg.Image != "" {
		go func() { im, err := env.Catalog.External(ctx, cfg.Image); ch <- built{"user", im, err} }()
	}
	var fakerIm images.Image
	var errs []string
	n := len(bases) + 1
	if cfg.Image != "" {
		n++
	}
	for range n {
		b := <-ch
		switch {
		case b.err != nil:
			errs = append(errs, b.err.Error())
		case b.key == "dnsfaker":
			fakerIm = b.im
		case b.key == "user":
			l.user = b.im
		default:
			l.probe[b.key] = b.im
		}
	}
	if len(errs) > 0 {
		return l, fmt.Errorf("dns: build images: %s", strings.Join(errs, "; "))
	}

	// The lab network is internal: nothing in it can reach a real DNS
	// server or anything else outside by accident.
	l.network, err = tcnetwork.New(ctx, tcnetwork.WithInternal(),
		tcnetwork.WithLabels(env.Engine.Labels(map[string]string{engine.LabelLab: "dns"})))
	if err != nil {
		return l, fmt.Errorf("dns: create lab network: %w", err)
	}

	var rules strings.Builder
	rules.WriteString("# one rule per lab cell: the cell's own name gets the cell's fault\n")
	for _, c := range cells {
		fmt.Fprintf(&rules, "%s %s\n", c.name, c.fault)
	}
	for _, lc := range loads {
		fmt.Fprintf(&rules, "%s race:p=%g\n", lc.name, cfg.LoadP)
	}
	rulesPath, err := writeTemp(dir, "rules.conf", rules.String())
	if err != nil {
		return l, err
	}
	l.faker, err = run.Start(ctx, env.Engine, run.Spec{
		Image: fakerIm.Ref, Lab: "dns", Network: l.network.Name, Aliases: []string{"dnsfaker"},
		Cmd:   []string{"--listen", "0.0.0.0:53", "--rules", "/rules.conf"},
		Binds: []run.Bind{{Host: rulesPath, Container: "/rules.conf"}},
	})
	if err != nil {
		return l, fmt.Errorf("dns: start dnsfaker: %w", err)
	}
	if l.fakerIP, err = l.faker.IP(ctx, l.network.Name); err != nil {
		return l, err
	}
	if err := l.waitServing(ctx); err != nil {
		return l, err
	}

	// Probe containers, one per base × options, started side by side.
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
	boxes := make([]*dnsBox, len(wants))
	boxErrs := make([]error, len(wants))
	inParallel(len(wants), len(wants), func(i int) {
		boxes[i], boxErrs[i] = l.startBox(ctx, wants[i].base, wants[i].options)
	})
	for i, w := range wants {
		if boxes[i] != nil {
			// Kept even when it failed to start, so close() removes it.
			l.boxes[boxKey(w.base, w.options)] = boxes[i]
		}
		if boxErrs[i] != nil {
			errs = append(errs, boxErrs[i].Error())
		}
	}
	if len(errs) > 0 {
		return l, fmt.Errorf("dns: start probe containers: %s", strings.Join(errs, "; "))
	}
	return l, nil
}

// resolvConf writes the resolv.conf a container gets for options: the lab
// server only, so the lab container talks to it directly (not through
// Docker's embedded resolver, which would re-send each query from a fresh
// socket and hide exactly the client behaviour under test).
func (l *dnsLab) resolvConf(options string) (string, error) {
	content := "nameserver " + l.fakerIP + "\n"
	if options != "" {
		content += "options " + options + "\n"
	}
	return writeTemp(l.dir, "resolv-"+strings.NewReplacer(" ", "_", ":", "-").Replace(optionsSlug(options))+".conf", content)
}

func (l *dnsLab) startBox(ctx context.Context, base images.Key, options string) (*dnsBox, error) {
	path, err := l.resolvConf(options)
	if err != nil {
		return nil, err
	}
	im := l.probe[base]
	c, err := run.Start(ctx, l.env.Engine, run.Spec{
		Image: im.Ref, Lab: "dns", Network: l.network.Name, Cmd: []string{"--idle"},
		Binds: []run.Bind{{Host: path, Container: "/etc/resolv.conf"}},
	})
	box := &dnsBox{c: c, im: im}
	if err != nil {
		return box, fmt.Errorf("%s with options %q: %w", base, options, err)
	}
	return box, nil
}

// waitServing waits for dnsfaker's ready line on stderr.
func (l *dnsLab) waitServing(ctx context.Context) error {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		_, stderr, err := l.fakerOutput(ctx)
		if err != nil {
			return err
		}
		if strings.Contains(stderr, "serving") {
			return nil
		}
		if st, err := l.faker.State(ctx); err == nil && !st.Running {
			return fmt.Errorf("dns: dnsfaker exited (code %d): %s", st.ExitCode, strings.TrimSpace(stderr))
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("dns: dnsfaker did not report serving within 30 s")
}

func (l *dnsLab) fakerOutput(ctx context.Context) (stdout, stderr string, err error) {
	rc, err := l.env.Engine.API.ContainerLogs(ctx, l.faker.GetContainerID(), client.ContainerLogsOptions{ShowStdout: true, ShowStderr: true})
	if err != nil {
		return "", "", fmt.Errorf("dns: read dnsfaker output: %w", err)
	}
	defer rc.Close()
	var o, e bytes.Buffer
	if _, err := stdcopy.StdCopy(&o, &e, rc); err != nil {
		return "", "", fmt.Errorf("dns: read dnsfaker output: %w", err)
	}
	return o.String(), e.String(), nil
}

// serverLog reads the server's query log (its stdout, one JSON entry per
// line) and groups it by query name.
func (l *dnsLab) serverLog(ctx context.Context) (map[string][]dnsfaker.Entry, error) {
	stdout, _, err := l.fakerOutput(ctx)
	if err != nil {
		return nil, err
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

func (l *dnsLab) close() {
	ctx := context.Background()
	for _, b := range l.boxes {
		_ = b.c.Terminate(ctx)
	}
	_ = l.faker.Terminate(ctx)
	if l.network != nil {
		_ = l.network.Remove(ctx)
	}
	_ = os.RemoveAll(l.dir)
}
