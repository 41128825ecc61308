package dnsfaker

import (
	"net/netip"

	"github.com/miekg/dns"
)

const (
	// answerTTL is 0 so that no cache between a client and the server can
	// hide the fault from the next lookup.
	answerTTL = 0
	// truncateRecords is how many A or AAAA records truncate answers with:
	// 40 A records are 640 bytes, 40 AAAA 1120, both past the 512 bytes a
	// stub without EDNS accepts over UDP.
	truncateRecords = 40
	// maxUDPSize is the EDNS buffer the server advertises and the most it
	// sends over UDP whatever the client offers: the DNS flag day 2020
	// value, which real resolvers use to avoid IP fragmentation.
	maxUDPSize = 1232
)

// hostIndex maps a name to 1..254, the host part of its addresses.
func hostIndex(name string) int {
	// FNV-1a, 32 bits, as hash/fnv computes it, without the hash.Hash
	// and the copy of the name that it allocates on every answer.
	const offset32, prime32 = 2166136261, 16777619
	h := uint32(offset32)
	name = normalizeName(name)
	for i := 0; i < len(name); i++ {
		h ^= uint32(name[i])
		h *= prime32
	}
	return int(h%254) + 1
}

// AddressesFor returns the addresses that the ok fault answers for name:
// 192.0.2.x (RFC 5737) and 2001:db8::x (RFC 3849), with the same x in
// 1..254 taken from a hash of the lowercased name. Tests and labs use it to
// check that an answer came from the fake server.
func AddressesFor(name string) (v4, v6 netip.Addr) {
	return addrsAt(hostIndex(name))
}

func addrsAt(x int) (v4, v6 netip.Addr) {
	v4 = netip.AddrFrom4([4]byte{192, 0, 2, byte(x)})
	v6 = netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 15: byte(x)})
	return v4, v6
}

// addressRecords returns n A or AAAA records for the question, starting at
// the name's own address and counting up within 1..254.
//
// The records and their addresses are allocated together, two allocations
// for any n instead of 1+2n: this runs for every answer.
func addressRecords(q dns.Question, n int) []dns.RR {
	if q.Qtype != dns.TypeA && q.Qtype != dns.TypeAAAA {
		return []dns.RR{}
	}
	first := hostIndex(q.Name)
	hdr := dns.RR_Header{Name: q.Name, Rrtype: q.Qtype, Class: dns.ClassINET, Ttl: answerTTL}
	rrs := make([]dns.RR, n)
	if q.Qtype == dns.TypeA {
		recs := make([]aRecord, n)
		for i := range recs {
			v4, _ := addrsAt((first-1+i)%254 + 1)
			r := &recs[i]
			r.ip = v4.As4()
			r.A = dns.A{Hdr: hdr, A: r.ip[:]}
			rrs[i] = &r.A
		}
		return rrs
	}
	recs := make([]aaaaRecord, n)
	for i := range recs {
		_, v6 := addrsAt((first-1+i)%254 + 1)
		r := &recs[i]
		r.ip = v6.As16()
		r.AAAA = dns.AAAA{Hdr: hdr, AAAA: r.ip[:]}
		rrs[i] = &r.AAAA
	}
	return rrs
}

// aRecord and aaaaRecord hold a record with the bytes its address points
// to, so one allocation carries both.
type (
	aRecord struct {
		dns.A
		ip [4]byte
	}
	aaaaRecord struct {
		dns.AAAA
		ip [16]byte
	}
)

// reply starts a response the way a recursive resolver answers a stub: RA
// set, since Go's resolver takes a NOERROR without answers, AA or RA for a
// lame referral, and the client's EDNS answered with ours.
func reply(req *dns.Msg, rcode int) *dns.Msg {
	m := new(dns.Msg)
	m.SetRcode(req, rcode)
	m.Authoritative = true
	m.RecursionAvailable = true
	if opt := req.IsEdns0(); opt != nil {
		m.SetEdns0(maxUDPSize, opt.Do())
	}
	return m
}

// negative adds the SOA that a NXDOMAIN or NODATA answer carries, owned by
// the parent of the name so that it never claims the name exists.
func negative(m *dns.Msg, name string) {
	zone := "."
	if labels := dns.SplitDomainName(name); len(labels) > 1 {
		idx := dns.Split(name)
		zone = name[idx[1]:]
	}
	m.Ns = append(m.Ns, &dns.SOA{
		Hdr:     dns.RR_Header{Name: zone, Rrtype: dns.TypeSOA, Class: dns.ClassINET, Ttl: answerTTL},
		Ns:      "ns.dnsfaker.invalid.",
		Mbox:    "hostmaster.dnsfaker.invalid.",
		Serial:  1,
		Refresh: 3600,
		Retry:   600,
		Expire:  86400,
		Minttl:  answerTTL,
	})
}

// udpLimit is how big a UDP answer to req may be: 512 bytes without EDNS,
// else what the client offers up to maxUDPSize.
func udpLimit(req *dns.Msg) int {
	if opt := req.IsEdns0(); opt != nil {
		return min(max(int(opt.UDPSize()), dns.MinMsgSize), maxUDPSize)
	}
	return dns.MinMsgSize
}
