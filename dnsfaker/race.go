package dnsfaker

import (
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// The race fault models the loss that a stub resolver meets when it sends
// its A and AAAA queries at the same moment from one socket: a server (or a
// conntrack table) that keeps one pending query per source address:port
// loses the second. A kept query stays in flight, unanswered, for the
// fault's window; any race query from the same source that arrives in that
// window is lost with the fault's probability. The answer leaves when the
// window ends, so a resolver that waits for it before sending its next
// query (glibc's single-request, and glibc's own fallback after a timeout)
// is never hit, while the back-to-back pair always is.
//
// The decision has to be made in arrival order. miekg/dns hands each UDP
// packet to its own goroutine, which may run in any order, so it is made in
// the server's read loop instead, by a decorated dns.Reader.

// raceTable holds, per UDP source, when its last kept race query will be
// answered and the queries waiting for that.
type raceTable struct {
	mu      sync.Mutex
	flights map[netip.AddrPort]*flight
	rng     *rand.Rand
	arrived int // arrivals since the last sweep
	// answers are, per query name, the answer times of its kept race
	// queries: those still ahead of now are the name's queries in flight
	// that race's busy counts. Per name, so that the lab's cells, each
	// under its own name on one server, do not load each other.
	answers map[string][]time.Time
}

type flight struct {
	until time.Time // a race query arriving before this collides
	held  []heldQuery
}

// heldQuery is a kept query whose handler has not picked up its hold yet.
type heldQuery struct {
	id, qtype uint16
	arrived   time.Time
	answerAt  time.Time
}

func newRaceTable(seed uint64) *raceTable {
	return &raceTable{
		flights: map[netip.AddrPort]*flight{},
		answers: map[string][]time.Time{},
		rng:     rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
	}
}

// arrive decides whether a race query that arrived at now is kept. A kept
// query is held until now plus the fault's window.
func (t *raceTable) arrive(src netip.AddrPort, name string, id, qtype uint16, now time.Time, f Fault) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	// The answers already sent leave the count: the list stays as long as
	// the name's queries in flight.
	inflight := slices.DeleteFunc(t.answers[name], func(at time.Time) bool { return !at.After(now) })
	fl := t.flights[src]
	if fl != nil && now.Before(fl.until) && (f.Busy <= 0 || len(inflight) > f.Busy) {
		t.answers[name] = inflight
		if p := f.p(); p >= 1 || t.rng.Float64() < p {
			return false
		}
	}
	if fl == nil {
		fl = &flight{}
		t.flights[src] = fl
	}
	answerAt := now.Add(f.inflight())
	if answerAt.After(fl.until) {
		fl.until = answerAt
	}
	fl.held = append(fl.held, heldQuery{id: id, qtype: qtype, arrived: now, answerAt: answerAt})
	t.answers[name] = append(inflight, answerAt)
	if t.arrived++; t.arrived >= 1024 {
		t.sweep(now)
	}
	return true
}

// take hands a kept query's hold to its handler.
func (t *raceTable) take(src netip.AddrPort, id, qtype uint16) (heldQuery, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	fl := t.flights[src]
	if fl == nil {
		return heldQuery{}, false
	}
	for i, h := range fl.held {
		if h.id == id && h.qtype == qtype {
			fl.held = append(fl.held[:i], fl.held[i+1:]...)
			return h, true
		}
	}
	return heldQuery{}, false
}

// staleHold bounds how long a hold waits for a handler that will never
// come (a packet the read loop kept but miekg/dns then rejected).
const staleHold = time.Minute

// sweep forgets sources whose window has passed, so a long run with many
// client ports keeps the table small.
func (t *raceTable) sweep(now time.Time) {
	t.arrived = 0
	for src, fl := range t.flights {
		fl.held = slices.DeleteFunc(fl.held, func(h heldQuery) bool { return now.Sub(h.answerAt) > staleHold })
		if len(fl.held) == 0 && now.After(fl.until) {
			delete(t.flights, src)
		}
	}
	for name, as := range t.answers {
		if len(as) == 0 || !as[len(as)-1].After(now) {
			delete(t.answers, name)
		}
	}
}

// raceReader makes the race decision in the UDP read loop, in arrival
// order; a lost query is logged there and never reaches the handler.
type raceReader struct {
	dns.Reader
	s *Server
}

func (r raceReader) ReadUDP(conn *net.UDPConn, timeout time.Duration) ([]byte, *dns.SessionUDP, error) {
	for {
		m, sess, err := r.Reader.ReadUDP(conn, timeout)
		if err != nil || r.s.raceKeeps(m, sess.RemoteAddr()) {
			return m, sess, err
		}
	}
}

func (r raceReader) ReadPacketConn(conn net.PacketConn, timeout time.Duration) ([]byte, net.Addr, error) {
	if pr, ok := r.Reader.(dns.PacketConnReader); ok {
		return pr.ReadPacketConn(conn, timeout)
	}
	return nil, nil, errors.New("read packet: reader does not read net.PacketConn")
}

// raceKeeps reports whether a packet goes on to the handler. Anything that
// is not a plain one-question query is left for miekg/dns to judge.
func (s *Server) raceKeeps(m []byte, addr net.Addr) bool {
	rs := s.rules.Load()
	if !rs.hasRace {
		return true
	}
	q, ok := peekQuery(m)
	if !ok {
		return true
	}
	st := rs.lookup(q.name)
	if st.fault.Kind != KindRace {
		return true
	}
	ua, ok := addr.(*net.UDPAddr)
	if !ok {
		return true
	}
	src := unmapped(ua.AddrPort())
	now := time.Now()
	if s.race.arrive(src, q.name, q.id, q.qtype, now, st.fault) {
		return true
	}
	s.log.add(Entry{
		Time:      now,
		Src:       src.String(),
		Transport: "udp",
		ID:        q.id,
		QType:     qtypeString(q.qtype),
		Name:      q.name,
		Fault:     st.label,
		Action:    ActionDropped,
	})
	return false
}

type peeked struct {
	id, qtype uint16
	name      string // lowercase FQDN
}

// peekQuery reads the id and question of a query without unpacking the
// rest, accepting only what dns.DefaultMsgAcceptFunc would.
func peekQuery(m []byte) (peeked, bool) {
	const headerSize = 12
	if len(m) < headerSize {
		return peeked{}, false
	}
	flags := binary.BigEndian.Uint16(m[2:])
	qr, opcode := flags>>15, (flags>>11)&0xf
	qd := binary.BigEndian.Uint16(m[4:])
	an := binary.BigEndian.Uint16(m[6:])
	ns := binary.BigEndian.Uint16(m[8:])
	ar := binary.BigEndian.Uint16(m[10:])
	if qr != 0 || opcode != dns.OpcodeQuery || qd != 1 || an > 1 || ns > 1 || ar > 2 {
		return peeked{}, false
	}
	name, off, err := dns.UnpackDomainName(m, headerSize)
	if err != nil || off+4 > len(m) {
		return peeked{}, false
	}
	return peeked{
		id:    binary.BigEndian.Uint16(m),
		qtype: binary.BigEndian.Uint16(m[off:]),
		name:  strings.ToLower(name),
	}, true
}

// unmapped turns ::ffff:192.0.2.1 into 192.0.2.1, so a source reads the
// same whichever socket family it came in on.
func unmapped(ap netip.AddrPort) netip.AddrPort {
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
}
