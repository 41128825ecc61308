package dns

import (
	"fmt"
	"strings"

	"github.com/baselab/baselab/dnsfaker"
	"github.com/baselab/baselab/harness/images"
	"github.com/spf13/pflag"
)

// Config is the dns lab's matrix.
type Config struct {
	Bases   []string // catalog keys; each brings a resolver (resolverOf)
	Faults  []string // dnsfaker words
	Options []string // resolv.conf options lines; "none" for no options line
	Flags   []string // getaddrinfo hints: none, addrconfig
	Tries   int      // lookups per cell, each in a fresh probe process
	// SearchFaults are the faults of the cells whose options use the k8s
	// preset: FAULT@N on the N-th suffixed name, or ok (search.go).
	SearchFaults []string
	// ResolvConf is a user's resolv.conf whose search list and options
	// get search cells of their own (variant .../file/FORM).
	ResolvConf string
	// Nameservers are the layouts of --options nameservers: per server
	// words joined by + (nameservers.go), e.g. dead+ok.
	Nameservers []string

	// Under load: race with probability LoadP while more than LoadBusy
	// race queries are in flight (0: whatever the load), Clients
	// concurrent clients each doing LoadTries lookups in one long-lived
	// process.
	Load      bool
	Clients   []int
	LoadP     float64
	LoadBusy  int
	LoadTries int

	// Image and Probe run the faults and options against a user's image
	// with the user's own lookup command ({name} is the name to look up).
	Image string
	Probe string
	// Libc is the C library the user's command resolves with, as read
	// from the image ("musl", "musl-1.2.5", "glibc-2.36"), when the caller
	// knows it (doctor does; there is no flag: the lab cannot tell what
	// resolver a command uses). The image's cells are then predicted from
	// that library's source for getaddrinfo without hints and the lab's
	// resolv.conf, and judged like the catalog's (as_predicted). The
	// image's Env is not in the prediction: musl reads none of it, glibc
	// reads RES_OPTIONS. Empty: measured only.
	Libc string
	// InHosts puts every name the user's cells look up in the container's
	// /etc/hosts too (198.51.100.0/24, as the hosts preset does), so that
	// a fault in DNS shows whether the command asks DNS before the file:
	// under nxdomain a files-first lookup answers from the file and sends
	// nothing, a DNS-first one (glibc before 2.35 without nsswitch.conf)
	// fails. Its cells have no prediction: the lookup order is the image's
	// nsswitch.conf's, which the lab does not read. Needs Image.
	InHosts bool
}

// DefaultConfig is the matrix of issues 4 and 14: three resolvers (musl in
// two versions) on six bases, nine faults, five resolv.conf options.
func DefaultConfig() Config {
	return Config{
		Bases:   []string{"alpine", "alpine-3.17", "slim", "distroless-base", "distroless-static", "scratch"},
		Faults:  []string{"ok", "race", "timeout:AAAA", "servfail:AAAA", "refused:AAAA", "truncate", "overload:1", "tcponly", "cname"},
		Options: []string{"none", "single-request", "single-request-reopen", "timeout:1 attempts:2", "use-vc"},
		Flags:   []string{"none", "addrconfig"},
		Tries:   5,
		// The k8s preset is not in the default Options: its cells are a
		// run of their own (--options k8s), so the main matrix's load and
		// timings stay what they were.
		SearchFaults: []string{"ok", "servfail@1", "timeout@1", "nodata@1"},
		// Like k8s, the nameservers and hosts presets are runs of their
		// own (--options nameservers,hosts).
		Nameservers: DefaultNameservers,
		Load:        true,
		Clients:     []int{1, 8, 32},
		// The loss depends on the load alone (p 1 past the threshold): a
		// client doing lookups back to back keeps one or two race queries
		// in flight, so 16 spares the 1- and 8-client cells and hits the
		// 32-client one — "issues appeared under load, disappeared when
		// traffic was low" is then measured, not built in.
		// 40 lookups (about 2 s per client) let 32 clients overlap though
		// their docker execs start over a second or two: with 10 the
		// 32-client cell measured clean (p99 83 ms), its clients too
		// staggered to pass 16 in flight.
		LoadP:     1,
		LoadBusy:  16,
		LoadTries: 40,
	}
}

// Bind binds the lab's flags to c.
func (c *Config) Bind(fs *pflag.FlagSet) {
	fs.StringSliceVar(&c.Bases, "bases", c.Bases, "catalog keys to run the probe on (alpine=musl 1.2.5, alpine-3.17=musl 1.2.3, slim/distroless-base=glibc, distroless-static/scratch=Go)")
	fs.StringSliceVar(&c.Faults, "faults", c.Faults, "dnsfaker faults (see `baselab dnsfaker --help`)")
	fs.StringSliceVar(&c.Options, "options", c.Options, "resolv.conf options lines, comma-separated; none = no options line; k8s = a pod's search list and ndots:5 (\"k8s ndots:1\" adds to it); nameservers = several nameserver lines (--nameservers); hosts = the name in /etc/hosts too, with each nsswitch.conf")
	fs.StringSliceVar(&c.Flags, "flags", c.Flags, "getaddrinfo hints: none (Python, curl, Java) or addrconfig (Node's net.connect, getent ahosts)")
	fs.StringSliceVar(&c.SearchFaults, "search-faults", c.SearchFaults, "with --options k8s: FAULT@N puts FAULT on the N-th search suffix (1 = the pod's namespace), NXDOMAIN on the others; ok = NXDOMAIN on all")
	fs.StringSliceVar(&c.Nameservers, "nameservers", c.Nameservers, "with --options nameservers: layouts of 2 or 3 servers, each ok, dead, slow (1 s), nxdomain or servfail, joined by +, optionally ending +rotate (dead+ok = the first server never answers)")
	fs.StringVar(&c.ResolvConf, "resolv-conf", c.ResolvConf, "a resolv.conf (a pod's, say) whose search and options lines get search cells like --options k8s; its nameservers are replaced by the lab's")
	fs.IntVar(&c.Tries, "tries", c.Tries, "lookups per cell, each in a fresh process")
	fs.BoolVar(&c.Load, "load", c.Load, "also run the under-load cells (race past --load-busy queries in flight, with probability --load-p, --clients concurrent clients)")
	fs.IntSliceVar(&c.Clients, "clients", c.Clients, "concurrent clients for the under-load cells")
	fs.Float64Var(&c.LoadP, "load-p", c.LoadP, "probability that race loses the second query of a pair, under load")
	fs.IntVar(&c.LoadBusy, "load-busy", c.LoadBusy, "under load, race loses pairs only while more than this many race queries are in flight (0: whatever the load)")
	fs.IntVar(&c.LoadTries, "load-tries", c.LoadTries, "lookups per client under load, in one long-lived process")
	fs.StringVar(&c.Image, "image", "", "your own image to test instead of the catalog bases (needs --probe)")
	fs.StringVar(&c.Probe, "probe", "", "your lookup command, with {name} for the name, e.g. 'getent ahosts {name}'")
	fs.BoolVar(&c.InHosts, "in-hosts", false, "with --image: put each cell's name in the container's /etc/hosts too, so a DNS fault (nxdomain) shows whether your command asks DNS first")
}

// Validate checks the configuration before anything starts.
func (c Config) Validate() error {
	if c.Tries < 1 {
		return fmt.Errorf("--tries must be at least 1")
	}
	if (c.Image == "") != (c.Probe == "") {
		return fmt.Errorf("--image and --probe go together: --probe is your lookup command, e.g. --probe 'getent ahosts {name}'")
	}
	if c.InHosts && c.Image == "" {
		return fmt.Errorf("--in-hosts puts your image's cell names in its /etc/hosts: it needs --image and --probe (the lab's own bases have --options hosts)")
	}
	if c.Libc != "" && (c.Image == "" || libcResolver(c.Libc) == "") {
		return fmt.Errorf("libc %q: a prediction for --image needs the image and a C library the lab models (musl or glibc)", c.Libc)
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
				return fmt.Errorf("base %q has no resolver probe: use alpine, alpine-3.17, slim, full, distroless-base, distroless-static, scratch, python-slim or python-alpine", b)
			}
		}
	}
	if c.ResolvConf != "" {
		if c.Image != "" {
			return fmt.Errorf("--resolv-conf: its cells use the lab's probe, not --image")
		}
		_, opts, err := readResolvConf(c.ResolvConf)
		if err != nil {
			return err
		}
		for _, w := range strings.Fields(opts) {
			if !knownResolvOption(w) {
				return fmt.Errorf("--resolv-conf %s: unknown option %q", c.ResolvConf, w)
			}
		}
	}
	for _, f := range c.SearchFaults {
		if _, err := parseSuffixFault(f); err != nil {
			return err
		}
	}
	for _, s := range c.Nameservers {
		if _, err := parseLayout(s); err != nil {
			return err
		}
	}
	for _, o := range c.Options {
		if isPreset(o) && c.Image != "" {
			return fmt.Errorf("--options %s: its cells use the lab's probe, not --image", o)
		}
		if isK8s(o) && c.Image != "" {
			return fmt.Errorf("--options %q: the k8s preset's cells use the lab's probe, not --image", o)
		}
		for _, w := range strings.Fields(o) {
			if !knownResolvOption(w) {
				return fmt.Errorf("unknown resolv.conf option %q in %q: known are k8s, single-request, single-request-reopen, use-vc, timeout:N, attempts:N, ndots:N, edns0, rotate, no-aaaa", w, o)
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
	if c.Load && c.LoadBusy < 0 {
		return fmt.Errorf("--load-busy %d: want a count of queries in flight >= 0 (0: lose pairs whatever the load)", c.LoadBusy)
	}
	return nil
}

func knownResolvOption(w string) bool {
	switch w {
	case "none", k8sPreset, nsPreset, hostsPreset, "single-request", "single-request-reopen", "use-vc", "edns0", "rotate", "no-aaaa", "inet6", "trust-ad":
		return true
	}
	for _, p := range []string{"timeout:", "attempts:", "ndots:"} {
		if strings.HasPrefix(w, p) {
			return true
		}
	}
	return false
}

// Variants lists the variants c runs, matrix first, then under load: what
// `baselab run dns --list` prints and --variant patterns are checked against.
func (c Config) Variants() []string {
	var out []string
	for _, cl := range c.cells() {
		out = append(out, cl.variant)
	}
	for _, lc := range c.loads() {
		out = append(out, lc.variant)
	}
	return out
}

// loadFault is the under-load cells' fault, as dnsfaker writes it.
func (c Config) loadFault() string {
	p := c.LoadP
	if p == dnsfaker.DefaultRaceP {
		p = 0
	}
	return dnsfaker.Fault{Kind: dnsfaker.KindRace, P: p, Busy: c.LoadBusy}.String()
}
