package dns

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSideBySide(t *testing.T) {
	cases := []struct {
		name string
		c    cell
		want bool
	}{
		{"a stall under race runs its lookups at once: race pairs by source port, and each process has its own",
			cell{resolver: "glibc", fault: "race", expect: predict("glibc", "glibc-2.36", "race", "", "")}, true},
		{"glibc's three AAAA timeouts run at once",
			cell{resolver: "glibc", fault: "timeout:AAAA", expect: predict("glibc", "glibc-2.36", "timeout:AAAA", "", "")}, true},
		{"a cell without a prediction may wait on a timer, so runs at once",
			cell{resolver: "glibc", fault: "timeout:AAAA", options: "use-vc", expect: predict("glibc", "glibc-2.36", "timeout:AAAA", "use-vc", "")}, true},
		{"a fast cell stays sequential: tries round trips cost less than the burst",
			cell{resolver: "musl", fault: "ok", expect: predict("musl", "musl-1.2.5", "ok", "", "")}, false},
		{"overload runs at once: each lookup's own name has its own token bucket",
			cell{resolver: "musl", fault: "overload:1", expect: predict("musl", "musl-1.2.5", "overload:1", "", "")}, true},
		{"every runs at once: each lookup's own name has its own count",
			cell{resolver: "musl", fault: "every:2"}, true},
		{"a search cell stays sequential: its walk starts from the name it is given",
			cell{resolver: "musl", fault: "timeout@1", form: "short"}, false},
		{"a search cell with overload on a suffix stays sequential",
			cell{resolver: "musl", fault: "overload:1@1", form: "short"}, false},
		{"a user's image waiting on musl's AAAA timeout runs its containers at once",
			cell{user: true, resolver: "musl", fault: "timeout:AAAA", expect: userExpect(predict("musl", "musl-1.2.5", "timeout:AAAA", "", ""))}, true},
		{"a user's image of unknown libc under a fault may wait on a timer, so runs at once",
			cell{user: true, fault: "servfail:AAAA"}, true},
		{"a user's image under ok runs at once too: each run is a container, and its start-up is the command's",
			cell{user: true, fault: "ok"}, true},
		{"so does a user's control cell, ten runs",
			cell{user: true, fault: "ok", control: true}, true},
		{"a matrix control cell stays one exec of ten fast lookups",
			cell{resolver: "musl", fault: "ok", control: true, expect: predict("musl", "musl-1.2.5", "ok", "", "none")}, false},
		{"an --in-hosts cell keeps its one name, the line /etc/hosts has",
			cell{user: true, fault: "nxdomain", inHosts: true}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, c.c.mayRunAtOnce())
			assert.Equal(t, c.want, c.c.sideBySide(), "lookupsAtOnce is on: the rule decides")
		})
	}
}

func TestLookupNames(t *testing.T) {
	stall := cell{name: "c042.dns.test", resolver: "glibc", fault: "race", expect: predict("glibc", "glibc-2.36", "race", "", "")}
	assert.Equal(t, []string{"c042-1.dns.test", "c042-2.dns.test", "c042-3.dns.test"}, stall.lookupNames(3),
		"lookups side by side ask a name each, with as many labels as the cell's")
	fast := cell{name: "c043.dns.test", resolver: "glibc", fault: "ok", expect: predict("glibc", "glibc-2.36", "ok", "", "")}
	assert.Equal(t, []string{"c043.dns.test"}, fast.lookupNames(3), "lookups one after another ask the cell's name")
	ctl := cell{name: "ctl1.dns.test", user: true, fault: "ok", control: true}
	assert.Len(t, ctl.lookupNames(ctl.triesIn(3)), controlTries, "a user's control cell side by side: a name (and a rule) for each of its 10 runs")
}

func TestQuietLoadCellsRunInWavesAndLoadedOnesAlone(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Bases = []string{"alpine", "slim", "scratch"}
	loads := cfg.loads()
	var waves [][]string
	for _, w := range loadWaves(loads, cfg.LoadBusy) {
		var vs []string
		for _, i := range w {
			vs = append(vs, loads[i].variant)
		}
		waves = append(waves, vs)
	}
	assert.Equal(t, [][]string{
		{"load/alpine/c1", "load/slim/c1", "load/scratch/c1"},
		{"load/alpine/c8"}, {"load/alpine/c32"},
		{"load/slim/c8"}, {"load/slim/c32"},
		{"load/scratch/c8"}, {"load/scratch/c32"},
	}, waves, "1-client cells at once (3 processes, no more than one 8-client cell has); 8 clients alone (8 is the most a wave holds under busy 16); 32 pass busy and run alone")
	assert.Len(t, loadWaves(loads, 0), len(loads), "without busy every cell may lose pairs: each runs alone")
	assert.Len(t, loadWaves(loads, 4), 2+6, "under busy 4, 8 clients are loaded too, and a wave holds two 1-client cells: the three make two waves")
}
