package wheel_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/baselab/baselab/labs/wheel"
	"github.com/spf13/pflag"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFieldsDeclared holds the lab's declaration to its code: every key the
// package sets on a record — a literal r.Set("...") or a diagnostic's Field —
// is declared, and every declared field is set somewhere.
func TestFieldsDeclared(t *testing.T) {
	t.Parallel()
	set := map[string]bool{}
	names, err := filepath.Glob("*.go")
	require.NoError(t, err)
	fset := token.NewFileSet()
	for _, name := range names {
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
			if sel, ok := call.Fun.(*ast.SelectorExpr); !ok || sel.Sel.Name != "Set" {
				return true
			}
			if lit, ok := call.Args[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
				key, err := strconv.Unquote(lit.Value)
				require.NoError(t, err)
				set[key] = true
			}
			return true
		})
	}
	require.NotEmpty(t, set, "the package sets no literal field: the parse found nothing")
	for _, v := range wheel.Variants() {
		for _, d := range v.Diagnostics {
			set[d.Field] = true
		}
	}

	l := wheel.New()
	var declared []string
	for _, f := range l.Fields {
		assert.NotContains(t, declared, f.Name, "declared twice")
		declared = append(declared, f.Name)
		assert.NotEmpty(t, f.Meaning, "field %q has no meaning", f.Name)
		assert.True(t, set[f.Name], "field %q is declared but never set", f.Name)
	}
	for k := range set {
		assert.True(t, slices.Contains(declared, k), "field %q is set but not declared", k)
	}
}

// TestVariantsListed: --list names every cell of the table, in its order,
// and a pattern is held to the lab's names.
func TestVariantsListed(t *testing.T) {
	t.Parallel()
	l := wheel.New()
	var want []string
	for _, v := range wheel.Variants() {
		want = append(want, v.Name)
	}
	assert.Equal(t, want, l.Variants())
	assert.NoError(t, l.Validate([]string{"*glibc*python-alpine*"}))
	assert.NoError(t, l.Validate([]string{"fix: python-slim runs the abi3 wheel that segfaulted on alpine"}))
	assert.ErrorContains(t, l.Validate([]string{"glibc wheel"}), `has no variant "glibc wheel"`,
		"a bare substring is not a pattern: variants are named exactly or by a glob")
}

// TestTriesValidated: a run that would measure nothing is refused before
// Docker.
func TestTriesValidated(t *testing.T) {
	t.Parallel()
	l := wheel.New()
	fs := pflag.NewFlagSet("wheel", pflag.ContinueOnError)
	l.Config.Bind(fs)
	require.NoError(t, fs.Parse(nil))
	assert.NoError(t, l.Validate(nil), "the default is 3")
	require.NoError(t, fs.Parse([]string{"--tries", "0"}))
	assert.EqualError(t, l.Validate(nil), "lab wheel: --tries must be at least 1")
}
