package dnsfaker

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// Defaults for the parameters a fault may leave out.
const (
	// DefaultInflight is race's window. A libc sends its A and AAAA queries
	// microseconds apart, so anything above a few milliseconds catches the
	// pair every time; 50ms also survives a busy CI machine descheduling the
	// server, while a resend after a 1-5 s resolver timeout is far outside it.
	DefaultInflight = 50 * time.Millisecond
	// DefaultRaceP is race's loss probability: always lose the second query.
	DefaultRaceP = 1.0
	// DefaultOverloadQPS is overload's rate: low enough that a small load
	// test crosses it, high enough that a single lookup never does.
	DefaultOverloadQPS = 20.0
	// DefaultEvery is every's period, the default of CoreDNS erratic's drop.
	DefaultEvery = 2
	// DefaultChain is cname's chain length: ten CNAMEs of ~60-byte labels
	// make an answer of about 800 bytes, past both the 512 bytes a stub
	// without EDNS takes over UDP and the 768-byte answer buffer of musl
	// 1.2.4 (raised to 4800 in 1.2.5, commit a4ecaf89).
	DefaultChain = 10
	// maxChain keeps a chain inside one 64 KiB TCP answer.
	maxChain = 200
)

// Kind names a fault. The set is closed: ParseFault accepts exactly these.
type Kind uint8

// The faults. The zero Kind is KindOK, so the zero Fault answers normally.
const (
	KindOK       Kind = iota // answer normally
	KindRace                 // lose a query that collides with an unanswered one from the same UDP source
	KindTimeout              // never answer
	KindServfail             // answer SERVFAIL
	KindRefused              // answer REFUSED
	KindNXDomain             // answer NXDOMAIN
	KindNoData               // answer NOERROR with no records
	KindDelay                // answer after Fault.Delay
	KindTruncate             // answer with too many records for 512 bytes
	KindOverload             // answer SERVFAIL above Fault.QPS
	KindEvery                // drop every Fault.N-th query
	KindTCPOnly              // truncate over UDP with no records at all; the full set over TCP
	KindCNAME                // answer through a chain of Fault.Chain CNAMEs
)

var kindNames = [...]string{
	KindOK:       "ok",
	KindRace:     "race",
	KindTimeout:  "timeout",
	KindServfail: "servfail",
	KindRefused:  "refused",
	KindNXDomain: "nxdomain",
	KindNoData:   "nodata",
	KindDelay:    "delay",
	KindTruncate: "truncate",
	KindOverload: "overload",
	KindEvery:    "every",
	KindTCPOnly:  "tcponly",
	KindCNAME:    "cname",
}

// String returns the fault word, as in the rules file.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// validFaults is the list that error messages show, so a typo is one look
// away from its fix.
const validFaults = "ok, race[:inflight=DURATION,p=PROB,busy=K], timeout[:QTYPE], servfail[:QTYPE], " +
	"refused[:QTYPE], nxdomain[:QTYPE], nodata[:QTYPE], delay:DURATION[:QTYPE], " +
	"truncate, tcponly, cname[:N], overload[:QPS], every[:N]"

// Errors that ParseFault wraps, for errors.Is.
var (
	ErrUnknownFault = errors.New("unknown fault")
	ErrUnknownQType = errors.New("unknown qtype")
)

// Fault is what the server does to the queries of a name. The zero value is
// the ok fault. Parameters left at zero take their defaults, so a Fault built
// in code needs only the fields it cares about.
type Fault struct {
	Kind Kind
	// QType limits timeout, servfail, refused, nxdomain, nodata and delay to
	// one query type (dns.TypeAAAA ...); 0 means every type. Queries of other
	// types are answered as under ok.
	QType uint16
	// Delay is how long delay holds the answer.
	Delay time.Duration
	// Inflight is race's window (0 means DefaultInflight): how long an
	// accepted query stays unanswered, during which another query from the
	// same source address:port is lost.
	Inflight time.Duration
	// P is race's probability of losing a colliding query, in (0, 1];
	// 0 means DefaultRaceP.
	P float64
	// Busy, when above zero, makes race depend on load: a colliding query
	// is lost only while more than Busy race queries for its name (from
	// every source) are in flight. One client's pair never is; a crowd's
	// pairs are, as in the story's "only under load".
	Busy int
	// QPS is overload's rate (0 means DefaultOverloadQPS).
	QPS float64
	// N is every's period (0 means DefaultEvery): the N-th, 2N-th ... query
	// that the rule sees is dropped.
	N int
	// Chain is cname's number of CNAMEs before the address records (0
	// means DefaultChain).
	Chain int
}

// Common faults, for tests and examples.
var (
	OK   = Fault{}
	Race = Fault{Kind: KindRace}
)

// inflight returns race's window with its default applied.
func (f Fault) inflight() time.Duration {
	if f.Inflight > 0 {
		return f.Inflight
	}
	return DefaultInflight
}

// p returns race's loss probability with its default applied.
func (f Fault) p() float64 {
	if f.P > 0 {
		return f.P
	}
	return DefaultRaceP
}

func (f Fault) qps() float64 {
	if f.QPS > 0 {
		return f.QPS
	}
	return DefaultOverloadQPS
}

func (f Fault) chain() int {
	if f.Chain > 0 {
		return f.Chain
	}
	return DefaultChain
}

func (f Fault) every() uint64 {
	if f.N > 0 {
		return uint64(f.N)
	}
	return DefaultEvery
}

// appliesTo reports whether a per-type fault covers qtype.
func (f Fault) appliesTo(qtype uint16) bool {
	return f.QType == 0 || f.QType == qtype
}

// String returns the canonical form, which ParseFault reads back to an
// equivalent Fault: race leaves out parameters at their defaults, overload and every
// always name theirs so that a log line says exactly what ran.
func (f Fault) String() string {
	var b strings.Builder
	b.WriteString(f.Kind.String())
	switch f.Kind {
	case KindRace:
		var params []string
		if f.Inflight > 0 && f.Inflight != DefaultInflight {
			params = append(params, "inflight="+f.Inflight.String())
		}
		if f.P > 0 && f.P != DefaultRaceP {
			params = append(params, "p="+strconv.FormatFloat(f.P, 'g', -1, 64))
		}
		if f.Busy > 0 {
			params = append(params, "busy="+strconv.Itoa(f.Busy))
		}
		if len(params) > 0 {
			b.WriteString(":" + strings.Join(params, ","))
		}
	case KindDelay:
		b.WriteString(":" + f.Delay.String())
		if f.QType != 0 {
			b.WriteString(":" + qtypeString(f.QType))
		}
	case KindTimeout, KindServfail, KindRefused, KindNXDomain, KindNoData:
		if f.QType != 0 {
			b.WriteString(":" + qtypeString(f.QType))
		}
	case KindOverload:
		b.WriteString(":" + strconv.FormatFloat(f.qps(), 'g', -1, 64))
	case KindEvery:
		b.WriteString(":" + strconv.FormatUint(f.every(), 10))
	case KindCNAME:
		b.WriteString(":" + strconv.Itoa(f.chain()))
	}
	return b.String()
}

// MarshalText writes the canonical form, so a Fault reads well in JSON.
func (f Fault) MarshalText() ([]byte, error) { return []byte(f.String()), nil }

// UnmarshalText parses any form that ParseFault accepts.
func (f *Fault) UnmarshalText(text []byte) error {
	parsed, err := ParseFault(string(text))
	if err != nil {
		return err
	}
	*f = parsed
	return nil
}

// ParseFault reads a fault word with its parameters:
//
//	ok
//	race[:inflight=DURATION][,p=PROBABILITY][,busy=K]
//	timeout[:QTYPE]   servfail[:QTYPE]   refused[:QTYPE]
//	nxdomain[:QTYPE]  nodata[:QTYPE]
//	delay:DURATION[:QTYPE]
//	truncate
//	tcponly
//	cname[:N]
//	overload[:QPS]
//	every[:N]
//
// Words and qtypes are case-insensitive; DURATION is a Go duration (2s,
// 150ms). Errors name the bad word and list the valid faults.
func ParseFault(s string) (Fault, error) {
	f, err := parseFault(strings.TrimSpace(s))
	if err != nil {
		return Fault{}, fmt.Errorf("parse fault %q: %w", s, err)
	}
	return f, nil
}

func parseFault(s string) (Fault, error) {
	word, rest, hasParams := strings.Cut(s, ":")
	kind, ok := kindByName(strings.ToLower(word))
	if !ok {
		return Fault{}, fmt.Errorf("%w %q (valid: %s)", ErrUnknownFault, word, validFaults)
	}
	if hasParams && rest == "" {
		return Fault{}, fmt.Errorf("empty parameter after %q", word+":")
	}
	f := Fault{Kind: kind}
	switch kind {
	case KindOK, KindTruncate, KindTCPOnly:
		if hasParams {
			return Fault{}, fmt.Errorf("%s takes no parameters", word)
		}
	case KindRace:
		if hasParams {
			if err := parseRaceParams(&f, rest); err != nil {
				return Fault{}, err
			}
		}
		// Defaults are stored as zero so that "race" and
		// "race:p=1" parse to equal values.
		if f.Inflight == DefaultInflight {
			f.Inflight = 0
		}
		if f.P == DefaultRaceP {
			f.P = 0
		}
	case KindTimeout, KindServfail, KindRefused, KindNXDomain, KindNoData:
		if hasParams {
			qt, err := parseQType(rest)
			if err != nil {
				return Fault{}, err
			}
			f.QType = qt
		}
	case KindDelay:
		if !hasParams {
			return Fault{}, errors.New("delay needs a duration, as in delay:2s or delay:2s:AAAA")
		}
		durText, qtText, hasQType := strings.Cut(rest, ":")
		d, err := time.ParseDuration(durText)
		if err != nil || d <= 0 {
			return Fault{}, fmt.Errorf("bad delay %q: want a positive duration such as 2s or 150ms", durText)
		}
		f.Delay = d
		if hasQType {
			qt, err := parseQType(qtText)
			if err != nil {
				return Fault{}, err
			}
			f.QType = qt
		}
	case KindOverload:
		f.QPS = DefaultOverloadQPS
		if hasParams {
			q, err := strconv.ParseFloat(rest, 64)
			if err != nil || q <= 0 || math.IsInf(q, 0) || math.IsNaN(q) {
				return Fault{}, fmt.Errorf("bad overload rate %q: want queries per second > 0, as in overload:20", rest)
			}
			f.QPS = q
		}
	case KindCNAME:
		f.Chain = DefaultChain
		if hasParams {
			n, err := strconv.Atoi(rest)
			if err != nil || n < 1 || n > maxChain {
				return Fault{}, fmt.Errorf("bad cname chain length %q: want an integer from 1 to %d, as in cname:10", rest, maxChain)
			}
			f.Chain = n
		}
	case KindEvery:
		f.N = DefaultEvery
		if hasParams {
			n, err := strconv.Atoi(rest)
			if err != nil || n < 1 {
				return Fault{}, fmt.Errorf("bad every period %q: want an integer >= 1, as in every:3", rest)
			}
			f.N = n
		}
	}
	return f, nil
}

func kindByName(word string) (Kind, bool) {
	for k, name := range kindNames {
		if name == word {
			return Kind(k), true
		}
	}
	return 0, false
}

// parseRaceParams reads "inflight=50ms,p=0.5,busy=16" in any order.
func parseRaceParams(f *Fault, params string) error {
	for _, kv := range strings.Split(params, ",") {
		key, val, ok := strings.Cut(strings.TrimSpace(kv), "=")
		if !ok {
			return fmt.Errorf("bad race parameter %q: want key=value, as in race:inflight=50ms,p=0.5", kv)
		}
		switch strings.ToLower(key) {
		case "inflight":
			d, err := time.ParseDuration(val)
			if err != nil || d <= 0 {
				return fmt.Errorf("bad race inflight %q: want a positive duration such as 50ms", val)
			}
			f.Inflight = d
		case "p":
			p, err := strconv.ParseFloat(val, 64)
			if err != nil || !(p > 0 && p <= 1) {
				return fmt.Errorf("bad race probability %q: want 0 < p <= 1 (use ok for no loss)", val)
			}
			f.P = p
		case "busy":
			n, err := strconv.Atoi(val)
			if err != nil || n < 1 {
				return fmt.Errorf("bad race busy %q: want an integer >= 1, the queries in flight above which pairs are lost, as in race:busy=16", val)
			}
			f.Busy = n
		default:
			return fmt.Errorf("unknown race parameter %q (valid: inflight, p, busy)", key)
		}
	}
	return nil
}

func parseQType(s string) (uint16, error) {
	qt, ok := dns.StringToType[strings.ToUpper(s)]
	if !ok || qt == dns.TypeNone {
		return 0, fmt.Errorf("%w %q (e.g. A, AAAA, MX, TXT)", ErrUnknownQType, s)
	}
	return qt, nil
}

// qtypeString names a qtype the way dig does, TYPE65280 for unknown ones.
func qtypeString(qt uint16) string {
	return dns.Type(qt).String()
}
