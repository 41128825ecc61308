package scratch

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/harness/run"
	"github.com/baselab/baselab/labs/lab"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFields builds every step's record the way a run does, from a program
// that printed every check and from a container the engine refused, and
// holds what they set to the declaration: kind for kind, nothing more,
// nothing less.
func TestFields(t *testing.T) {
	t.Parallel()
	declared := map[string]lab.Kind{}
	for _, f := range fields {
		require.NotContains(t, declared, f.Name, "declared twice")
		declared[f.Name] = f.Kind
		assert.NotEmpty(t, f.Meaning, "%s has no meaning", f.Name)
	}
	printed := strings.Join([]string{
		`{"check":"user","ok":true,"uid":65534,"gid":65534,"name":"nobody","home":"/nonexistent"}`,
		`{"check":"https","ok":true,"ms":3.2,"status":200}`,
		`{"check":"tz","ok":true,"zone":"America/New_York","abbrev":"EDT","offset_s":-14400}`,
		`{"check":"done","ok":true,"ms":4.1}`,
	}, "\n")
	results := []run.Result{
		{Started: true, Output: run.Output{Stdout: printed, Duration: time.Second}},
		{StartError: "unable to find user nobody: no matching entries in passwd file", Output: run.Output{ExitCode: -1}},
	}
	set := map[string]bool{}
	for _, v := range table {
		c := cell{v: v, img: stepImage{im: images.Image{Ref: "baselab/lab-scratch-" + v.Name, SizeBytes: 2000}, dockerfile: v.Dockerfile},
			prog: program{kind: v.Binary, bin: make([]byte, 1000)}, baseline: images.Image{SizeBytes: 1000},
			deb: debian{bundle: []byte("-----BEGIN CERTIFICATE-----"), bundleCerts: 1, zoneinfoBytes: 600, zoneFileBytes: 3}}
		for _, res := range results {
			r := c.record(res, time.Now())
			for k, val := range r.Extra {
				set[k] = true
				kind, ok := declared[k]
				if assert.True(t, ok, "%s sets %s, which is not declared", v.Name, k) {
					assert.Equal(t, kind, kindOf(t, val), "%s: %s = %#v", v.Name, k, val)
				}
			}
		}
	}
	for name := range declared {
		assert.True(t, set[name], "%s is declared and set by no step", name)
	}

	t.Run("every Set in the package's source names a declared field", func(t *testing.T) {
		for _, key := range setKeys(t) {
			assert.Contains(t, declared, key)
		}
	})
}

func kindOf(t *testing.T, v any) lab.Kind {
	t.Helper()
	switch v.(type) {
	case string:
		return lab.Str
	case bool:
		return lab.Bool
	case nil, int, int64, float64:
		return lab.Num
	case []string, []any, map[string]any:
		return lab.List
	}
	t.Fatalf("a field holds %T, of no kind", v)
	return 0
}

// setKeys are the string keys of the package's r.Set("...") calls.
func setKeys(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(".")
	require.NoError(t, err)
	fset := token.NewFileSet()
	var keys []string
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, e.Name(), nil, 0)
		require.NoError(t, err)
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) != 2 {
				return true
			}
			if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Set" {
				if lit, ok := call.Args[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					key, err := strconv.Unquote(lit.Value)
					require.NoError(t, err)
					keys = append(keys, key)
				}
			}
			return true
		})
	}
	require.NotEmpty(t, keys, "the package sets its fields with r.Set")
	return keys
}
