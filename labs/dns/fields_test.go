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
	inHosts := user
	inHosts.InHosts, inHosts.Faults = true, []string{"nxdomain"}
	inHostsCell := inHosts.cells()[0]
	require.True(t, inHostsCell.inHosts)
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

	// A nameservers cell (musl, dead+ok: both servers asked at once, the
	// second answers) and a hosts cell (slim, the image's files dns).
	nsCfg := cfg
	nsCfg.Bases, nsCfg.Options, nsCfg.Nameservers = []string{"alpine"}, []string{"nameservers"}, []string{"dead+ok"}
	nsCell := nsCfg.cells()[0]
	rg.boxes[boxKey(images.Alpine, nsCell.options)] = &box{im: im}
	rg.nsIPs = []string{"192.0.2.9"}
	first := map[string][]dnsfaker.Entry{nsCell.name: {{TimeUS: start + 40, Src: "192.0.2.7:41000", Transport: "udp", QType: "A", Name: nsCell.name + ".", Action: "dropped"}}}
	rg.nsLogs = []map[string][]dnsfaker.Entry{{nsCell.name: {{TimeUS: start + 50, Src: "192.0.2.7:41000", Transport: "udp", QType: "A", Name: nsCell.name + ".", Action: "answered"}}}}
	nsLookup := probeLine{Name: nsCell.name, Try: 1, StartWallUS: start, Ms: 2, OK: true, A: 1, AAAA: 1, Addrs: []string{"192.0.2.3", "2001:db8::3"}}
	nsRec := rg.cellRecord(nsCell, result{lookups: []probeLine{nsLookup}}, first[nsCell.name])
	rg.presetRecord(nsCell, result{lookups: []probeLine{nsLookup}}, first, &nsRec)
	ok, _ := nsRec.Bool("as_predicted")
	assert.True(t, ok, "musl asks both servers at once and takes the second's answer: %s", nsRec.Detail)
	slow := nsLookup
	slow.Ms = 5004
	slowRec := rg.cellRecord(nsCell, result{lookups: []probeLine{slow}}, first[nsCell.name])
	rg.presetRecord(nsCell, result{lookups: []probeLine{slow}}, first, &slowRec)
	ok, _ = slowRec.Bool("as_predicted")
	assert.False(t, ok, "a musl lookup that waited 5 s on the dead server is not what res_msend.c predicts")
	assert.Equal(t, "both-stall", slowRec.Outcome, "a preset cell's stall is the lab's fast line, whatever the resolver's timers")

	hostsCfg := cfg
	hostsCfg.Bases, hostsCfg.Options = []string{"slim"}, []string{"hosts"}
	hostsCell := hostsCfg.cells()[0]
	require.Equal(t, "slim/hosts/image", hostsCell.variant)
	rg.boxes[boxKey(images.Slim, hostsCell.options)] = &box{im: im}
	hostsLookup := probeLine{Name: hostsCell.name, Try: 1, StartWallUS: start, Ms: 1, OK: true, A: 1, Addrs: []string{"198.51.100.2"}}
	hostsRec := rg.cellRecord(hostsCell, result{lookups: []probeLine{hostsLookup}}, nil)
	rg.presetRecord(hostsCell, result{lookups: []probeLine{hostsLookup}}, map[string][]dnsfaker.Entry{}, &hostsRec)
	ok, _ = hostsRec.Bool("as_predicted")
	assert.True(t, ok, "files dns: the /etc/hosts address, no query: %s", hostsRec.Detail)
	dnsLookup := hostsLookup
	dnsLookup.Addrs = []string{"192.0.2.4"}
	wrong := rg.cellRecord(hostsCell, result{lookups: []probeLine{dnsLookup}}, nil)
	rg.presetRecord(hostsCell, result{lookups: []probeLine{dnsLookup}}, map[string][]dnsfaker.Entry{}, &wrong)
	ok, _ = wrong.Bool("as_predicted")
	assert.False(t, ok, "an address from DNS where files come first is not as predicted")

	recs := []record.Record{
		nsRec, hostsRec,
		rg.cellRecord(matrix, result{lookups: []probeLine{lookup, failed}, libc: "musl-1.2.3"}, entries),
		rg.cellRecord(userCell, result{lookups: []probeLine{{Name: userCell.name, StartWallUS: start, Ms: 2900, OK: true, user: true}}}, entries),
		rg.cellRecord(inHostsCell, result{lookups: []probeLine{{Name: inHostsCell.name, StartWallUS: start, Ms: 3, Code: "exit 2", user: true}}}, entries),
		rg.loadRecord(load, cfg, result{lookups: []probeLine{lookup, lookup}}, entries),
		rg.cellRecord(truncCell, result{lookups: []probeLine{truncLookup}}, truncEntries),
		rg.cellRecord(searchCell, result{lookups: []probeLine{searchLookup}}, searchEntries),
		// A lookup whose answer reached musl late (it asked for A again),
		// beside one that measured musl.
		rg.cellRecord(matrix, result{lookups: []probeLine{lookup, {Name: "c001.dns.test", Try: 2, StartWallUS: start + 10_000_000, Ms: 1061, Code: "EAI_AGAIN", Err: "Try again"}}},
			append(slices.Clone(entries),
				dnsfaker.Entry{TimeUS: start + 10_000_050, Src: "192.0.2.7:41001", Transport: "udp", QType: "A", Name: "c001.dns.test.", Action: "answered"},
				dnsfaker.Entry{TimeUS: start + 10_500_050, Src: "192.0.2.7:41001", Transport: "udp", QType: "A", Name: "c001.dns.test.", Action: "answered"})),
	}
	assert.Equal(t, int64(1), recs[8].Int("lab_late"), recs[8].Evidence)
	assert.Equal(t, int64(47), recs[6].Int("predicted_addresses"), "the records of both truncated UDP answers")
	ok, _ = recs[6].Bool("as_predicted")
	assert.True(t, ok, recs[6].Detail)
	ok, _ = recs[7].Bool("as_predicted")
	assert.True(t, ok, "a short name under k8s: three suffixes, then the name: %s", recs[7].Detail)
	assert.Equal(t, int64(8), recs[7].Int("predicted_queries"))
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
