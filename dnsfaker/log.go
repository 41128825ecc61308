package dnsfaker

import (
	"bufio"
	"io"
	"strconv"
	"sync"
	"time"
)

// Action is what the server did with a query. The set is closed.
type Action string

const (
	// ActionAnswered: NOERROR with the name's records (race may have held
	// it for its in-flight window: see Entry.DelayUS).
	ActionAnswered Action = "answered"
	// ActionDelayed: answered like ActionAnswered, after the delay fault's
	// delay.
	ActionDelayed Action = "delayed"
	// ActionTruncated: a UDP answer with the TC bit and only the records
	// that fit; the client is expected to retry over TCP.
	ActionTruncated Action = "truncated"
	// ActionDropped: nothing was sent (race, timeout, every, or an answer
	// still held when the server stopped).
	ActionDropped Action = "dropped"
	// ActionServfail, ActionRefused, ActionNXDomain: that rcode was sent.
	ActionServfail Action = "servfail"
	ActionRefused  Action = "refused"
	ActionNXDomain Action = "nxdomain"
	// ActionNoData: NOERROR without records, as for a qtype the name lacks.
	ActionNoData Action = "nodata"
)

// Actions lists every Action, for counters and documentation.
var Actions = []Action{
	ActionAnswered, ActionDelayed, ActionTruncated, ActionDropped,
	ActionServfail, ActionRefused, ActionNXDomain, ActionNoData,
}

// Entry is one query and what the server did with it. Its JSON form is the
// line the server streams; field names are part of the interface.
type Entry struct {
	// Seq numbers entries in the order they were logged, from 1, so a
	// reader polling with overlapping times can drop what it has seen.
	Seq uint64 `json:"seq"`
	// Time is when the query arrived, in UTC with µs precision.
	Time time.Time `json:"ts"`
	// TimeUS is Time in µs since the Unix epoch.
	TimeUS    int64  `json:"ts_us"`
	Src       string `json:"src"`       // client "ip:port"
	Transport string `json:"transport"` // "udp" or "tcp"
	ID        uint16 `json:"id"`
	QType     string `json:"qtype"` // "A", "AAAA", "TYPE65" ...
	Name      string `json:"name"`  // lowercase FQDN with the trailing dot
	Fault     string `json:"fault"` // canonical fault that the name's rule gave
	Action    Action `json:"action"`
	Answers   int    `json:"answers"` // records in the answer section
	// DelayUS is how long the answer was held, for delay and race.
	DelayUS int64 `json:"delay_us,omitempty"`
	// LateUS is how long after it was due (arrival plus hold) the answer
	// left, when that is 1 ms or more: the server's own lateness, which a
	// loaded machine causes and a client cannot tell from the fault's.
	LateUS int64 `json:"late_us,omitempty"`
}

// tsLayout is RFC 3339 with exactly six fractional digits, which
// time.RFC3339Nano parses, so ts columns line up and sort as text.
const tsLayout = "2006-01-02T15:04:05.000000Z07:00"

// appendJSON writes e as one JSON object. It is hand-written because it
// runs for every query and encoding/json costs more than the answer does;
// only Src, Name and Fault can hold characters that need escaping.
func (e *Entry) appendJSON(b []byte) []byte { return e.appendJSONCached(b, nil) }

// appendJSONCached is appendJSON with the date and second of the last
// UTC timestamp kept in ts, as the streamer does: entries under load share
// them, and formatting them anew was most of an entry's encoding.
func (e *Entry) appendJSONCached(b []byte, ts *tsCache) []byte {
	b = append(b, `{"seq":`...)
	b = strconv.AppendUint(b, e.Seq, 10)
	b = append(b, `,"ts":"`...)
	b = ts.append(b, e.Time)
	b = append(b, `","ts_us":`...)
	b = strconv.AppendInt(b, e.TimeUS, 10)
	b = append(b, `,"src":`...)
	b = appendString(b, e.Src)
	b = append(b, `,"transport":`...)
	b = appendString(b, e.Transport)
	b = append(b, `,"id":`...)
	b = strconv.AppendUint(b, uint64(e.ID), 10)
	b = append(b, `,"qtype":`...)
	b = appendString(b, e.QType)
	b = append(b, `,"name":`...)
	b = appendString(b, e.Name)
	b = append(b, `,"fault":`...)
	b = appendString(b, e.Fault)
	b = append(b, `,"action":`...)
	b = appendString(b, string(e.Action))
	b = append(b, `,"answers":`...)
	b = strconv.AppendInt(b, int64(e.Answers), 10)
	if e.DelayUS != 0 {
		b = append(b, `,"delay_us":`...)
		b = strconv.AppendInt(b, e.DelayUS, 10)
	}
	if e.LateUS != 0 {
		b = append(b, `,"late_us":`...)
		b = strconv.AppendInt(b, e.LateUS, 10)
	}
	return append(b, '}')
}

// tsCache is the formatted date and second (through the dot) of sec.
type tsCache struct {
	sec    int64
	prefix []byte
}

// append writes t in tsLayout; a nil cache, or t not in UTC, formats it
// whole.
func (c *tsCache) append(b []byte, t time.Time) []byte {
	if c == nil || t.Location() != time.UTC {
		return t.AppendFormat(b, tsLayout)
	}
	if sec := t.Unix(); c.prefix == nil || sec != c.sec {
		c.sec = sec
		c.prefix = t.AppendFormat(c.prefix[:0], "2006-01-02T15:04:05.")
	}
	b = append(b, c.prefix...)
	us := t.Nanosecond() / 1000
	var digits [6]byte
	for i := len(digits) - 1; i >= 0; i-- {
		digits[i] = byte('0' + us%10)
		us /= 10
	}
	b = append(b, digits[:]...)
	return append(b, 'Z')
}

// MarshalJSON encodes e as in the stream.
func (e Entry) MarshalJSON() ([]byte, error) {
	return e.appendJSON(make([]byte, 0, 256)), nil
}

// appendString quotes s as a JSON string. Query names come off the wire
// in miekg's presentation form, which escapes odd bytes as \DDD, but a
// quote or backslash can still appear.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20 || c >= 0x7f:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// Counters sum every query the server has logged, including those that
// have left the bounded log.
type Counters struct {
	Queries    uint64            `json:"queries"`
	Actions    map[Action]uint64 `json:"actions"`
	Transports map[string]uint64 `json:"transports"`
	QTypes     map[string]uint64 `json:"qtypes"`
	Faults     map[string]uint64 `json:"faults"`
}

// queryLog keeps the last entries in a ring and streams each one as a JSON
// line. One mutex orders both, so the stream and Seq never disagree.
type queryLog struct {
	mu       sync.Mutex
	capacity int // most entries kept
	// ring holds the entries in chunks allocated as they fill: a single
	// slice would copy itself at every growth, a cost seen per query.
	ring    [][]Entry
	stored  int // entries in the ring, up to capacity
	next    int // ring index of the next write
	seq     uint64
	queries uint64
	// counts holds a count per kind of entry, summed into Counters when
	// asked: one lookup per query instead of one per counter map, and
	// none while kinds repeat (last).
	counts map[countKey]*uint64
	last   countKey
	lastN  *uint64
	stream chan Entry // nil when not streaming
	closed bool
	done   chan struct{} // closed when the streamer has flushed
}

func newQueryLog(capacity int, w io.Writer) *queryLog {
	l := &queryLog{
		capacity: capacity,
		counts:   map[countKey]*uint64{},
		done:     make(chan struct{}),
	}
	if w == nil {
		close(l.done)
		return l
	}
	l.stream = make(chan Entry, 4096)
	go l.writeLines(w)
	return l
}

// add stamps e with its sequence number, stores it and queues it for the
// stream. Entries added after close are counted but not streamed.
func (l *queryLog) add(e Entry) {
	e.Time = e.Time.UTC().Truncate(time.Microsecond)
	e.TimeUS = e.Time.UnixMicro()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seq++
	e.Seq = l.seq
	l.queries++
	if k := (countKey{e.Action, e.Transport, e.QType, e.Fault}); k == l.last && l.lastN != nil {
		*l.lastN++
	} else {
		n := l.counts[k]
		if n == nil {
			n = new(uint64)
			l.counts[k] = n
		}
		*n++
		l.last, l.lastN = k, n
	}
	if l.capacity > 0 {
		*l.slot(l.next) = e
		l.next = (l.next + 1) % l.capacity
		l.stored = min(l.stored+1, l.capacity)
	}
	if l.stream != nil && !l.closed {
		// Blocking here when the reader of the stream is slow is on
		// purpose: the log is the evidence, so it slows the server
		// rather than lose lines.
		l.stream <- e
	}
}

const ringChunk = 1024

// slot returns the ring's i-th place, allocating its chunk on first use.
func (l *queryLog) slot(i int) *Entry {
	c := i / ringChunk
	if c == len(l.ring) {
		l.ring = append(l.ring, make([]Entry, min(ringChunk, l.capacity-c*ringChunk)))
	}
	return &l.ring[c][i%ringChunk]
}

// streamPause is how long the streamer rests after a write before it looks
// at the queue again. Waiting on an empty queue after every line cost a
// goroutine wake-up and a write per query under load (a tenth of the
// server's time under dnsperf); resting lets lines gather, so under load
// one wake-up and one write carry many. A lone line still leaves at once,
// and one that comes during the rest leaves at most this much later.
const streamPause = 500 * time.Microsecond

// writeLines encodes queued entries and flushes whenever the queue is
// empty: one write per line when idle, big writes under load.
func (l *queryLog) writeLines(w io.Writer) {
	defer close(l.done)
	bw := bufio.NewWriterSize(w, 64<<10)
	buf := make([]byte, 0, 512)
	var ts tsCache
	for e := range l.stream {
		buf = append(e.appendJSONCached(buf[:0], &ts), '\n')
		bw.Write(buf)
		if len(l.stream) == 0 {
			bw.Flush()
			time.Sleep(streamPause)
		}
	}
	bw.Flush()
}

// close stops the stream after it has written everything queued.
func (l *queryLog) close() {
	l.mu.Lock()
	if !l.closed && l.stream != nil {
		l.closed = true
		close(l.stream)
	}
	l.closed = true
	l.mu.Unlock()
	<-l.done
}

// filter returns, oldest first, the stored entries that keep accepts.
func (l *queryLog) filter(keep func(*Entry) bool) []Entry {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := []Entry{}
	start := 0
	if l.stored == l.capacity {
		start = l.next
	}
	for i := range l.stored {
		e := l.slot((start + i) % l.capacity)
		if keep(e) {
			out = append(out, *e)
		}
	}
	return out
}

func (l *queryLog) snapshotCounters() Counters {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := Counters{
		Queries:    l.queries,
		Actions:    map[Action]uint64{},
		Transports: map[string]uint64{},
		QTypes:     map[string]uint64{},
		Faults:     map[string]uint64{},
	}
	for k, n := range l.counts {
		c.Actions[k.action] += *n
		c.Transports[k.transport] += *n
		c.QTypes[k.qtype] += *n
		c.Faults[k.fault] += *n
	}
	return c
}

// countKey is what Counters count entries by.
type countKey struct {
	action                  Action
	transport, qtype, fault string
}
