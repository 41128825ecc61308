package wheel

import (
	"maps"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBuildContext: the build image gets the whole sdist — Python's
// underscore files too, which a plain //go:embed pattern would drop — laid
// out the way build.Dockerfile copies it.
func TestBuildContext(t *testing.T) {
	t.Parallel()
	files, err := buildContext(map[string]string{"errtext": "errtext", "hello.c": "hello/hello.c", "build.sh": "build/build.sh"})
	require.NoError(t, err)
	assert.Equal(t, []string{
		"build.sh",
		"errtext/README.md",
		"errtext/pyproject.toml",
		"errtext/setup.py",
		"errtext/src/errtext/__init__.py",
		"errtext/src/errtext/_errtext.c",
		"hello.c",
	}, slices.Sorted(maps.Keys(files)))
	assert.Contains(t, string(files["errtext/src/errtext/_errtext.c"]), "strerror_r")

	for _, v := range Variants() {
		_, err := dockerfile("dockerfiles/" + v.Dockerfile)
		assert.NoError(t, err, "variant %q", v.Name)
	}
}
