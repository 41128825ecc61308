package claims

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/labs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// variantsOf lists the variants each lab runs by default, from the labs'
// own tables, so that a shipped claim naming a cell that no lab runs fails
// here instead of turning into "no data" in CI.
func variantsOf(t *testing.T) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	cfg := labs.DefaultDNSConfig()
	for _, b := range cfg.Bases {
		for _, f := range cfg.Faults {
			for _, o := range cfg.Options {
				slug := "none"
				if o != "none" {
					slug = strings.ReplaceAll(o, " ", "+")
				}
				for _, fl := range cfg.Flags {
					out["dns"] = append(out["dns"], fmt.Sprintf("%s/%s/%s/%s", b, f, slug, fl))
				}
			}
		}
		for _, n := range cfg.Clients {
			out["dns"] = append(out["dns"], fmt.Sprintf("load/%s/c%d", b, n))
		}
	}
	for _, v := range labs.WheelVariants() {
		out["wheel"] = append(out["wheel"], v.Name)
	}
	for _, v := range labs.ScratchVariants() {
		out["scratch"] = append(out["scratch"], v.Name)
	}
	for _, v := range labs.SizeVariants(images.Keys()) {
		out["size"] = append(out["size"], v.Name)
	}
	for _, v := range labs.SurfaceVariants() {
		out["surface"] = append(out["surface"], string(v.Base))
	}
	return out
}

func matchesAny(pattern string, variants []string) bool {
	for _, v := range variants {
		if ok, _ := path.Match(pattern, v); ok || pattern == v {
			return true
		}
	}
	return false
}

func TestCourseClaimsNameCellsTheLabsRun(t *testing.T) {
	f, err := Load("course")
	require.NoError(t, err)
	vs := variantsOf(t)
	for i, c := range f.Claims {
		t.Run(c.Label(i), func(t *testing.T) {
			assert.NotEmpty(t, c.Source, "a course claim says where the course makes it")
			require.NotEmpty(t, c.Variant, "a course claim names its cell")
			assert.True(t, matchesAny(c.Variant, vs[c.Lab]), "lab %s runs no variant %q", c.Lab, c.Variant)
			if c.Ratio() {
				b := c.baselineCell()
				assert.True(t, matchesAny(b.Variant, vs[b.Lab]), "lab %s runs no baseline variant %q", b.Lab, b.Variant)
			}
		})
	}
}

func TestExampleMigrationPlansOneRunOfTheUsersImage(t *testing.T) {
	f, err := Load("example-migration")
	require.NoError(t, err)
	jobs := Plan(f)
	var user []Job
	for _, j := range jobs {
		if j.Flags["image"] != "" {
			user = append(user, j)
		}
	}
	require.Len(t, user, 1, "every claim on the team's image shares one dns run: %v", jobs)
	assert.Equal(t, "getent ahosts {name}", user[0].Flags["probe"])
	assert.ElementsMatch(t, []string{"image/ok/none", "image/race/none", "image/race/single-request", "image/servfail:AAAA/none"}, user[0].Only)
}

// TestEveryFieldALabSetsIsKnown reads every r.Set("field", ...) in the labs'
// sources: a field a lab writes that claims does not know would be refused
// as a measure.
func TestEveryFieldALabSetsIsKnown(t *testing.T) {
	set := regexp.MustCompile(`r\.Set\("([a-z0-9_]+)"`)
	files, err := filepath.Glob("../*.go")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		lab := strings.SplitN(strings.TrimSuffix(filepath.Base(file), ".go"), "_", 2)[0]
		if _, ok := labFields[lab]; !ok {
			continue
		}
		b, err := os.ReadFile(file)
		require.NoError(t, err)
		for _, m := range set.FindAllStringSubmatch(string(b), -1) {
			_, ok := fieldKind(lab, m[1])
			assert.True(t, ok, "%s sets %q: add it to labFields[%q] in fields.go", filepath.Base(file), m[1], lab)
		}
	}
}
