package claims

import (
	"encoding/json"
	"fmt"
	"math"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/harness/record"
)

// Status is a claim's verdict.
type Status string

// The verdicts. A claim without evidence is not a passing claim: when a
// record the claim needs measured nothing, or the lab failed while making it
// (record errors), the claim could not be measured — never HOLDS.
const (
	Holds           Status = "holds"
	Refuted         Status = "refuted"
	CouldNotMeasure Status = "could-not-measure"
	// NotJudged: measured, but on a stand-in that does not reproduce what
	// the claim is about (its size, its package database ...): the number
	// is shown, the verdict is left to a run on the registry image.
	NotJudged Status = "not-judged"
)

// Verdict is the judgement of one claim with the number and the record
// behind it.
type Verdict struct {
	Claim  Claim
	Status Status
	// Value is the measured number (the ratio for a ratio claim), NaN when
	// the measure is a word (see Word) or nothing was measured.
	Value float64
	Word  string
	// Record decides the verdict: for "all", the first that breaks the
	// bound, else the one nearest to breaking it; for "any", the first that
	// keeps it, else the nearest. Baseline is the ratio's other record.
	Record, Baseline *record.Record
	// Matched counts the records the cell selected.
	Matched int
	// Why says, for could-not-measure, which record measured nothing and why.
	Why string
}

// Measured is the number or word, as printed.
func (v Verdict) Measured() string {
	switch {
	case v.Word != "":
		return v.Word
	case math.IsNaN(v.Value):
		return "nothing"
	}
	return fmtNum(v.Value)
}

func fmtNum(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.FormatFloat(f, 'f', 0, 64)
	}
	return strconv.FormatFloat(f, 'g', 4, 64)
}

// Evaluate judges every claim of f against records.
func Evaluate(f *File, rs []record.Record) []Verdict {
	flat := make([]map[string]any, len(rs))
	for i, r := range rs {
		flat[i] = flatten(r)
	}
	out := make([]Verdict, len(f.Claims))
	for i, c := range f.Claims {
		out[i] = evaluate(c, rs, flat)
		if s := out[i].Status; s == Holds || s == Refuted {
			if why := standinLacks(c, rs, flat); why != "" {
				out[i].Status, out[i].Why = NotJudged, why
			}
		}
	}
	return out
}

// standinLacks says why a claim cannot be judged on the records it selects
// ("" when it can): one of them is a stand-in that does not reproduce the
// property the claim's measure is about.
func standinLacks(c Claim, rs []record.Record, flat []map[string]any) string {
	prop := fieldProperty(c.Lab, c.Measure)
	if prop == "" {
		return ""
	}
	idx := selectRecords(c.Cell, rs, flat)
	if c.Ratio() {
		idx = append(idx, selectRecords(c.baselineCell(), rs, flat)...)
	}
	for _, i := range idx {
		r := rs[i]
		lacks := r.StandinLacks
		if r.Standin && lacks == nil {
			// A record written before stand-ins said what they lack: the
			// catalog's declaration for its base says it.
			if spec, err := images.Lookup(images.Key(r.Base)); err == nil {
				for _, p := range spec.StandinLacks() {
					lacks = append(lacks, string(p))
				}
			}
		}
		if r.Standin && slices.Contains(lacks, string(prop)) {
			return fmt.Sprintf("%s/%s runs on a stand-in (%s) that does not reproduce the registry image's %s; judge it with %s=registry",
				r.Lab, r.Variant, r.Image, prop, "BASELAB_IMAGES")
		}
	}
	return ""
}

func flatten(r record.Record) map[string]any {
	m := map[string]any{}
	b, err := json.Marshal(r)
	if err != nil {
		r.Extra = nil
		b, _ = json.Marshal(r)
	}
	_ = json.Unmarshal(b, &m)
	return m
}

// selectRecords returns the indexes of the records a cell selects.
func selectRecords(c Cell, rs []record.Record, flat []map[string]any) []int {
	var out []int
	fs := c.filters()
	for i, r := range rs {
		if r.Lab != c.Lab {
			continue
		}
		if c.Variant != "" {
			if ok, _ := path.Match(c.Variant, r.Variant); !ok && c.Variant != r.Variant {
				continue
			}
		}
		if c.Image != "" && r.Base != c.Image && !strings.HasPrefix(r.Image, c.Image+"@") && r.Image != c.Image {
			continue
		}
		match := true
		for k, want := range fs {
			if got, ok := flat[i][k]; !ok || valueText(got) != want {
				match = false
				break
			}
		}
		if match {
			out = append(out, i)
		}
	}
	return out
}

// valueText prints a field value the way a claims file writes it.
func valueText(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return x
	case float64:
		return fmtNum(x)
	case bool:
		return strconv.FormatBool(x)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// measure reads a field as a number (a list counts its elements) or a word.
func measure(m map[string]any, field string) (num float64, word string, ok bool, why string) {
	v, present := m[field]
	if !present {
		return math.NaN(), "", false, "has no field " + field
	}
	switch x := v.(type) {
	case nil:
		return math.NaN(), "", false, field + " is null (nothing was measured)"
	case float64:
		return x, "", true, ""
	case []any:
		return float64(len(x)), "", true, ""
	case map[string]any:
		return float64(len(x)), "", true, ""
	case string:
		return math.NaN(), x, true, ""
	case bool:
		return math.NaN(), strconv.FormatBool(x), true, ""
	}
	return math.NaN(), "", false, fmt.Sprintf("%s is %T", field, v)
}

func noData(c Claim, why string, matched int) Verdict {
	return Verdict{Claim: c, Status: CouldNotMeasure, Value: math.NaN(), Why: why, Matched: matched}
}

// unusable says why a record can back no verdict ("" when it can): the lab
// failed while making it.
func unusable(r record.Record) string {
	if r.Outcome == record.OutcomeInconclusive {
		// The lab worked, but its measurement was inside the run's noise:
		// any bound on it would be judged on noise.
		return fmt.Sprintf("record %s/%s is inconclusive (%s)", r.Lab, r.Variant, r.Evidence)
	}
	if r.Usable() {
		return ""
	}
	if len(r.Errors) > 0 {
		return fmt.Sprintf("record %s/%s has lab errors (%s)", r.Lab, r.Variant, strings.Join(r.Errors, "; "))
	}
	return fmt.Sprintf("record %s/%s has outcome %s (the lab failed: %s)", r.Lab, r.Variant, r.Outcome, r.Evidence)
}

func describeCell(c Cell) string {
	s := "lab " + c.Lab
	if c.Variant != "" {
		s += " variant " + c.Variant
	}
	if fs := c.filters(); len(fs) > 0 {
		s += fmt.Sprintf(" where %v", fs)
	}
	if c.Image != "" {
		s += " image " + c.Image
	}
	return s
}

func evaluate(c Claim, rs []record.Record, flat []map[string]any) Verdict {
	idx := selectRecords(c.Cell, rs, flat)
	if len(idx) == 0 {
		return noData(c, "no record matches "+describeCell(c.Cell), 0)
	}
	if c.Ratio() {
		return evaluateRatio(c, idx, rs, flat)
	}
	b := c.bound
	var (
		deciding  = -1
		dv        = math.NaN()
		dw        string
		held      = 0
		measured  = 0
		missing   = 0 // records that measured nothing or are unusable
		firstWhy  string
		firstFail = -1
		firstHold = -1
	)
	for _, i := range idx {
		if why := unusable(rs[i]); why != "" {
			missing++
			if firstWhy == "" {
				firstWhy = why
			}
			continue
		}
		n, w, ok, why := measure(flat[i], c.Measure)
		if !ok {
			missing++
			if firstWhy == "" {
				firstWhy = fmt.Sprintf("record %s/%s %s", rs[i].Lab, rs[i].Variant, why)
			}
			continue
		}
		measured++
		var holds bool
		if b.IsWord {
			holds = b.HoldsWord(w)
		} else {
			if math.IsNaN(n) {
				missing++
				if firstWhy == "" {
					firstWhy = fmt.Sprintf("record %s/%s: %s is %q, not a number", rs[i].Lab, rs[i].Variant, c.Measure, w)
				}
				measured--
				continue
			}
			holds = b.Holds(n)
		}
		if holds {
			held++
			if firstHold < 0 {
				firstHold = i
			}
		} else if firstFail < 0 {
			firstFail = i
		}
		// the worst record so far (numeric bounds with an order)
		if deciding < 0 || (!b.IsWord && b.worse(n, dv)) {
			deciding, dv, dw = i, n, w
		}
	}
	if measured == 0 {
		return noData(c, firstWhy, len(idx))
	}
	// A record that measured nothing could have broken an "all" or kept an
	// "any": only a verdict the missing records cannot change stands.
	if missing > 0 {
		if c.Of == "any" && held == 0 || c.Of != "any" && held == measured {
			return noData(c, fmt.Sprintf("%d of %d records measured nothing; first: %s", missing, len(idx), firstWhy), len(idx))
		}
	}
	v := Verdict{Claim: c, Matched: len(idx)}
	pick := func(i int) {
		n, w, _, _ := measure(flat[i], c.Measure)
		deciding, dv, dw = i, n, w
	}
	if c.Of == "any" {
		v.Status = Refuted
		if held > 0 {
			v.Status = Holds
			pick(firstHold)
		} else if b.IsWord || b.Op == "==" || b.Op == "!=" {
			pick(firstFail)
		} else {
			// nearest to holding: the least bad
			best := -1
			for _, i := range idx {
				n, _, ok, _ := measure(flat[i], c.Measure)
				if ok && !math.IsNaN(n) && (best < 0 || b.worse(dv, n)) {
					best, dv = i, n
				}
			}
			if best >= 0 {
				pick(best)
			}
		}
	} else {
		v.Status = Holds
		if held < measured {
			v.Status = Refuted
			if b.IsWord || b.Op == "==" || b.Op == "!=" {
				pick(firstFail)
			}
		}
	}
	r := rs[deciding]
	v.Record, v.Value, v.Word = &r, dv, dw
	if b.IsWord {
		v.Value = math.NaN()
	}
	return v
}

// evaluateRatio judges measure(cell) / measure(baseline); each side must
// select exactly one record.
func evaluateRatio(c Claim, idx []int, rs []record.Record, flat []map[string]any) Verdict {
	bc := c.baselineCell()
	bidx := selectRecords(bc, rs, flat)
	if len(bidx) == 0 {
		return noData(c, "no record matches the baseline, "+describeCell(bc), len(idx))
	}
	if len(idx) != 1 || len(bidx) != 1 {
		return noData(c, fmt.Sprintf("a ratio needs one record on each side; the cell matches %d and the baseline %d: narrow the variant", len(idx), len(bidx)), len(idx))
	}
	for _, i := range []int{idx[0], bidx[0]} {
		if why := unusable(rs[i]); why != "" {
			return noData(c, why, 1)
		}
	}
	n, _, ok, why := measure(flat[idx[0]], c.Measure)
	if !ok || math.IsNaN(n) {
		return noData(c, "cell record "+rs[idx[0]].Variant+" "+why, 1)
	}
	d, _, ok, why := measure(flat[bidx[0]], c.Measure)
	if !ok || math.IsNaN(d) {
		return noData(c, "baseline record "+rs[bidx[0]].Variant+" "+why, 1)
	}
	if d == 0 {
		return noData(c, fmt.Sprintf("baseline record %s measured %s = 0: no ratio", rs[bidx[0]].Variant, c.Measure), 1)
	}
	r, br := rs[idx[0]], rs[bidx[0]]
	v := Verdict{Claim: c, Matched: 1, Value: n / d, Record: &r, Baseline: &br, Status: Refuted}
	if c.bound.Holds(v.Value) {
		v.Status = Holds
	}
	return v
}
