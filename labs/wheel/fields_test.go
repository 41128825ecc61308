package wheel_test

import (
	"testing"

	"github.com/baselab/baselab/labs/wheel"
	"github.com/spf13/pflag"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDiagnosticFieldsAreDeclared: a diagnostic writes its output under
// its Field, a name no r.Set literal shows (labs_test checks those), so the
// table's names are held to the declaration here.
func TestDiagnosticFieldsAreDeclared(t *testing.T) {
	t.Parallel()
	l := wheel.New()
	for _, v := range wheel.Variants() {
		for _, d := range v.Diagnostics {
			_, ok := l.FieldKind(d.Field)
			assert.True(t, ok, "%s: diagnostic field %q is not declared", v.Name, d.Field)
		}
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
