package dns

import (
	"testing"

	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/labs/lab"
	"github.com/stretchr/testify/assert"
)

// TestTheLabsOwnFailuresAreErrorsNotFailedLookups: an exec the lab could not
// make is an error of the record (outcome error, no verdict), never a
// lookup the resolver failed; and an under-load record never counts more
// failures than tries.
func TestTheLabsOwnFailuresAreErrorsNotFailedLookups(t *testing.T) {
	im := images.Image{Key: images.Alpine, Ref: "baselab/alpine:testdata", Libc: "musl-1.2.3", Standin: true}
	rg := &rig{boxes: map[string]*box{boxKey(images.Alpine, ""): {im: im}}}
	cfg := DefaultConfig()
	cfg.Bases, cfg.Faults, cfg.Options, cfg.Flags = []string{"alpine"}, []string{"ok"}, []string{"none"}, []string{"none"}
	fast := probeLine{Name: "c001.dns.test", Try: 1, StartWallUS: 1, Ms: 2, OK: true, A: 1, AAAA: 1}
	failed := probeLine{Name: "c001.dns.test", Try: 2, StartWallUS: 1, Ms: 3, Code: "EAI_NONAME", Err: "Name does not resolve"}
	execErr := "exec [/usr/local/bin/probe]: context canceled"

	cases := []struct {
		name             string
		res              result
		load             bool
		tries, ok, fails int
		errors           int
		outcomeIsError   bool
	}{
		{"clean lookups make a usable record", result{lookups: []probeLine{fast, fast}}, false, 2, 2, 0, 0, false},
		{"a failed lookup is the resolver's failure", result{lookups: []probeLine{fast, failed}}, false, 2, 1, 1, 0, false},
		{"an exec the lab could not make is an error, not a failure", result{lookups: []probeLine{fast}, errs: []string{execErr}}, false, 1, 1, 0, 1, true},
		{"a cell with nothing but errors is an error", result{errs: []string{execErr, execErr}}, false, 0, 0, 0, 2, true},
		{"under load, a client that did not run adds no failures", result{lookups: []probeLine{fast, failed}, errs: []string{execErr}}, true, 2, 1, 1, 1, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := rg.cellRecord(cfg.cells()[0], c.res, nil)
			if c.load {
				r = rg.loadRecord(cfg.loads()[0], cfg, c.res, nil)
			}
			assert.Equal(t, c.tries, r.Tries, "tries")
			assert.Equal(t, c.ok, r.OK, "ok")
			assert.Equal(t, c.fails, r.Failed, "failed")
			assert.LessOrEqual(t, r.Failed+r.OK, r.Tries, "never more failures than tries")
			assert.Len(t, r.Errors, c.errors)
			assert.Equal(t, c.outcomeIsError, r.Outcome == lab.Error, "outcome %s", r.Outcome)
			assert.Equal(t, !c.outcomeIsError, r.Usable())
		})
	}
}
