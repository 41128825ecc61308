package doctor_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/labs/doctor"
	"github.com/baselab/baselab/labs/labtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCompare(t *testing.T) {
	env := labtest.Env(t)
	ctx := context.Background()
	pick := func(name string) fixture {
		for _, f := range fixtures {
			if f.name == name {
				return f
			}
		}
		t.Fatalf("no fixture %q", name)
		return fixture{}
	}
	refs := buildFixtures(t, env, []fixture{
		pick("a program built against bookworm's glibc runs on bookworm slim"),
		pick("a glibc program on alpine has no loader"),
	})
	slim, alpine := refs[0], refs[1]
	dir := t.TempDir()
	for _, c := range []struct {
		name, old, new string
		exit           int
		breaks, fixes  int
	}{
		{"moving the glibc program to alpine breaks its exec", slim, alpine, doctor.ExitFindings, 1, 0},
		{"moving it back fixes it", alpine, slim, doctor.ExitClean, 0, 1},
		{"an image compared with itself changes nothing", slim, slim, doctor.ExitClean, 0, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			md, ju := filepath.Join(dir, "summary.md"), filepath.Join(dir, "compare.xml")
			var out, errb bytes.Buffer
			code := doctor.CompareCommand{JSON: true, Markdown: md, JUnit: ju}.Run(ctx, []string{c.old, c.new}, &out, &errb)
			require.Equal(t, c.exit, code, errb.String())
			var cmp doctor.Comparison
			require.NoError(t, json.Unmarshal(out.Bytes(), &cmp))
			assert.Len(t, cmp.Breaks, c.breaks)
			assert.Len(t, cmp.Fixes, c.fixes)
			if c.breaks > 0 {
				assert.Equal(t, doctor.FaceExecNotFound, cmp.Breaks[0].Face)
			}
			assert.Greater(t, cmp.Old.Size, int64(0))
			assert.Greater(t, cmp.New.Layers, 0)
			summary, err := os.ReadFile(md)
			require.NoError(t, err)
			// A pull-request comment: GitHub takes 65,536 characters; a
			// reader, a screenful.
			assert.Less(t, strings.Count(string(summary), "\n"), 40)
			assert.Contains(t, string(summary), "| size |")
			var suites struct {
				Failures int `xml:"failures,attr"`
			}
			b, err := os.ReadFile(ju)
			require.NoError(t, err)
			require.NoError(t, xml.Unmarshal(b, &suites))
			assert.Equal(t, c.breaks, suites.Failures)
		})
	}
	var errb bytes.Buffer
	assert.Equal(t, doctor.ExitUsage, doctor.CompareCommand{}.Run(ctx, []string{slim}, &bytes.Buffer{}, &errb))
	assert.Equal(t, doctor.ExitBadImage, doctor.CompareCommand{}.Run(ctx, []string{slim, "baselab/doctor-no-such-image:never"}, &bytes.Buffer{}, &errb))
}

// TestCompareProbe runs the DNS lab's faults with a user's lookup command
// (Python's getaddrinfo, which both images have) on python-slim (glibc)
// and python-alpine (musl). What each does is the DNS lab's prediction
// from the resolvers' sources (labs/dns/expect.go): under servfail:AAAA
// glibc returns the A answer (nss_dns gaih_getanswer) and musl fails with
// EAI_AGAIN (name_from_dns drops the A answer), so NEW is worse there; under
// ok both answer, so it is not.
func TestCompareProbe(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: musl's servfail:AAAA cell waits its 5 s timeout, 3 times, and that cell is the measurement")
	}
	env := labtest.Env(t)
	ctx := context.Background()
	ims, err := env.Catalog.EnsureAll(ctx, images.PythonSlim, images.PythonAlpine)
	require.NoError(t, err)
	dir := t.TempDir()
	md, ju := filepath.Join(dir, "summary.md"), filepath.Join(dir, "compare.xml")
	probe := `python3 -c "import socket,sys; socket.getaddrinfo(sys.argv[1], 443)" {name}`
	var out, errb bytes.Buffer
	code := doctor.CompareCommand{JSON: true, Markdown: md, JUnit: ju, Probe: probe, Faults: []string{"ok", "servfail:AAAA"}}.
		Run(ctx, []string{ims[0].Ref, ims[1].Ref}, &out, &errb)
	require.Equal(t, doctor.ExitFindings, code, errb.String())
	var cmp doctor.Comparison
	require.NoError(t, json.Unmarshal(out.Bytes(), &cmp))
	require.Len(t, cmp.DNS, 2)
	rows := map[string]doctor.ProbeRow{}
	for _, r := range cmp.DNS {
		t.Logf("%s: OLD %s %v ms, NEW %s %v ms", r.Fault, r.Old.Outcome, deref(r.Old.P50ms), r.New.Outcome, deref(r.New.P50ms))
		rows[r.Fault] = r
	}
	assert.False(t, rows["ok"].Worse, "%+v", rows["ok"])
	assert.Equal(t, "ok-fast", rows["ok"].New.Outcome, "the lab's word for a user's command that exits 0 fast")
	assert.True(t, rows["servfail:AAAA"].Worse, "%+v", rows["servfail:AAAA"])
	assert.True(t, strings.HasPrefix(rows["servfail:AAAA"].New.Outcome, "fail-"), rows["servfail:AAAA"].New.Outcome)
	assert.False(t, strings.HasPrefix(rows["servfail:AAAA"].Old.Outcome, "fail-"), rows["servfail:AAAA"].Old.Outcome)
	summary, err := os.ReadFile(md)
	require.NoError(t, err)
	assert.Contains(t, string(summary), "| `servfail:AAAA` |")
	assert.Contains(t, string(summary), "**worse**")
	assert.Less(t, strings.Count(string(summary), "\n"), 50)
	var suites struct {
		Failures int `xml:"failures,attr"`
	}
	b, err := os.ReadFile(ju)
	require.NoError(t, err)
	require.NoError(t, xml.Unmarshal(b, &suites))
	assert.Equal(t, cmp.NewErrors()+1, suites.Failures, "NEW's error findings and the one worse fault")

	// A --probe the DNS lab would refuse is bad input, before the engine.
	errb.Reset()
	assert.Equal(t, doctor.ExitUsage, doctor.CompareCommand{Probe: "getent hosts"}.Run(ctx, []string{"a", "b"}, &bytes.Buffer{}, &errb))
	assert.Contains(t, errb.String(), "{name}")
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}
