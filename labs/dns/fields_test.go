package dns

import (
	"slices"
	"testing"

	"github.com/baselab/baselab/dnsfaker"
	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/harness/record"
	"github.com/baselab/baselab/labs/labtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRecordsCarryOnlyDeclaredFieldsOfTheirKind builds a record down every
// path — a matrix cell with a prediction, a user's image, an under-load cell
// — from made-up lookups and server entries, and reads each back as
// results.jsonl holds it.
func TestRecordsCarryOnlyDeclaredFieldsOfTheirKind(t *testing.T) {
	im := images.Image{Key: images.Alpine, Ref: "baselab/alpine:testdata", Libc: "musl-1.2.3", Standin: true}
	rg := &rig{boxes: map[string]*box{boxKey(images.Alpine, ""): {im: im}}, user: im}
	const start = int64(1_800_000_000_000_000)
	entries := []dnsfaker.Entry{
		{TimeUS: start + 50, Src: "192.0.2.7:41000", Transport: "udp", QType: "A", Action: "answered"},
		{TimeUS: start + 60, Src: "192.0.2.7:41000", Transport: "udp", QType: "AAAA", Action: "dropped"},
		{TimeUS: start + 2_500_300, Src: "192.0.2.7:41000", Transport: "udp", QType: "AAAA", Action: "answered"},
	}
	lookup := probeLine{Name: "c001.dns.test", Try: 1, StartWallUS: start, Ms: 2523, OK: true, A: 1, AAAA: 1, Libc: "musl-1.2.3"}
	failed := probeLine{Name: "c001.dns.test", Try: 2, StartWallUS: start + 5_000_000, Ms: 5004, Code: "EAI_AGAIN", Err: "Try again"}

	cfg := DefaultConfig()
	cfg.Bases, cfg.Faults, cfg.Options, cfg.Flags = []string{"alpine"}, []string{"race"}, []string{"none"}, []string{"none"}
	matrix := cfg.cells()[0]
	require.True(t, matrix.expect.Known, "the path with a prediction")
	user := cfg
	user.Image, user.Probe = "app:testdata", "getent ahosts {name}"
	userCell := user.cells()[0]
	load := cfg.loads()[0]
	trunc := cfg
	trunc.Bases, trunc.Faults = []string{"alpine-3.17"}, []string{"truncate"}
	truncCell := trunc.cells()[0]
	require.True(t, truncCell.expect.AddrsFromUDP, "musl 1.2.3 keeps what the UDP answers held")
	rg.boxes[boxKey(images.Alpine317, "")] = &box{im: im}
	truncEntries := []dnsfaker.Entry{
		{TimeUS: start + 50, Src: "192.0.2.7:41000", Transport: "udp", QType: "A", Action: "truncated", Answers: 30},
		{TimeUS: start + 60, Src: "192.0.2.7:41000", Transport: "udp", QType: "AAAA", Action: "truncated", Answers: 17},
	}
	search := cfg
	search.Bases, search.Options, search.SearchFaults = []string{"alpine"}, []string{"k8s"}, []string{"ok"}
	searchCell := search.cells()[0]
	require.Equal(t, "short", searchCell.form)
	rg.boxes[boxKey(images.Alpine, "k8s")] = &box{im: im}
	var searchEntries []dnsfaker.Entry
	for i, n := range searchCell.expect.Names {
		for j, qt := range []string{"A", "AAAA"} {
			searchEntries = append(searchEntries, dnsfaker.Entry{TimeUS: start + int64(100*(2*i+j)), Src: "192.0.2.7:41000",
				Transport: "udp", QType: qt, Name: n + ".", Action: "nxdomain"})
		}
	}
	searchEntries[len(searchEntries)-1].Action, searchEntries[len(searchEntries)-2].Action = "answered", "answered"
	searchLookup := probeLine{Name: "c001", Try: 1, StartWallUS: start, Ms: 2, OK: true, A: 1, AAAA: 1}
	truncLookup := probeLine{Name: truncCell.name, Try: 1, StartWallUS: start, Ms: 3, OK: true, A: 30, AAAA: 17}

	recs := []record.Record{
		rg.cellRecord(matrix, result{lookups: []probeLine{lookup, failed}, libc: "musl-1.2.3"}, entries),
		rg.cellRecord(userCell, result{lookups: []probeLine{{Name: userCell.name, StartWallUS: start, Ms: 2900, OK: true, user: true}}}, entries),
		rg.loadRecord(load, cfg, result{lookups: []probeLine{lookup, lookup}}, entries),
		rg.cellRecord(truncCell, result{lookups: []probeLine{truncLookup}}, truncEntries),
		rg.cellRecord(searchCell, result{lookups: []probeLine{searchLookup}}, searchEntries),
	}
	assert.Equal(t, int64(47), recs[3].Int("predicted_addresses"), "the records of both truncated UDP answers")
	ok, _ := recs[3].Bool("as_predicted")
	assert.True(t, ok, recs[3].Detail)
	ok, _ = recs[4].Bool("as_predicted")
	assert.True(t, ok, "a short name under k8s: three suffixes, then the name: %s", recs[4].Detail)
	assert.Equal(t, int64(8), recs[4].Int("predicted_queries"))
	seen := labtest.CheckFields(t, New(), recs...)
	var missing []string
	for _, f := range fields {
		if k := f.Name; !seen[k] {
			missing = append(missing, k)
		}
	}
	slices.Sort(missing)
	assert.Empty(t, missing, "declared fields no record path wrote")
}
