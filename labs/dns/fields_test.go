package dns

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/baselab/baselab/dnsfaker"
	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/harness/record"
	"github.com/baselab/baselab/labs/lab"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func declared(t *testing.T) map[string]lab.Kind {
	t.Helper()
	out := map[string]lab.Kind{}
	for _, f := range fields {
		_, dup := out[f.Name]
		require.False(t, dup, "field %q is declared twice", f.Name)
		require.NotEmpty(t, f.Meaning, "field %q says what it means", f.Name)
		out[f.Name] = f.Kind
	}
	return out
}

// setKeys are the string keys of every .Set("...") call in the package's
// own (non-test) source.
func setKeys(t *testing.T) map[string]bool {
	t.Helper()
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	keys := map[string]bool{}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		require.NoError(t, err)
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) != 2 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || sel.Sel.Name != "Set" {
				return true
			}
			lit, ok := call.Args[0].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				t.Errorf("%s: a Set whose key is not a string literal cannot be checked", fset.Position(call.Pos()))
				return true
			}
			k, err := strconv.Unquote(lit.Value)
			require.NoError(t, err)
			keys[k] = true
			return true
		})
	}
	return keys
}

func TestEverySetFieldIsDeclaredAndEveryDeclaredFieldIsSet(t *testing.T) {
	decl := declared(t)
	set := setKeys(t)
	for k := range set {
		_, ok := decl[k]
		assert.True(t, ok, "r.Set(%q) writes a field the lab does not declare (fields.go)", k)
	}
	for k := range decl {
		assert.True(t, set[k], "field %q is declared but never set", k)
	}
	for _, f := range reportLab().Fields {
		assert.Contains(t, decl, f, "the report shows a field the lab declares")
	}
	for _, f := range reportLab().Optional {
		assert.Contains(t, decl, f, "the report shows a field the lab declares")
	}
}

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
	load := cfg.loads()[0]

	recs := []record.Record{
		rg.cellRecord(matrix, result{lookups: []probeLine{lookup, failed}, libc: "musl-1.2.3"}, entries),
		rg.cellRecord(userCell, result{lookups: []probeLine{{Name: userCell.name, StartWallUS: start, Ms: 2900, OK: true, user: true}}}, entries),
		rg.loadRecord(load, cfg, result{lookups: []probeLine{lookup, lookup}}, entries),
	}
	decl := declared(t)
	seen := map[string]bool{}
	for _, r := range recs {
		b, err := json.Marshal(r)
		require.NoError(t, err)
		var back record.Record
		require.NoError(t, json.Unmarshal(b, &back))
		for k, v := range back.Extra {
			seen[k] = true
			kind, ok := decl[k]
			if !assert.True(t, ok, "%s: field %q is not declared", r.Variant, k) {
				continue
			}
			switch kind {
			case lab.Num:
				if v != nil {
					assert.IsType(t, float64(0), v, "%s: %s is a number", r.Variant, k)
				}
			case lab.Str:
				assert.IsType(t, "", v, "%s: %s is a word", r.Variant, k)
			case lab.Bool:
				assert.IsType(t, false, v, "%s: %s is true or false", r.Variant, k)
			case lab.List:
				assert.IsType(t, []any{}, v, "%s: %s is a list", r.Variant, k)
			}
		}
	}
	var missing []string
	for k := range decl {
		if !seen[k] {
			missing = append(missing, k)
		}
	}
	slices.Sort(missing)
	assert.Empty(t, missing, "declared fields no record path wrote")
}
