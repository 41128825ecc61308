package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/baselab/baselab/dnsfaker"
	"github.com/spf13/cobra"
)

// dnsfakerFlags are the command line of `baselab dnsfaker`.
type dnsfakerFlags struct {
	listen string
	http   string
	fault  string
	rules  string
	quiet  bool
	seed   uint64
}

func newDNSFakerCmd() *cobra.Command {
	var f dnsfakerFlags
	cmd := &cobra.Command{
		Use:   "dnsfaker --listen ADDR [--http ADDR] [--fault FAULT] [--rules FILE] [--quiet]",
		Short: "Run a fake DNS server that mishandles parallel A/AAAA queries",
		Long: `dnsfaker is a DNS server that answers every name with documentation
addresses (192.0.2.x, 2001:db8::x, the same for a name every time) and breaks
on purpose, per name, the way the servers in the course's stories do.

Its main fault is race: a query that arrives from a UDP source address:port
that still has an unanswered query is lost. A libc stub resolver sends its A
and AAAA queries back to back from one socket, so under race getaddrinfo
loses one and stalls: 5 s with glibc's defaults (then glibc retries one query
at a time and succeeds; "options single-request" avoids the stall), 2.5 s with
musl, which resends the lost query. Go's resolver, which uses one socket per
query, is answered in full: the control.

Faults (per name with --rules, or for every name with --fault):
  ok                                answer normally (the default)
  race[:inflight=DUR,p=PROB,busy=K] lose a query colliding with an unanswered one
                                    from the same UDP source (inflight 50ms, p 1);
                                    busy=K: only while more than K queries for the name are in flight
  timeout[:QTYPE]                   never answer (that type only, with QTYPE)
  servfail|refused|nxdomain|nodata[:QTYPE]
                                    answer with that rcode, or empty
  delay:DUR[:QTYPE]                 answer after DUR
  truncate                          40 records: TC over UDP, all over TCP
  tcponly                           40 records over TCP; over UDP TC and no records
  cname[:N]                         a chain of N CNAMEs (default 10, ~800 bytes) to the address
  overload[:QPS]                    SERVFAIL above QPS queries/s (default 20)
  every[:N]                         drop every N-th query of the rule (default 2)

A rules file has one "<name-pattern> <fault>" per line, first match wins:
  pair.race.test   race
  *.race.test      race:p=0.5       # any name below race.test
  *                ok               # every name; overrides --fault
Blank lines and text after '#' are ignored.

Every query is written to stdout as one JSON object per line (ts, ts_us, src,
transport, id, qtype, name, fault, action, answers, delay_us); messages go to
stderr. With --http the same log, counters and a way to change the rules are
served over HTTP: GET /queries?since=TIME&name=NAME, GET /counters,
GET|PUT /rules[?default=FAULT], GET /healthz.

dnsfaker runs until SIGINT or SIGTERM. The README in the dnsfaker package
folder is the full reference.`,
		Example: `  # Every name races; point a resolv.conf at 127.0.0.2 and time a lookup.
  baselab dnsfaker --listen 127.0.0.2:53 --fault race

  # Try it without touching the host's /etc/resolv.conf (as root):
  echo 'nameserver 127.0.0.2' > /tmp/resolv.conf
  unshare -m sh -c 'mount --bind /tmp/resolv.conf /etc/resolv.conf; time getent ahosts foo.test'

  # The fix on glibc: one query at a time.
  printf 'nameserver 127.0.0.2\noptions single-request\n' > /tmp/resolv.conf

  # Per-name faults, an HTTP API on loopback, no log on stdout.
  baselab dnsfaker --listen 127.0.0.3:5353 --rules lab.rules --http 127.0.0.1:8053 --quiet
  curl -s '127.0.0.1:8053/queries?name=pair.race.test'
  curl -s -X PUT --data-binary '*.sf.test servfail:AAAA' '127.0.0.1:8053/rules?default=race'`,
		Args:         cobra.NoArgs,
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			return runDNSFaker(ctx, f, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.listen, "listen", "", "address for DNS over UDP and TCP, as in 127.0.0.2:53 (required)")
	fl.StringVar(&f.http, "http", "", "address for the HTTP API (off unless set); a port alone (8053, :8053) is loopback; another host only when named, as in 0.0.0.0:8053")
	fl.StringVar(&f.fault, "fault", "ok", "fault for every name that no rule matches")
	fl.StringVar(&f.rules, "rules", "", "rules file: one \"<name-pattern> <fault>\" per line")
	fl.BoolVar(&f.quiet, "quiet", false, "do not write the query log to stdout")
	fl.Uint64Var(&f.seed, "seed", 0, "seed for race's probability, to repeat a run with p < 1 (0: random)")
	return cmd
}

// runDNSFaker serves until ctx ends or a signal comes. Errors are one line
// that names the flag or address at fault.
func runDNSFaker(ctx context.Context, f dnsfakerFlags, stdout, stderr io.Writer) error {
	if f.listen == "" {
		return errors.New("dnsfaker: --listen is required, as in --listen 127.0.0.2:53")
	}
	def, err := dnsfaker.ParseFault(f.fault)
	if err != nil {
		return fmt.Errorf("dnsfaker: --fault: %w", err)
	}
	cfg := dnsfaker.Config{Default: def}
	if f.rules != "" {
		if cfg.Rules, err = dnsfaker.ReadRulesFile(f.rules); err != nil {
			return fmt.Errorf("dnsfaker: --rules: %w", err)
		}
	}

	// The HTTP address is bound first: it is the cheaper one to undo.
	var httpLn net.Listener
	if f.http != "" {
		addr, err := httpAddr(f.http)
		if err != nil {
			return fmt.Errorf("dnsfaker: --http: %w", err)
		}
		if httpLn, err = net.Listen("tcp", addr); err != nil {
			return fmt.Errorf("dnsfaker: --http: %w", err)
		}
		defer httpLn.Close()
	}

	var opts []dnsfaker.Option
	if !f.quiet {
		opts = append(opts, dnsfaker.WithLogWriter(stdout))
	}
	if f.seed != 0 {
		opts = append(opts, dnsfaker.WithSeed(f.seed))
	}
	srv := dnsfaker.New(cfg, opts...)
	startCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	err = srv.Start(startCtx, f.listen)
	cancel()
	if err != nil {
		srv.Close()
		return fmt.Errorf("dnsfaker: %w", err)
	}

	var api *http.Server
	if httpLn != nil {
		api = &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
		go api.Serve(httpLn)
	}
	fmt.Fprintln(stderr, readyLine(srv.Addr(), f, cfg, httpLn))

	// As PID 1 in a container, SIGTERM is the only way to be stopped:
	// without a handler the kernel would ignore it.
	sigCtx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	select {
	case <-sigCtx.Done():
	case <-srv.Done():
	}

	if api != nil {
		shutCtx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		api.Shutdown(shutCtx)
		cancel()
	}
	err = srv.Close()
	fmt.Fprintf(stderr, "dnsfaker: stopped after %d queries\n", srv.Counters().Queries)
	if err != nil {
		return fmt.Errorf("dnsfaker: %w", err)
	}
	return nil
}

// httpAddr is where the HTTP API listens: the control API changes the
// server's rules, so an address without a host ("8053", ":8053") means
// loopback; another host is bound only when named.
func httpAddr(s string) (string, error) {
	if !strings.Contains(s, ":") {
		s = ":" + s
	}
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return "", err
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return "", fmt.Errorf("port %q: want a number from 0 to 65535", port)
	}
	if host == "" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port), nil
}

// readyLine tells a person (or a harness waiting for it) what is serving.
func readyLine(addr string, f dnsfakerFlags, cfg dnsfaker.Config, httpLn net.Listener) string {
	line := fmt.Sprintf("dnsfaker: serving udp+tcp on %s, default fault %s", addr, cfg.Default)
	if f.rules != "" {
		line += fmt.Sprintf(", %d rules from %s", len(cfg.Rules), f.rules)
	}
	if httpLn != nil {
		line += ", http on " + httpLn.Addr().String()
		if ap, err := netip.ParseAddrPort(httpLn.Addr().String()); err == nil && ap.Addr().IsLoopback() {
			line += " (loopback only)"
		} else {
			line += " (NOT loopback: anyone who reaches it can read the log and change the rules)"
		}
	}
	if f.quiet {
		return line + ", query log off (--quiet)"
	}
	return line + ", query log as JSON lines on stdout"
}
