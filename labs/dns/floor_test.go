package dns

import (
	"testing"

	"github.com/baselab/baselab/labs/lab"
	"github.com/stretchr/testify/assert"
)

func TestTheStallLineIsTheResolversShortestTimer(t *testing.T) {
	cases := []struct {
		resolver, options string
		want              float64
	}{
		// musl res_msend.c: retry_interval = timeout/attempts (5 s / 2).
		{"musl", "", 2500},
		{"musl", "timeout:1 attempts:2", 500},
		{"musl", "single-request", 2500}, // not a musl option
		// glibc send_dg and Go tryOneName: the first wait is timeout.
		{"glibc", "", 5000},
		{"glibc", "timeout:1 attempts:2", 1000},
		{"go", "timeout:1 attempts:2", 1000},
		// A search preset's options line: ndots does not change a timer.
		{"musl", "k8s ndots:1", 2500},
		// A user's resolver is unknown: the shortest of the three.
		{"user", "", 2500},
		{"user", "timeout:2 attempts:4", 500},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, stallLineMs(c.resolver, c.options), "%s with %q", c.resolver, c.options)
	}
}

func TestAMedianInsideTheNoiseIsInconclusive(t *testing.T) {
	quiet := noise{floorMs: 40, lookups: 160}
	busy := noise{floorMs: 900, lookups: 60}
	ms := func(f float64) *float64 { return &f }
	cases := []struct {
		name  string
		n     noise
		p50   float64
		line  float64
		speed string
	}{
		{"below the line is fast on a quiet machine", quiet, 30, 500, outcomeFast},
		{"below the line is fast however busy the machine: no timer fires early", busy, 480, 500, outcomeFast},
		{"past the line and the floor is a stall", quiet, 620, 500, outcomeStall},
		{"past the line but inside the floor is inconclusive", busy, 620, 500, lab.Inconclusive},
		{"past the line and past a busy floor is a stall", busy, 2600, 2500, outcomeStall},
		{"a median equal to the floor is inside it", busy, 900, 500, lab.Inconclusive},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.speed, c.n.speed(ms(c.p50), c.line))
		})
	}
}

func TestJudgeNeverCallsNoiseAWrongPrediction(t *testing.T) {
	busy := noise{floorMs: 900, lookups: 60}
	ms := func(f float64) *float64 { return &f }
	fast := expect{Result: "both", Known: true}
	stall := expect{Result: "both", DelayMs: 500, Known: true}
	fail := expect{Result: "fail", Code: "EAI_AGAIN", DelayMs: 5000, Known: true}
	cases := []struct {
		name             string
		e                expect
		class, code      string
		p50, line        float64
		ok, inconclusive bool
	}{
		{"a fast prediction met", fast, "both", "", 120, 2500, true, false},
		{"a fast prediction inside the noise", fast, "both", "", 700, 500, false, true},
		{"a fast prediction past the noise is refuted", fast, "both", "", 2600, 500, false, false},
		{"a timer met within its tolerance", stall, "both", "", 620, 500, true, false},
		{"a timer late by less than the floor is inconclusive", stall, "both", "", 1500, 500, false, true},
		{"a timer late by more than the floor is refuted", stall, "both", "", 2000, 500, false, false},
		{"a timer early is refuted: noise only adds time", stall, "both", "", 50, 500, false, false},
		{"another class is never noise", fail, "a-only", "", 5010, 2500, false, false},
		{"another error is never noise", fail, "fail", "EAI_NONAME", 5010, 2500, false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := c.e.judge(c.class, c.code, []float64{c.p50}, ms(c.p50), c.line, busy)
			assert.Equal(t, c.ok, v.ok, v.why)
			assert.Equal(t, c.inconclusive, v.inconclusive, v.why)
			if !c.ok {
				assert.NotEmpty(t, v.why, "a verdict other than as-predicted says why")
			}
		})
	}
}

func TestEveryRunGetsAControlUnderOk(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Bases, cfg.Faults, cfg.Options, cfg.Flags = []string{"alpine", "slim"}, []string{"race"}, []string{"none"}, []string{"none"}
	ctl := controlCells(cfg, cfg.cells())
	assert.Len(t, ctl, 2, "a run without ok cells gets one control per base")
	for _, c := range ctl {
		assert.Equal(t, "ok", c.fault)
		assert.True(t, isControl(c))
		assert.True(t, c.expect.Known && c.expect.DelayMs == 0, "a control waits on no timer by the source: %+v", c.expect)
	}
	assert.NotEqual(t, ctl[0].name, ctl[1].name)

	cfg.Faults, cfg.Options = []string{"ok", "race"}, []string{"none", "single-request"}
	assert.Empty(t, controlCells(cfg, cfg.cells()), "two ok cells of 5 lookups per base are control enough")
	cfg.Tries = 3
	assert.Len(t, controlCells(cfg, cfg.cells()), 2, "6 lookups under ok per base are not")
}
