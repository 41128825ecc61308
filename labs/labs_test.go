package labs_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/labs"
	"github.com/baselab/baselab/labs/lab"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every lab states the contract's parts without a Docker engine: its
// variants list, its configuration at its defaults validates, and a variant
// it does not have is refused before anything runs.
func TestEveryLabListsItsVariantsAndValidatesWithoutDocker(t *testing.T) {
	seen := map[string]bool{}
	for _, l := range labs.All() {
		t.Run(l.Name, func(t *testing.T) {
			assert.False(t, seen[l.Name], "one lab per name")
			seen[l.Name] = true
			assert.NotEmpty(t, l.Summary)
			require.NotNil(t, l.Run)
			require.NotNil(t, l.Variants)
			vs := l.Variants()
			require.NotEmpty(t, vs, "a lab lists its variants")
			uniq := map[string]bool{}
			for _, v := range vs {
				assert.False(t, uniq[v], "variant %q listed twice", v)
				uniq[v] = true
			}
			require.NoError(t, l.Validate(nil), "the defaults are a valid configuration")
			require.NoError(t, l.Validate([]string{vs[0]}), "a listed variant is accepted")
			err := l.Validate([]string{"no-such-variant"})
			require.Error(t, err)
			assert.Contains(t, err.Error(), "--list", "the error says how to see the variants")
			assert.NotContains(t, err.Error(), "\n", "one line")
			rep := l.ReportLab()
			assert.Equal(t, l.Name, rep.Name)
			assert.NotEmpty(t, rep.Title)
		})
	}
	_, err := labs.Get("tls")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "dns, scratch, size, surface, wheel", "an unknown lab lists the labs")
}

// Every lab says, without Docker, which catalog keys a run of its variants
// resolves (lab.Lab.Images), so that `baselab run` builds them all at once
// before the first lab starts: keys the catalog knows, none when env wants
// no variant of the lab, and for one variant a part of what all of them
// need. That the declaration covers what a run resolves is held by
// TestEveryLabContainerIsUnprivileged, which runs each lab.
func TestEveryLabDeclaresTheImagesItsVariantsNeed(t *testing.T) {
	for _, l := range labs.All() {
		t.Run(l.Name, func(t *testing.T) {
			require.NotNil(t, l.Images)
			all := l.Keys(&lab.Env{})
			require.NotEmpty(t, all)
			for _, k := range all {
				_, err := images.Lookup(k)
				assert.NoError(t, err)
			}
			assert.Empty(t, l.Keys(&lab.Env{Only: []string{"no-such-variant"}}), "no variant wanted, nothing to build")
			for _, v := range l.Variants() {
				one := l.Keys(&lab.Env{Only: []string{v}})
				assert.NotEmpty(t, one, "variant %s", v)
				assert.Subset(t, all, one, "variant %s", v)
			}
		})
	}
}

// A lab's fields are declared once, in its package, and claims and the
// report read the declaration: every field a lab's source sets with
// r.Set("…") is declared, every declared field is set somewhere in that
// source, and none shadows a common field.
func TestEveryFieldALabSetsIsDeclaredAndEveryDeclaredFieldIsSet(t *testing.T) {
	for _, l := range labs.All() {
		t.Run(l.Name, func(t *testing.T) {
			declared := map[string]bool{}
			for _, f := range l.Fields {
				assert.False(t, declared[f.Name], "%s declared twice", f.Name)
				declared[f.Name] = true
				assert.NotEmpty(t, f.Meaning, "%s says what it means", f.Name)
				for _, c := range lab.Common {
					assert.NotEqual(t, c.Name, f.Name, "a lab field may not shadow a common one")
				}
			}
			for _, f := range append(l.ReportLab().Fields, l.ReportLab().Optional...) {
				assert.True(t, declared[f], "the report shows %q, which the lab does not declare", f)
			}
			sets, literals := scanSource(t, l.Name)
			for _, k := range sets {
				assert.True(t, declared[k], "labs/%s sets %q: declare it in the lab's Fields", l.Name, k)
			}
			for k := range declared {
				assert.True(t, literals[k], "labs/%s declares %q but its source never names it", l.Name, k)
			}
		})
	}
}

// scanSource returns the literal keys of .Set("key", …) calls in a lab's
// non-test Go files, and every string literal in them.
func scanSource(t *testing.T, name string) (sets []string, literals map[string]bool) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(name, "*.go"))
	require.NoError(t, err)
	require.NotEmpty(t, files, "labs/%s has Go files", name)
	literals = map[string]bool{}
	fset := token.NewFileSet()
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, file, nil, 0)
		require.NoError(t, err)
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.BasicLit:
				if n.Kind == token.STRING {
					if s, err := strconv.Unquote(n.Value); err == nil {
						literals[s] = true
					}
				}
			case *ast.CallExpr:
				sel, ok := n.Fun.(*ast.SelectorExpr)
				if !ok || sel.Sel.Name != "Set" || len(n.Args) != 2 {
					return true
				}
				if lit, ok := n.Args[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					s, _ := strconv.Unquote(lit.Value)
					sets = append(sets, s)
				}
			}
			return true
		})
	}
	return sets, literals
}

// The arrows point one way: the harness knows no lab.
func TestHarnessImportsNoLab(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/baselab/baselab/harness/...").CombinedOutput()
	require.NoError(t, err, "%s", out)
	for _, p := range strings.Fields(string(out)) {
		assert.False(t, strings.HasPrefix(p, "github.com/baselab/baselab/labs"), "harness depends on %s", p)
	}
}
