package scratch

import (
	"strings"
	"testing"
	"time"

	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/harness/run"
	"github.com/baselab/baselab/labs/labtest"
	"github.com/stretchr/testify/assert"
)

// TestFields builds every step's record the way a run does, from a program
// that printed every check and from a container the engine refused, and
// holds what they set to the declaration: kind for kind, nothing more,
// nothing less.
func TestFields(t *testing.T) {
	t.Parallel()
	printed := strings.Join([]string{
		`{"check":"user","ok":true,"uid":65534,"gid":65534,"name":"nobody","home":"/nonexistent"}`,
		`{"check":"https","ok":true,"ms":3.2,"status":200}`,
		`{"check":"chain","ok":true,"ms":1.5,"root":"GTS Root R1"}`,
		`{"check":"tz","ok":true,"zone":"America/New_York","abbrev":"EDT","offset_s":-14400}`,
		`{"check":"done","ok":true,"ms":4.1}`,
	}, "\n")
	results := []run.Result{
		{Started: true, Output: run.Output{Stdout: printed, Duration: time.Second}},
		{StartError: "unable to find user nobody: no matching entries in passwd file", Output: run.Output{ExitCode: -1}},
	}
	set := map[string]bool{}
	l := New()
	for _, v := range table {
		c := cell{v: v, img: stepImage{im: images.Image{Ref: "baselab/lab-scratch-" + v.Name, SizeBytes: 2000}, dockerfile: v.Dockerfile},
			prog: program{kind: v.Binary, bin: make([]byte, 1000)}, baseline: images.Image{SizeBytes: 1000},
			deb: debian{bundle: []byte("-----BEGIN CERTIFICATE-----"), bundleCerts: 1, zoneinfoBytes: 600, zoneFileBytes: 3}}
		for _, res := range results {
			for k := range labtest.CheckFields(t, l, c.record(res, time.Now())) {
				set[k] = true
			}
		}
	}
	for _, f := range fields {
		assert.True(t, set[f.Name], "%s is declared and set by no step", f.Name)
	}
}
