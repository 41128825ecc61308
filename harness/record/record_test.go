package record

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRecordRoundTripKeepsLabFieldsFlat(t *testing.T) {
	r := Record{Lab: "dns", Variant: "musl/race", Base: "alpine", Started: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Tries: 3}
	r.Timings([]float64{1, 2500.0004, 3})
	r.Set("resolver", "musl")
	r.Set("queries", 6)
	b, err := json.Marshal(r)
	require.NoError(t, err)
	var flat map[string]any
	require.NoError(t, json.Unmarshal(b, &flat))
	assert.Equal(t, "musl", flat["resolver"], "lab fields sit beside the common ones")
	assert.InDelta(t, 2500.0, flat["max_ms"], 0.001)

	var back Record
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, "dns", back.Lab)
	assert.Equal(t, "musl", back.Extra["resolver"])
	assert.NotContains(t, back.Extra, "lab", "common fields are not duplicated into Extra")
}

func TestLabFieldMayNotShadowACommonOne(t *testing.T) {
	r := Record{Lab: "dns"}
	r.Set("outcome", "x")
	_, err := json.Marshal(r)
	assert.ErrorContains(t, err, `"outcome"`)
}

func TestPercentileIsNearestRank(t *testing.T) {
	cases := []struct {
		name string
		xs   []float64
		p    float64
		want float64
	}{
		{"median of five is the third", []float64{5, 1, 4, 2, 3}, 50, 3},
		{"p95 of five is the largest", []float64{5, 1, 4, 2, 3}, 95, 5},
		{"p0 is the smallest", []float64{2, 1}, 0, 1},
		{"one value is every percentile", []float64{7}, 99, 7},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, Percentile(c.xs, c.p))
		})
	}
}

func TestWriterAppendsAndReadReadsBack(t *testing.T) {
	dir := t.TempDir()
	w, err := Create(dir)
	require.NoError(t, err)
	require.NoError(t, w.Write(Record{Lab: "a", Outcome: "works"}))
	require.NoError(t, w.Write(Record{Lab: "b", Outcome: "segfault"}))
	require.NoError(t, w.Close())
	rs, err := Read(dir)
	require.NoError(t, err)
	require.Len(t, rs, 2)
	assert.Equal(t, "segfault", rs[1].Outcome)
}

func TestCheckFreshRefusesAFolderWithRecordsUnlessAppending(t *testing.T) {
	dir := t.TempDir()
	if err := CheckFresh(dir, false); err != nil {
		t.Fatalf("an empty folder is fresh: %v", err)
	}
	w, err := Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(Record{Lab: "dns", Variant: "x"}); err != nil {
		t.Fatal(err)
	}
	w.Close()
	err = CheckFresh(dir, false)
	if err == nil || !strings.Contains(err.Error(), "--append") {
		t.Fatalf("want a refusal naming --append, got %v", err)
	}
	if err := CheckFresh(dir, true); err != nil {
		t.Fatalf("--append opts in: %v", err)
	}
}

func TestWriteMakesARecordWithErrorsAnError(t *testing.T) {
	dir := t.TempDir()
	w, err := Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	r := Record{Lab: "dns", Variant: "x", Outcome: "both-fast", Errors: []string{"exec probe: context canceled"}}
	if r.Usable() {
		t.Fatal("a record with errors is not usable")
	}
	if err := w.Write(r); err != nil {
		t.Fatal(err)
	}
	w.Close()
	rs, err := Read(dir)
	if err != nil || len(rs) != 1 {
		t.Fatalf("read back: %v %v", rs, err)
	}
	if rs[0].Outcome != OutcomeError || len(rs[0].Errors) != 1 {
		t.Fatalf("want outcome error and the error kept, got %+v", rs[0])
	}
}
