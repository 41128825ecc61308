package report

import (
	"fmt"
	"math"

	"github.com/baselab/baselab/harness/record"
)

// str reads a string field of a flattened record.
func Str(m map[string]any, k string) (string, bool) {
	v, ok := m[k]
	if !ok {
		return "", false
	}
	s, ok := v.(string)
	return s, ok
}

// num reads a number field; a list counts its elements; NaN when absent.
func Num(m map[string]any, k string) float64 {
	switch x := m[k].(type) {
	case float64:
		return x
	case []any:
		return float64(len(x))
	case bool:
		if x {
			return 1
		}
		return 0
	}
	return math.NaN()
}

func NanIfNil(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

// outcomeSection: the failure and its evidence per variant (wheel, scratch).
func OutcomeTable(s *Section, rs []record.Record) {
	t := Table{Caption: "Outcome per variant, with the error seen", Head: []string{"variant", "base", "libc", "outcome", "evidence", "ok / tries", "p50 ms"}}
	for _, r := range rs {
		t.Rows = append(t.Rows, []Cell{{Text: r.Variant, Class: "mono"}, BaseCell(r), {Text: OrDash(r.Libc)}, OutcomeCell(r.Outcome),
			{Text: OrDash(r.Evidence), Class: "mono small"}, {Text: fmt.Sprintf("%d / %d", r.OK, r.Tries), Class: "num"}, MsCell(r.P50ms)})
	}
	s.Tables = append(s.Tables, t)
}
