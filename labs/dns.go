package labs

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/baselab/baselab/dnsfaker"
	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/harness/record"
	"github.com/spf13/pflag"
)

// DNSConfig is the dns lab's matrix.
type DNSConfig struct {
	Bases   []string // catalog keys; each brings a resolver (resolverOf)
	Faults  []string // dnsfaker words
	Options []string // resolv.conf options lines; "none" for no options line
	Flags   []string // getaddrinfo hints: none, addrconfig
	Tries   int      // lookups per cell, each in a fresh probe process

	// Under load: race with probability LoadP, Clients concurrent
	// clients each doing LoadTries lookups in one long-lived process.
	Load      bool
	Clients   []int
	LoadP     float64
	LoadTries int

	// Image and Probe run the faults and options against a user's image
	// with the user's own lookup command ({name} is the name to look up).
	Image string
	Probe string
}

// DefaultDNSConfig is the matrix of issue 4: three resolvers on five bases,
// seven faults, five resolv.conf options.
func DefaultDNSConfig() DNSConfig {
	return DNSConfig{
		Bases:     []string{"alpine", "slim", "distroless-base", "distroless-static", "scratch"},
		Faults:    []string{"ok", "race", "timeout:AAAA", "servfail:AAAA", "refused:AAAA", "truncate", "overload:1"},
		Options:   []string{"none", "single-request", "single-request-reopen", "timeout:1 attempts:2", "use-vc"},
		Flags:     []string{"none", "addrconfig"},
		Tries:     5,
		Load:      true,
		Clients:   []int{1, 8, 32},
		LoadP:     0.3,
		LoadTries: 10,
	}
}

// DNS is the Alpine DNS mystery lab.
func DNS() Lab {
	cfg := DefaultDNSConfig()
	return Lab{
		Name:    "dns",
		Summary: "the Alpine DNS delay: musl, glibc and Go resolvers against a server that loses parallel A/AAAA queries",
		Flags:   func(fs *pflag.FlagSet) { cfg.bind(fs) },
		Run:     func(ctx context.Context, env *Env) ([]record.Record, error) { return RunDNS(ctx, env, cfg) },
	}
}

func (c *DNSConfig) bind(fs *pflag.FlagSet) {
	fs.StringSliceVar(&c.Bases, "bases", c.Bases, "catalog keys to run the probe on (alpine=musl, slim/distroless-base=glibc, distroless-static/scratch=Go)")
	fs.StringSliceVar(&c.Faults, "faults", c.Faults, "dnsfaker faults (see `baselab dnsfaker --help`)")
	fs.StringSliceVar(&c.Options, "options", c.Options, "resolv.conf options lines, comma-separated; none = no options line")
	fs.StringSliceVar(&c.Flags, "flags", c.Flags, "getaddrinfo hints: none (Python, curl, Java) or addrconfig (Node's net.connect, getent ahosts)")
	fs.IntVar(&c.Tries, "tries", c.Tries, "lookups per cell, each in a fresh process")
	fs.BoolVar(&c.Load, "load", c.Load, "also run the under-load cells (race with probability --load-p, --clients concurrent clients)")
	fs.IntSliceVar(&c.Clients, "clients", c.Clients, "concurrent clients for the under-load cells")
	fs.Float64Var(&c.LoadP, "load-p", c.LoadP, "probability that race loses the second query of a pair, under load")
	fs.IntVar(&c.LoadTries, "load-tries", c.LoadTries, "lookups per client under load, in one long-lived process")
	fs.StringVar(&c.Image, "image", "", "your own image to test instead of the catalog bases (needs --probe)")
	fs.StringVar(&c.Probe, "probe", "", "your lookup command, with {name} for the name, e.g. 'getent ahosts {name}'")
}

// dnsCell is one resolver × fault × options × flags combination.
type dnsCell struct {
	base     images.Key
	resolver string
	fault    string
	options  string // "" for none
	flags    string
	name     string // the query name, unique per cell, so one server serves all cells
	variant  string
	expect   dnsExpect
	user     bool // a user's image and probe
}

func optionsSlug(o string) string {
	if o == "" {
		return "none"
	}
	return strings.ReplaceAll(o, " ", "+")
}

// validate checks the configuration before anything starts.
func (c DNSConfig) validate() error {
	if c.Tries < 1 {
		return fmt.Errorf("--tries must be at least 1")
	}
	if (c.Image == "") != (c.Probe == "") {
		return fmt.Errorf("--image and --probe go together: --probe is your lookup command, e.g. --probe 'getent ahosts {name}'")
	}
	if c.Probe != "" && !strings.Contains(c.Probe, "{name}") {
		return fmt.Errorf("--probe %q must contain {name}: the lab gives every cell its own name so one server can fault each differently", c.Probe)
	}
	if c.Probe != "" {
		if _, err := splitWords(c.Probe); err != nil {
			return fmt.Errorf("--probe: %w", err)
		}
	}
	for _, f := range c.Faults {
		if _, err := dnsfaker.ParseFault(f); err != nil {
			return err
		}
	}
	if c.Image == "" {
		for _, b := range c.Bases {
			if _, err := images.Lookup(images.Key(b)); err != nil {
				return err
			}
			if _, ok := resolverOf[images.Key(b)]; !ok {
				return fmt.Errorf("base %q has no resolver probe: use alpine, slim, full, distroless-base, distroless-static, scratch, python-slim or python-alpine", b)
			}
		}
	}
	for _, o := range c.Options {
		for _, w := range strings.Fields(o) {
			if !knownResolvOption(w) {
				return fmt.Errorf("unknown resolv.conf option %q in %q: known are single-request, single-request-reopen, use-vc, timeout:N, attempts:N, ndots:N, edns0, rotate, no-aaaa", w, o)
			}
		}
	}
	for _, f := range c.Flags {
		if f != "none" && f != "addrconfig" && f != "v4mapped-addrconfig" {
			return fmt.Errorf("unknown --flags %q: want none, addrconfig or v4mapped-addrconfig", f)
		}
	}
	if c.Load && (c.LoadP <= 0 || c.LoadP > 1) {
		return fmt.Errorf("--load-p %v: want a probability in (0, 1]", c.LoadP)
	}
	return nil
}

func knownResolvOption(w string) bool {
	switch w {
	case "none", "single-request", "single-request-reopen", "use-vc", "edns0", "rotate", "no-aaaa", "inet6", "trust-ad":
		return true
	}
	for _, p := range []string{"timeout:", "attempts:", "ndots:"} {
		if strings.HasPrefix(w, p) {
			return true
		}
	}
	return false
}

// cells lays out the matrix.
func (c DNSConfig) cells() []dnsCell {
	var out []dnsCell
	bases := c.Bases
	if c.Image != "" {
		bases = []string{c.Image}
	}
	n := 0
	for _, b := range bases {
		for _, f := range c.Faults {
			for _, o := range c.Options {
				if o == "none" {
					o = ""
				}
				for _, fl := range c.Flags {
					if fl != "none" && (o != "" || c.Image != "") {
						// The hints decide which queries leave; the
						// options how they are retried. Crossing them
						// adds cells, not knowledge. A user's command
						// brings its own hints.
						continue
					}
					n++
					cell := dnsCell{base: images.Key(b), fault: f, options: o, flags: fl, user: c.Image != "",
						name: fmt.Sprintf("c%03d.dns.test", n)}
					if cell.user {
						cell.resolver = "user"
						cell.variant = fmt.Sprintf("image/%s/%s", f, optionsSlug(o))
					} else {
						cell.resolver = resolverOf[cell.base]
						cell.variant = fmt.Sprintf("%s/%s/%s/%s", b, f, optionsSlug(o), fl)
						cell.expect = predictDNS(cell.resolver, f, o, fl)
					}
					out = append(out, cell)
				}
			}
		}
	}
	return out
}

// RunDNS runs the dns lab.
func RunDNS(ctx context.Context, env *Env, cfg DNSConfig) ([]record.Record, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	var cells []dnsCell
	for _, c := range cfg.cells() {
		if !env.Want(c.variant) {
			continue
		}
		if env.Short && c.expect.seconds(cfg.Tries) > 10 {
			env.Logf("dns: --short skips %s (expected %.0f s)", c.variant, c.expect.seconds(cfg.Tries))
			continue
		}
		cells = append(cells, c)
	}
	var loads []dnsLoadCell
	if cfg.Load && cfg.Image == "" {
		for _, b := range cfg.Bases {
			for _, n := range cfg.Clients {
				lc := dnsLoadCell{base: images.Key(b), resolver: resolverOf[images.Key(b)], clients: n,
					name: fmt.Sprintf("load-%s-c%d.dns.test", b, n), variant: fmt.Sprintf("load/%s/c%d", b, n)}
				if env.Want(lc.variant) {
					loads = append(loads, lc)
				}
			}
		}
	}
	if len(cells) == 0 && len(loads) == 0 {
		return nil, nil
	}
	setup := time.Now()
	lab, err := startDNSLab(ctx, env, cfg, cells, loads)
	if lab != nil {
		defer lab.close()
	}
	if err != nil {
		return nil, err
	}
	env.Logf("dns: images and %d containers ready in %s; %d cells and %d under-load cells start now, all at once",
		len(lab.boxes)+1, time.Since(setup).Round(100*time.Millisecond), len(cells), len(loads))
	start := time.Now()

	// Every cell at once: they wait on resolver timers, not on the CPU.
	results := make([]dnsCellResult, len(cells))
	inParallel(len(cells), len(cells), func(i int) {
		results[i] = lab.runCell(ctx, cells[i], cfg.Tries)
		env.Logf("dns: %-48s %s", cells[i].variant, results[i].summary())
	})
	wall := time.Since(start)

	// The under-load cells come after the matrix, not beside it: their
	// hundreds of concurrent lookups would otherwise load the two cores
	// enough to blur the matrix's fast/stall line.
	loadResults := make([]dnsLoadResult, len(loads))
	inParallel(len(loads), len(loads), func(i int) {
		loadResults[i] = lab.runLoad(ctx, loads[i], cfg.LoadTries)
		env.Logf("dns: %-48s %s", loads[i].variant, loadResults[i].summary())
	})

	entries, err := lab.serverLog(ctx)
	if err != nil {
		return nil, err
	}
	var recs []record.Record
	var slowest time.Duration
	for i, c := range cells {
		r := lab.cellRecord(c, results[i], entries[c.name])
		recs = append(recs, r)
		slowest = max(slowest, results[i].wall)
	}
	for i, lc := range loads {
		recs = append(recs, lab.loadRecord(lc, cfg, loadResults[i], entries[lc.name]))
	}
	sort.SliceStable(recs, func(i, j int) bool { return recs[i].Variant < recs[j].Variant })
	for _, r := range recs {
		if err := env.Emit(r); err != nil {
			return recs, err
		}
	}
	if len(cells) > 0 {
		env.Logf("dns: matrix wall time %s, slowest cell %s (%.2f×: cells run side by side)", wall.Round(100*time.Millisecond),
			slowest.Round(100*time.Millisecond), wall.Seconds()/max(slowest.Seconds(), 0.001))
	}
	return recs, nil
}

// writeTemp writes a file into the lab's temp folder.
func writeTemp(dir, name, content string) (string, error) {
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		return "", fmt.Errorf("write %s: %w", name, err)
	}
	return p, nil
}
