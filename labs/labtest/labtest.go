// Package labtest sets labs up under `go test`: an engine (skip or fail
// without one, per BASELAB_REQUIRE_DOCKER), a catalog, progress in the test
// log, every container the labs start inspected for least privilege as it
// is created, and a sweep of the test's containers and networks at cleanup.
package labtest

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/baselab/baselab/harness/engine"
	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/harness/record"
	"github.com/baselab/baselab/labs/lab"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Env returns a lab environment for tb.
func Env(tb testing.TB) *lab.Env {
	tb.Helper()
	eng := engine.ForTest(tb)
	w := Log{TB: tb}
	cat, err := images.New(eng, images.Options{Progress: w})
	require.NoError(tb, err)
	// Every container the test's labs start is held to least privilege.
	watchPrivileges(tb, eng)
	return &lab.Env{Engine: eng, Catalog: cat, Progress: w, Short: testing.Short()}
}

// Log writes progress lines into the test log.
type Log struct{ TB testing.TB }

func (l Log) Write(p []byte) (int, error) {
	for _, line := range strings.Split(strings.TrimRight(string(p), "\n"), "\n") {
		l.TB.Log(line)
	}
	return len(p), nil
}

// CheckFields holds records to their lab's declaration, as results.jsonl
// carries them (each is written to JSON and read back): every lab field is
// declared, and holds a value of its declared kind (a number may be null:
// nothing was measured). It returns the fields seen.
func CheckFields(tb testing.TB, l lab.Lab, rs ...record.Record) map[string]bool {
	tb.Helper()
	seen := map[string]bool{}
	for _, r := range rs {
		b, err := json.Marshal(r)
		require.NoError(tb, err)
		var back record.Record
		require.NoError(tb, json.Unmarshal(b, &back))
		for k, v := range back.Extra {
			seen[k] = true
			kind, ok := l.FieldKind(k)
			if !assert.True(tb, ok, "%s: field %q is not declared in lab %s's Fields", r.Variant, k, l.Name) {
				continue
			}
			switch kind {
			case lab.Num:
				if v != nil {
					assert.IsType(tb, float64(0), v, "%s: %s is a number", r.Variant, k)
				}
			case lab.Str:
				if v != nil {
					assert.IsType(tb, "", v, "%s: %s is a word", r.Variant, k)
				}
			case lab.Bool:
				assert.IsType(tb, false, v, "%s: %s is true or false", r.Variant, k)
			case lab.List:
				if v != nil {
					switch v.(type) {
					case []any, map[string]any:
					default:
						assert.Failf(tb, "not a list", "%s: %s = %#v is a list or a map", r.Variant, k, v)
					}
				}
			}
		}
	}
	return seen
}

// CheckImages holds a lab's Images declaration to what its run on env
// resolved: every key the catalog resolved is one the lab declared for
// env's variants, or a base of one. A key left out would not be built
// ahead by `baselab run` (lab.Prefetch) and would be built only when the
// lab asks for it, on the cold start's critical path.
func CheckImages(tb testing.TB, l lab.Lab, env *lab.Env) {
	tb.Helper()
	declared := l.Keys(env)
	require.NotEmpty(tb, declared, "lab %s declares no images for %v", l.Name, env.Only)
	may := images.WithBases(declared)
	for _, k := range env.Catalog.Resolved() {
		assert.Contains(tb, may, k, "lab %s resolved %s for %v but its Images declares only %v", l.Name, k, env.Only, declared)
	}
}
