package dnsfaker

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// serveDNS applies the fault of the query's name and logs what it did.
// miekg/dns runs it in a goroutine per UDP packet, so holding one answer
// never delays another; queries on one TCP connection are served in turn,
// as miekg/dns reads them.
func (s *Server) serveDNS(w dns.ResponseWriter, req *dns.Msg) {
	arrived := time.Now()
	// dns.DefaultMsgAcceptFunc checks the question count in the header,
	// but a packet that ends before its question still unpacks.
	if len(req.Question) != 1 {
		m := new(dns.Msg)
		m.SetRcodeFormatError(req)
		w.WriteMsg(m)
		return
	}
	q := req.Question[0]
	name := normalizeName(q.Name)
	st := s.rules.Load().lookup(name)
	src, transport := source(w)
	e := Entry{
		Time:      arrived,
		Src:       src.String(),
		Transport: transport,
		ID:        req.Id,
		QType:     qtypeString(q.Qtype),
		Name:      name,
		Fault:     st.label,
	}
	m := s.apply(req, q, st, src, transport == "udp", &e)
	if m != nil {
		if late := time.Since(e.Time).Microseconds() - e.DelayUS; late >= lateFloorUS {
			e.LateUS = late
		}
	}
	// Log before answering, so that a client holding its answer can
	// rely on the entry being there.
	s.log.add(e)
	if m != nil {
		w.WriteMsg(m)
	}
}

// lateFloorUS: an answer that leaves less than 1 ms after it was due is on
// time; the log says nothing of it.
const lateFloorUS = 1000

// apply returns the answer that the fault calls for, nil for none, after
// any hold, and records the action in e.
func (s *Server) apply(req *dns.Msg, q dns.Question, st *faultState, src netip.AddrPort, udp bool, e *Entry) *dns.Msg {
	f := st.fault
	switch f.Kind {
	case KindRace:
		// Only UDP races: a TCP connection carries one query after
		// another and has no conntrack insertion race.
		if udp {
			if h, ok := s.race.take(src, req.Id, q.Qtype); ok {
				e.Time = h.arrived
				e.DelayUS = h.answerAt.Sub(h.arrived).Microseconds()
				if !s.waitUntil(h.answerAt) {
					e.Action = ActionDropped
					return nil
				}
			}
		}
	case KindTimeout:
		if f.appliesTo(q.Qtype) {
			e.Action = ActionDropped
			return nil
		}
	case KindServfail:
		if f.appliesTo(q.Qtype) {
			return rcode(req, dns.RcodeServerFailure, ActionServfail, e)
		}
	case KindRefused:
		if f.appliesTo(q.Qtype) {
			return rcode(req, dns.RcodeRefused, ActionRefused, e)
		}
	case KindNXDomain:
		if f.appliesTo(q.Qtype) {
			m := reply(req, dns.RcodeNameError)
			negative(m, q.Name)
			e.Action = ActionNXDomain
			return m
		}
	case KindNoData:
		if f.appliesTo(q.Qtype) {
			m := reply(req, dns.RcodeSuccess)
			negative(m, q.Name)
			e.Action = ActionNoData
			return m
		}
	case KindDelay:
		if f.appliesTo(q.Qtype) {
			e.DelayUS = f.Delay.Microseconds()
			if !s.waitUntil(e.Time.Add(f.Delay)) {
				e.Action = ActionDropped
				return nil
			}
			m := answer(req, q, 1, udp, e)
			if e.Action == ActionAnswered {
				e.Action = ActionDelayed
			}
			return m
		}
	case KindTruncate:
		return answer(req, q, truncateRecords, udp, e)
	case KindTCPOnly:
		// Some servers (and load balancers in front of them) answer a big
		// set over UDP with TC and nothing else: a stub that does not
		// retry over TCP gets an empty NOERROR.
		if udp {
			m := reply(req, dns.RcodeSuccess)
			m.Truncated = true
			e.Action = ActionTruncated
			return m
		}
		return answer(req, q, truncateRecords, udp, e)
	case KindCNAME:
		return chainAnswer(req, q, f.chain(), udp, e)
	case KindOverload:
		if !st.bucket.allow(e.Time) {
			return rcode(req, dns.RcodeServerFailure, ActionServfail, e)
		}
	case KindEvery:
		if st.seen.Add(1)%f.every() == 0 {
			e.Action = ActionDropped
			return nil
		}
	}
	return answer(req, q, 1, udp, e)
}

// answer returns n A or AAAA records for the name (none for other types),
// cut to what fits over UDP.
func answer(req *dns.Msg, q dns.Question, n int, udp bool, e *Entry) *dns.Msg {
	m := reply(req, dns.RcodeSuccess)
	if q.Qclass == dns.ClassINET || q.Qclass == dns.ClassANY {
		m.Answer = addressRecords(q, n)
	}
	return finish(req, m, len(m.Answer) > 0, q.Name, udp, e)
}

// chainAnswer answers through n CNAMEs, each target a long label below the
// query name, the last one owning the address records. Over UDP the answer
// is cut like any other, so the address records (last) go first.
func chainAnswer(req *dns.Msg, q dns.Question, n int, udp bool, e *Entry) *dns.Msg {
	m := reply(req, dns.RcodeSuccess)
	m.Compress = true
	owner := q.Name
	for i := range n {
		target := chainName(q.Name, i+1)
		m.Answer = append(m.Answer, &dns.CNAME{
			Hdr:    dns.RR_Header{Name: owner, Rrtype: dns.TypeCNAME, Class: dns.ClassINET, Ttl: answerTTL},
			Target: target})
		owner = target
	}
	last := dns.Question{Name: owner, Qtype: q.Qtype, Qclass: q.Qclass}
	addrs := 0
	if q.Qclass == dns.ClassINET || q.Qclass == dns.ClassANY {
		rrs := addressRecords(last, 1)
		addrs = len(rrs)
		m.Answer = append(m.Answer, rrs...)
	}
	// A chain to a name without records of the type is NODATA, with the
	// chain, as a recursive resolver answers it.
	return finish(req, m, addrs > 0, owner, udp, e)
}

// finish makes m NODATA for owner when it has no address records, cuts it
// to the UDP size the client asked for, and logs what left.
func finish(req, m *dns.Msg, addrs bool, owner string, udp bool, e *Entry) *dns.Msg {
	e.Action = ActionAnswered
	if !addrs {
		negative(m, owner)
		e.Action = ActionNoData
	}
	if limit := udpLimit(req); udp && !surelyFits(m, limit) {
		m.Truncate(limit)
		if m.Truncated {
			e.Action = ActionTruncated
		}
	}
	e.Answers = len(m.Answer)
	return m
}

// surelyFits reports whether m, one question, one address record at most,
// no authority and an OPT without options at most (what answer builds for
// every lookup), fits in limit bytes however it is packed: a name takes at
// most its presentation length plus one byte on the wire. Truncate, which
// changes nothing in such an answer, measures the whole message to tell.
func surelyFits(m *dns.Msg, limit int) bool {
	if len(m.Question) != 1 || len(m.Answer) > 1 || len(m.Ns) > 0 || len(m.Extra) > 1 {
		return false
	}
	const header, qfixed, rrfixed, maxRdata, opt = 12, 4, 10, 16, 11
	n := header + len(m.Question[0].Name) + 1 + qfixed + opt
	if len(m.Answer) == 1 {
		n += len(m.Answer[0].Header().Name) + 1 + rrfixed + maxRdata
	}
	return n <= limit
}

// chainName is the i-th name of a CNAME chain below name: a 60-byte label,
// so that a chain's size is set by its length alone.
func chainName(name string, i int) string {
	return fmt.Sprintf("cname%02d-%s.%s", i, strings.Repeat("x", 52), dns.Fqdn(name))
}

func rcode(req *dns.Msg, rcode int, a Action, e *Entry) *dns.Msg {
	e.Action = a
	return reply(req, rcode)
}

// waitUntil sleeps until t and reports false if Close came first.
func (s *Server) waitUntil(t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return s.ctx.Err() == nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-s.ctx.Done():
		return false
	}
}

// source returns the client's address and transport.
func source(w dns.ResponseWriter) (netip.AddrPort, string) {
	switch a := w.RemoteAddr().(type) {
	case *net.UDPAddr:
		return unmapped(a.AddrPort()), "udp"
	case *net.TCPAddr:
		return unmapped(a.AddrPort()), "tcp"
	}
	return netip.AddrPort{}, "udp"
}
