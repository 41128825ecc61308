package dnsfaker

import (
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// ruleSet is a Config ready for matching, with the counters of the stateful
// faults. A Server swaps whole ruleSets, so SetRules resets every and
// overload and the two never mix state from different configs.
type ruleSet struct {
	cfg     Config
	rules   []matcher
	def     *faultState
	hasRace bool // lets the UDP reader skip parsing when no rule races
}

type matcher struct {
	pattern string // "*", "*.suffix." or "exact."
	suffix  string // ".suffix." for "*.suffix.", else ""
	state   *faultState
}

func (m matcher) match(name string) bool {
	switch {
	case m.pattern == "*":
		return true
	case m.suffix != "":
		return len(name) > len(m.suffix) && strings.HasSuffix(name, m.suffix)
	default:
		return name == m.pattern
	}
}

// faultState is one rule's fault with what it counts.
type faultState struct {
	fault  Fault
	label  string        // fault.String(), computed once for the log
	seen   atomic.Uint64 // every: queries that reached this rule
	bucket *tokenBucket  // overload only
}

func newFaultState(f Fault) *faultState {
	s := &faultState{fault: f, label: f.String()}
	if f.Kind == KindOverload {
		s.bucket = newTokenBucket(f.qps())
	}
	return s
}

func compile(cfg Config) *ruleSet {
	rs := &ruleSet{cfg: cfg, def: newFaultState(cfg.Default)}
	rs.hasRace = cfg.Default.Kind == KindRace
	for _, r := range cfg.Rules {
		p := normalizePattern(r.Name)
		m := matcher{pattern: p, state: newFaultState(r.Fault)}
		if strings.HasPrefix(p, "*.") {
			m.suffix = p[1:]
		}
		rs.rules = append(rs.rules, m)
		rs.hasRace = rs.hasRace || r.Fault.Kind == KindRace
	}
	return rs
}

// lookup returns the state of the first rule matching a lowercase FQDN.
func (rs *ruleSet) lookup(name string) *faultState {
	for _, m := range rs.rules {
		if m.match(name) {
			return m.state
		}
	}
	return rs.def
}

// tokenBucket allows rate queries per second with a burst of one second's
// worth, so overload:20 lets a lookup or two through and fails a flood.
type tokenBucket struct {
	mu     sync.Mutex
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
}

func newTokenBucket(rate float64) *tokenBucket {
	burst := max(rate, 1)
	return &tokenBucket{rate: rate, burst: burst, tokens: burst}
}

func (b *tokenBucket) allow(now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.last.IsZero() {
		b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	}
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
