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
