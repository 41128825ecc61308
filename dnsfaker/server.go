package dnsfaker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/miekg/dns"
)

// DefaultLogCapacity is how many entries a Server keeps for Log, Since and
// ForName unless told otherwise: minutes of a lab, bounded for a benchmark.
const DefaultLogCapacity = 100_000

// Option configures a Server.
type Option func(*options)

type options struct {
	logWriter   io.Writer
	logCapacity int
	seed        uint64
	seeded      bool
}

// WithLogWriter streams every Entry to w as one JSON object per line.
func WithLogWriter(w io.Writer) Option {
	return func(o *options) { o.logWriter = w }
}

// WithLogCapacity sets how many entries the server keeps in memory
// (0 keeps none; counters and the stream still see every query).
func WithLogCapacity(n int) Option {
	return func(o *options) { o.logCapacity = max(n, 0) }
}

// WithSeed fixes the random source of race's probability, so a run with
// p < 1 can be repeated exactly.
func WithSeed(seed uint64) Option {
	return func(o *options) { o.seed, o.seeded = seed, true }
}

// Server is a fake DNS server over UDP and TCP on one port.
type Server struct {
	rules atomic.Pointer[ruleSet]
	log   *queryLog
	race  *raceTable

	// ctx is cancelled by Close, cutting short the answers that delay
	// and race hold, so shutdown does not wait for them.
	ctx    context.Context
	cancel context.CancelFunc

	mu       sync.Mutex
	servers  []*dns.Server
	addr     string
	closed   bool
	serving  sync.WaitGroup
	done     chan struct{}
	doneOnce sync.Once
	failure  error // why serving stopped, if not Close

	closeOnce sync.Once
	closeErr  error
}

// New returns a server with cfg, not yet listening: see Start.
func New(cfg Config, opts ...Option) *Server {
	o := options{logCapacity: DefaultLogCapacity}
	for _, opt := range opts {
		opt(&o)
	}
	if !o.seeded {
		o.seed = rand.Uint64()
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{
		log:    newQueryLog(o.logCapacity, o.logWriter),
		race:   newRaceTable(o.seed),
		ctx:    ctx,
		cancel: cancel,
		done:   make(chan struct{}),
	}
	s.rules.Store(compile(cfg))
	return s
}

// SetRules replaces the config at once for the next query. The counters of
// every and overload start again from zero.
func (s *Server) SetRules(cfg Config) { s.rules.Store(compile(cfg)) }

// Rules returns the config in force.
func (s *Server) Rules() Config { return s.rules.Load().cfg }

// udpReadSize is the biggest query the server reads over UDP; real queries
// are far smaller, but EDNS options and fuzzers are not.
const udpReadSize = 4096

// Start listens on addr over UDP and TCP with the same port and serves
// until Close. With port 0 the system picks a port free for both. It
// returns once both are serving; ctx bounds only the start.
func (s *Server) Start(ctx context.Context, addr string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errors.New("start dnsfaker: server closed")
	}
	if s.servers != nil {
		return errors.New("start dnsfaker: already started")
	}
	pc, ln, err := listenPair(addr)
	if err != nil {
		return err
	}
	handler := dns.HandlerFunc(s.serveDNS)
	started := make(chan struct{}, 2)
	notify := func() { started <- struct{}{} }
	udp := &dns.Server{
		PacketConn:        pc,
		Handler:           handler,
		UDPSize:           udpReadSize,
		DecorateReader:    func(r dns.Reader) dns.Reader { return raceReader{Reader: r, s: s} },
		NotifyStartedFunc: notify,
	}
	tcp := &dns.Server{Listener: ln, Handler: handler, NotifyStartedFunc: notify}
	s.servers = []*dns.Server{udp, tcp}

	failed := make(chan error, 2)
	for _, srv := range s.servers {
		s.serving.Add(1)
		go func() {
			defer s.serving.Done()
			err := srv.ActivateAndServe()
			if err != nil {
				failed <- err
			}
			// Either server stopping means the fake is no longer
			// what a lab expects: report it through Done.
			s.mu.Lock()
			if !s.closed && s.failure == nil {
				s.failure = err
			}
			s.mu.Unlock()
			s.closeDone()
		}()
	}
	for range 2 {
		select {
		case <-started:
		case err := <-failed:
			s.abortStartLocked(pc, ln)
			return fmt.Errorf("serve %s: %w", addr, err)
		case <-ctx.Done():
			s.abortStartLocked(pc, ln)
			return fmt.Errorf("start dnsfaker: %w", ctx.Err())
		}
	}
	s.addr = pc.LocalAddr().String()
	return nil
}

// abortStartLocked undoes a half-done Start. The sockets are closed by hand
// because a miekg server that has not started yet ignores Shutdown, and
// must find them closed if it starts later.
func (s *Server) abortStartLocked(pc net.PacketConn, ln net.Listener) {
	s.shutdownLocked()
	pc.Close()
	ln.Close()
}

// listenPair binds UDP and TCP on one port. For port 0 it takes the port
// the system gives UDP and tries it for TCP, again with a new port when
// TCP's is taken.
func listenPair(addr string) (net.PacketConn, net.Listener, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, nil, fmt.Errorf("parse listen address %q: %w", addr, err)
	}
	if port != "" && port != "0" {
		pc, err := net.ListenPacket("udp", addr)
		if err != nil {
			return nil, nil, err // *OpError reads "listen udp ADDR: ..."
		}
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			pc.Close()
			return nil, nil, err
		}
		return pc, ln, nil
	}
	const tries = 20
	for range tries {
		pc, err := net.ListenPacket("udp", addr)
		if err != nil {
			return nil, nil, err
		}
		p := pc.LocalAddr().(*net.UDPAddr).Port
		ln, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(p)))
		if err == nil {
			return pc, ln, nil
		}
		pc.Close()
		if !errors.Is(err, syscall.EADDRINUSE) {
			return nil, nil, err
		}
	}
	return nil, nil, fmt.Errorf("listen %s: no port free for both udp and tcp after %d tries", addr, tries)
}

// Addr returns the address the server listens on, as "ip:port", once
// Start has returned.
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// Done is closed when the server stops serving, by Close or because a
// listener failed; Close then returns the failure.
func (s *Server) Done() <-chan struct{} { return s.done }

func (s *Server) closeDone() { s.doneOnce.Do(func() { close(s.done) }) }

// Close stops serving, drops the answers still held by delay and race (they
// are logged as dropped), and flushes the log stream. It returns why
// serving failed, if it did.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.cancel()
		s.mu.Lock()
		s.closed = true
		s.shutdownLocked()
		failure := s.failure
		s.mu.Unlock()
		s.serving.Wait()
		s.closeDone()
		s.log.close()
		if failure != nil {
			s.closeErr = fmt.Errorf("serve dns: %w", failure)
		}
	})
	return s.closeErr
}

// shutdownLocked stops the miekg servers; their handlers have returned
// when it does, so nothing logs after the log closes.
func (s *Server) shutdownLocked() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, srv := range s.servers {
		// An error means the server was not started or already
		// stopped; either way it is down.
		_ = srv.ShutdownContext(ctx)
	}
}

// Log returns the entries kept, oldest first.
func (s *Server) Log() []Entry {
	return s.log.filter(func(*Entry) bool { return true })
}

// Since returns the entries of queries that arrived at or after t.
func (s *Server) Since(t time.Time) []Entry {
	return s.log.filter(func(e *Entry) bool { return !e.Time.Before(t) })
}

// ForName returns the entries of queries for name, in any case, with or
// without the trailing dot.
func (s *Server) ForName(name string) []Entry {
	name = normalizeName(name)
	return s.log.filter(func(e *Entry) bool { return e.Name == name })
}

// Counters returns totals over every query since the server was created.
func (s *Server) Counters() Counters { return s.log.snapshotCounters() }
