package record

import (
	"fmt"
	"math"
)

// A lab field holds a Go value while the lab that set it runs, and the JSON
// decoding of that value once read back from results.jsonl (numbers become
// float64, lists []any). The getters read both, so a report or a claim built
// from a fresh run and from a file agree.

// Float returns a numeric lab field; ok is false when it is absent or not a
// number (JSON null: nothing was measured).
func (r Record) Float(key string) (float64, bool) {
	switch v := r.Extra[key].(type) {
	case float64:
		return v, true
	case float32:
		return float64(v), true
	case int:
		return float64(v), true
	case int64:
		return float64(v), true
	case int32:
		return float64(v), true
	case uint64:
		return float64(v), true
	case *float64:
		if v != nil {
			return *v, true
		}
	}
	return 0, false
}

// Int returns a numeric lab field as an integer, 0 when absent.
func (r Record) Int(key string) int64 {
	f, _ := r.Float(key)
	return int64(math.Round(f))
}

// Num returns a numeric lab field, NaN when absent: the value a chart skips.
func (r Record) Num(key string) float64 {
	if f, ok := r.Float(key); ok {
		return f
	}
	return math.NaN()
}

// Str returns a text lab field; ok is false when it is absent or not text.
func (r Record) Str(key string) (string, bool) {
	s, ok := r.Extra[key].(string)
	return s, ok
}

// Bool returns a true/false lab field; ok is false when it is absent.
func (r Record) Bool(key string) (v, ok bool) {
	v, ok = r.Extra[key].(bool)
	return v, ok
}

// Strings returns a list lab field as text, nil when absent.
func (r Record) Strings(key string) []string {
	switch v := r.Extra[key].(type) {
	case []string:
		return v
	case []any:
		out := make([]string, 0, len(v))
		for _, x := range v {
			out = append(out, fmt.Sprint(x))
		}
		return out
	}
	return nil
}

// Len is the length of a list or map lab field (0 when absent).
func (r Record) Len(key string) int {
	switch v := r.Extra[key].(type) {
	case []string:
		return len(v)
	case []any:
		return len(v)
	case map[string]any:
		return len(v)
	case []float64:
		return len(v)
	}
	return 0
}
