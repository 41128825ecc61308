package exercise

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEverySampleLoads: every sample hand-in is well formed, so that what
// its grade says is about its answer, never about its form.
func TestEverySampleLoads(t *testing.T) {
	dirs, err := filepath.Glob("samples/*/*")
	require.NoError(t, err)
	n := 0
	for _, d := range dirs {
		if st, err := os.Stat(d); err != nil || !st.IsDir() || filepath.Base(d) == "src" {
			continue
		}
		n++
		e, err := Get(filepath.Base(filepath.Dir(d)))
		require.NoError(t, err)
		_, err = e.Load(d)
		assert.NoError(t, err, d)
	}
	assert.GreaterOrEqual(t, n, 15, "a good and two wrong samples for each of the five")
}

// TestBadHandInsAreOneLineBeforeDocker: each malformed hand-in is refused by
// RunCheck with exit 2 and one line, with DOCKER_HOST pointing nowhere: a
// case that reached the engine would exit 3 instead.
func TestBadHandInsAreOneLineBeforeDocker(t *testing.T) {
	t.Setenv("DOCKER_HOST", "unix:///nonexistent")
	cases := []struct {
		name, n string
		files   map[string]string
		want    string
	}{
		{"an unknown key in the answer file", "2", map[string]string{"answer.yaml": "probe: \"x {name}\"\nprobes: y\n", "Dockerfile": "FROM alpine\n"}, "field probes not found"},
		{"a probe without {name}", "2", map[string]string{"answer.yaml": "probe: getent hosts x\n", "Dockerfile": "FROM alpine\n"}, "must contain {name}"},
		{"no answer file", "3", map[string]string{}, "no answer file"},
		{"two bases in exercise 1 are one", "1", map[string]string{"answer.yaml": "images:\n- {dockerfile: a, size_mb: 1}\n- {dockerfile: b, size_mb: 1}\n- {dockerfile: c, size_mb: 1}\n",
			"a": "FROM slim\n", "b": "FROM alpine\n", "c": "FROM builder AS x\nFROM slim\n"}, "a second image on slim"},
		{"fewer than three bases ranked", "3", map[string]string{"answer.yaml": "ranking:\n- {base: slim, packages: 1, shells: 1, setuid: 1}\n"}, "rank three or more"},
		{"exercise 4 not on scratch", "4", map[string]string{"answer.yaml": "max_mb: 5\n", "src/main.go": "package main\nfunc main() {}\n", "Dockerfile": "FROM alpine\n"}, "exercise 4 is FROM scratch"},
		{"a claim that is not in the course file", "5", map[string]string{"answer.yaml": "scenarios:\n- scenario: 1\n  base: slim\n  reasons: [{text: x, claims: [nosuch]}]\n"}, `no claim "nosuch"`},
		{"a scenario missing", "5", map[string]string{"answer.yaml": "scenarios:\n- {scenario: 1, base: slim}\n"}, "answer all 5 scenarios"},
		{"a base that is not in the catalog", "5", map[string]string{"answer.yaml": "scenarios:\n- {scenario: 1, base: ubuntu}\n"}, `unknown image key "ubuntu"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, body := range tc.files {
				require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755))
				require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644))
			}
			var stdout, stderr bytes.Buffer
			code := RunCheck(t.Context(), tc.n, dir, false, &stdout, &stderr)
			assert.Equal(t, ExitBadInput, code, "stderr %q", stderr.String())
			assert.Empty(t, stdout.String())
			lines := strings.Split(strings.TrimRight(stderr.String(), "\n"), "\n")
			require.Len(t, lines, 1)
			assert.Contains(t, lines[0], tc.want)
		})
	}
}

// TestShowFitsOneScreen: each exercise's text is at most 24 lines of at
// most 80 columns.
func TestShowFitsOneScreen(t *testing.T) {
	for _, e := range All() {
		var b bytes.Buffer
		require.NoError(t, Show(&b, strconv.Itoa(e.N)))
		lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
		assert.LessOrEqual(t, len(lines), 24, "exercise %d", e.N)
		for _, l := range lines {
			assert.LessOrEqual(t, len([]rune(l)), 80, "exercise %d: %q", e.N, l)
		}
	}
}

// TestRecipeMapsCatalogKeys: FROM KEY becomes FROM ${ARG} bound to the key;
// stages and scratch stay as they are.
func TestRecipeMapsCatalogKeys(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "Dockerfile")
	require.NoError(t, os.WriteFile(p, []byte("# syntax comment\nFROM builder AS build\nRUN true\nFROM build AS again\nfrom alpine\nCOPY --from=build /x /x\n"), 0o644))
	r, err := readRecipe(p)
	require.NoError(t, err)
	assert.Equal(t, "# syntax comment\nARG BASELAB_FROM_ALPINE\nARG BASELAB_FROM_BUILDER\nFROM ${BASELAB_FROM_BUILDER} AS build\nRUN true\nFROM build AS again\nfrom ${BASELAB_FROM_ALPINE}\nCOPY --from=build /x /x\n", r.Dockerfile)
	assert.Equal(t, "alpine", string(r.Final))
	assert.Len(t, r.Bases, 2)
}
