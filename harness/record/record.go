// Package record writes and reads lab results: one JSON object per lab cell,
// one per line, in <out>/results.jsonl. Every record carries the evidence a
// reader needs to trust it — image and digest, libc, stand-in or not — and
// labs add their own fields beside the common ones. Schema changes are
// additive.
package record

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"sort"
	"time"
)

// Record is one lab cell's result.
type Record struct {
	Lab     string `json:"lab"`
	Variant string `json:"variant"`
	Base    string `json:"base"`
	// Image is ref@digest (registry) or ref@id (stand-in).
	Image   string `json:"image"`
	Standin bool   `json:"standin"`
	// StandinLacks names what the stand-in does not reproduce of the
	// registry image (size, package-database, package-manager): claims on
	// those are not judged offline.
	StandinLacks []string  `json:"standin_lacks,omitempty"`
	Libc         string    `json:"libc"`
	Started      time.Time `json:"started"`
	Tries        int       `json:"tries"`
	OK           int       `json:"ok"`
	Failed       int       `json:"failed"`
	P50ms        *float64  `json:"p50_ms"`
	P95ms        *float64  `json:"p95_ms"`
	MaxMs        *float64  `json:"max_ms"`
	// Outcome is a short machine word ("works", "segfault", "stall" ...).
	Outcome string `json:"outcome"`
	// Detail is what a person reads.
	Detail string `json:"detail"`
	// Evidence is the error text, exit code or signal seen.
	Evidence string `json:"evidence"`
	// Errors are the lab's own failures (an exec that did not happen, a
	// container that did not start, the engine, a cancelled run), never the
	// software's: a record with errors has outcome OutcomeError and backs
	// no verdict. Failed counts only what the software under test failed.
	Errors []string `json:"errors,omitempty"`
	// Extra holds the lab's own fields, written beside the common ones.
	Extra map[string]any `json:"-"`
}

// MarshalJSON writes the common fields and Extra in one flat object.
func (r Record) MarshalJSON() ([]byte, error) {
	type plain Record
	b, err := json.Marshal(plain(r))
	if err != nil || len(r.Extra) == 0 {
		return b, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	for k, v := range r.Extra {
		if _, taken := m[k]; taken {
			return nil, fmt.Errorf("record field %q: a lab field may not shadow a common one", k)
		}
		m[k] = v
	}
	return json.Marshal(m)
}

// UnmarshalJSON reads the common fields and keeps the rest in Extra.
func (r *Record) UnmarshalJSON(b []byte) error {
	type plain Record
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	for _, k := range commonFields {
		delete(m, k)
	}
	*r = Record(p)
	if len(m) > 0 {
		r.Extra = make(map[string]any, len(m))
		for k, raw := range m {
			var v any
			if err := json.Unmarshal(raw, &v); err != nil {
				return fmt.Errorf("record field %q: %w", k, err)
			}
			r.Extra[k] = v
		}
	}
	return nil
}

var commonFields = []string{"lab", "variant", "base", "image", "standin", "libc", "started", "tries", "ok",
	"failed", "p50_ms", "p95_ms", "max_ms", "outcome", "detail", "evidence", "errors", "standin_lacks"}

// OutcomeError is the outcome of a record with Errors: the lab failed, so
// what it measured backs no verdict. (labs/lab.Error is the same word.)
const OutcomeError = "error"

// OutcomeInconclusive is the outcome of a record whose measurement could
// not decide between two verdicts: the distance from the line that
// separates them was inside the noise the run measured beside it (the DNS
// lab's fast/stall line and its control under fault ok). Evidence says
// which line and which noise. Such a record backs no verdict either: the
// lab worked, the machine was too busy to tell.
const OutcomeInconclusive = "inconclusive"

// AddError records one of the lab's own failures; the record's outcome is
// then OutcomeError.
func (r *Record) AddError(msg string) {
	r.Errors = append(r.Errors, msg)
	r.Outcome = OutcomeError
}

// Usable reports whether the record can back a verdict: the lab did not
// fail while making it.
func (r Record) Usable() bool { return len(r.Errors) == 0 && r.Outcome != OutcomeError }

// Set adds a lab field.
func (r *Record) Set(key string, v any) {
	if r.Extra == nil {
		r.Extra = map[string]any{}
	}
	r.Extra[key] = v
}

// Get returns a lab field.
func (r Record) Get(key string) (any, bool) {
	v, ok := r.Extra[key]
	return v, ok
}

// Timings fills P50/P95/Max from durations in milliseconds (nil when none).
func (r *Record) Timings(ms []float64) {
	if len(ms) == 0 {
		r.P50ms, r.P95ms, r.MaxMs = nil, nil, nil
		return
	}
	r.P50ms = ptr(Percentile(ms, 50))
	r.P95ms = ptr(Percentile(ms, 95))
	r.MaxMs = ptr(Percentile(ms, 100))
}

// Percentile is the nearest-rank percentile of xs (p in 0..100), rounded to
// µs. Nearest-rank, not interpolation: every number reported was measured.
func Percentile(xs []float64, p float64) float64 {
	s := slicesClone(xs)
	sort.Float64s(s)
	rank := int(math.Ceil(p / 100 * float64(len(s))))
	if rank < 1 {
		rank = 1
	}
	return math.Round(s[rank-1]*1000) / 1000
}

func ptr(f float64) *float64 { return &f }

func slicesClone(xs []float64) []float64 { return append([]float64(nil), xs...) }

// Clone returns a deep-enough copy (Extra is copied, its values shared).
func (r Record) Clone() Record {
	r.Extra = maps.Clone(r.Extra)
	return r
}
