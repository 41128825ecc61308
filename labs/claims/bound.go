package claims

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Bound is what a claim says about its measure: an order or equality with a
// number or a word ("< 100", ">= 2 MB", "== works"), or closeness to a
// number ("within 25% of 2 MB").
type Bound struct {
	Text string
	Op   string  // <, <=, >, >=, ==, !=, within
	Num  float64 // in the field's own unit (ms, bytes)
	Word string  // for == and != against a word
	Tol  float64 // within: the fraction allowed (0.25 for 25%)
	// IsWord is true when the bound compares with a word.
	IsWord bool
}

const boundHelp = "want OP VALUE [UNIT] with OP one of <, <=, >, >=, ==, != (\"< 100\", \">= 2 MB\", \"== works\"), or \"within P% of VALUE [UNIT]\""

// units convert a bound's number into the field's unit: milliseconds for
// *_ms fields, bytes for *_bytes fields.
var (
	timeUnits = map[string]float64{"ms": 1, "s": 1000, "us": 0.001, "µs": 0.001}
	byteUnits = map[string]float64{"b": 1, "kb": 1e3, "mb": 1e6, "gb": 1e9, "kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30}
)

// ParseBound reads a bound for a measure (the field name decides which
// units are allowed); ratio bounds take no unit.
func ParseBound(text, measure string, ratio bool) (Bound, error) {
	b := Bound{Text: strings.TrimSpace(text)}
	s := b.Text
	if s == "" {
		return b, fmt.Errorf("no bound: %s", boundHelp)
	}
	if rest, ok := strings.CutPrefix(s, "within "); ok {
		pct, val, ok := strings.Cut(rest, " of ")
		if !ok {
			return b, fmt.Errorf("bound %q: %s", text, boundHelp)
		}
		p, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(pct), "%"), 64)
		if err != nil || !strings.HasSuffix(strings.TrimSpace(pct), "%") || p <= 0 || p >= 100 {
			return b, fmt.Errorf("bound %q: the tolerance must be a percentage between 0 and 100, as in \"within 25%% of 2 MB\"", text)
		}
		n, err := number(val, measure, ratio)
		if err != nil {
			return b, fmt.Errorf("bound %q: %w", text, err)
		}
		b.Op, b.Num, b.Tol = "within", n, p/100
		return b, nil
	}
	for _, op := range []string{"<=", ">=", "==", "!=", "<", ">"} {
		rest, ok := strings.CutPrefix(s, op)
		if !ok {
			continue
		}
		rest = strings.TrimSpace(rest)
		if rest == "" || strings.ContainsAny(rest[:1], "<>=!") {
			return b, fmt.Errorf("bound %q: %s", text, boundHelp)
		}
		b.Op = op
		n, err := number(rest, measure, ratio)
		if err == nil {
			b.Num = n
			return b, nil
		}
		if !looksNumeric(rest) && (op == "==" || op == "!=") && !strings.ContainsAny(rest, " \t") {
			b.Word, b.IsWord = rest, true
			return b, nil
		}
		return b, fmt.Errorf("bound %q: %w", text, err)
	}
	return b, fmt.Errorf("bound %q: %s", text, boundHelp)
}

func looksNumeric(s string) bool {
	return s != "" && (s[0] >= '0' && s[0] <= '9' || s[0] == '.' || s[0] == '-' || s[0] == '+')
}

// number reads "2", "2.5 MB", "5s" in the measure's unit.
func number(s, measure string, ratio bool) (float64, error) {
	s = strings.TrimSpace(s)
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.' || s[i] == '-' || s[i] == '+' || s[i] == 'e' && i > 0) {
		i++
	}
	n, err := strconv.ParseFloat(s[:i], 64)
	if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	unit := strings.ToLower(strings.TrimSpace(s[i:]))
	if unit == "" {
		return n, nil
	}
	if ratio {
		return 0, fmt.Errorf("a ratio has no unit (got %q)", unit)
	}
	switch {
	case strings.HasSuffix(measure, "_ms"):
		if f, ok := timeUnits[unit]; ok {
			return n * f, nil
		}
		return 0, fmt.Errorf("unit %q is not a time (ms, s) for %s", unit, measure)
	case strings.HasSuffix(measure, "_bytes"):
		if f, ok := byteUnits[unit]; ok {
			return n * f, nil
		}
		return 0, fmt.Errorf("unit %q is not a size (B, kB, MB, GB, KiB, MiB, GiB) for %s", unit, measure)
	}
	return 0, fmt.Errorf("%s takes no unit (got %q)", measure, unit)
}

// Holds reports whether a number satisfies a numeric bound.
func (b Bound) Holds(v float64) bool {
	switch b.Op {
	case "<":
		return v < b.Num
	case "<=":
		return v <= b.Num
	case ">":
		return v > b.Num
	case ">=":
		return v >= b.Num
	case "==":
		return v == b.Num
	case "!=":
		return v != b.Num
	case "within":
		return math.Abs(v-b.Num) <= b.Tol*math.Abs(b.Num)
	}
	return false
}

// HoldsWord reports whether a word satisfies a word bound.
func (b Bound) HoldsWord(w string) bool {
	if b.Op == "!=" {
		return w != b.Word
	}
	return w == b.Word
}

// worse reports whether a is further on the failing side of the bound than
// c: the record that decides a claim over many records is the worst one.
func (b Bound) worse(a, c float64) bool {
	switch b.Op {
	case "<", "<=":
		return a > c
	case ">", ">=":
		return a < c
	case "within":
		return math.Abs(a-b.Num) > math.Abs(c-b.Num)
	}
	return false
}
