package images

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestUnknownKeyListsTheKnownOnes(t *testing.T) {
	_, err := ParseKeys([]string{"alpine", "ubuntu"})
	require.Error(t, err)
	for _, k := range Keys() {
		assert.Contains(t, err.Error(), string(k))
	}
	assert.Contains(t, err.Error(), `"ubuntu"`)
}

func TestEveryKeyOfTheCourseIsInTheCatalog(t *testing.T) {
	want := []Key{Slim, Full, Alpine, Alpine317, DistrolessStatic, DistrolessBase, Scratch, PythonSlim, PythonAlpine, Builder}
	assert.ElementsMatch(t, want, Keys())
	for _, k := range Keys() {
		s, err := Lookup(k)
		require.NoError(t, err)
		assert.NotEmpty(t, s.StandinLibc, "%s says its libc", k)
		assert.True(t, (s.Bootstrap == nil) != (s.Dockerfile == ""), "%s has exactly one recipe", k)
		for _, b := range s.Bases {
			_, err := Lookup(b)
			assert.NoError(t, err, "%s is built on a known key", k)
		}
	}
}

func TestParseMode(t *testing.T) {
	cases := []struct {
		in      string
		want    Mode
		wantErr bool
	}{
		{"", Auto, false}, {"auto", Auto, false}, {"registry", Registry, false}, {"local", Local, false},
		{"offline", "", true},
	}
	for _, c := range cases {
		got, err := ParseMode(c.in)
		if c.wantErr {
			assert.ErrorContains(t, err, "want auto, registry or local", c.in)
			continue
		}
		assert.NoError(t, err)
		assert.Equal(t, c.want, got)
	}
}

func TestMirrorComesFromTheHostsAptSources(t *testing.T) {
	cases := []struct {
		name, sources, want string
	}{
		{"one-line form", "deb http://mirror.example.org/debian bookworm main\n", "http://mirror.example.org/debian"},
		{"one-line form with options", "deb [arch=amd64] http://mirror.example.org/debian bookworm main\n", "http://mirror.example.org/debian"},
		{"security archive is skipped", "deb http://mirror.example.org/debian-security bookworm-security main\n", ""},
		{"deb822 form", "Types: deb\nURIs: http://mirror.example.org/debian\nSuites: bookworm bookworm-updates\n", "http://mirror.example.org/debian"},
		{"deb822 security stanza is skipped", "Types: deb\nURIs: http://mirror.example.org/debian\nSuites: bookworm-security\n", ""},
		{"third-party repository is skipped", "deb https://repo.example.org/node_20.x nodistro main\n", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, parseMirror(strings.NewReader(c.sources)))
		})
	}
}

func TestRegistryRefOfDistrolessNeedsConfiguration(t *testing.T) {
	s, err := Lookup(DistrolessStatic)
	require.NoError(t, err)
	t.Setenv(EnvDistrolessRepo, "")
	_, err = registryRef(s)
	assert.ErrorContains(t, err, EnvDistrolessRepo)
	t.Setenv(EnvDistrolessRepo, "registry.example.org/distroless/")
	ref, err := registryRef(s)
	require.NoError(t, err)
	assert.Equal(t, "registry.example.org/distroless/static-debian12", ref)
	assert.Equal(t, "distroless/static-debian12", s.StandinFor())
}

func TestAlpineSuiteComesFromConfigurationWithTrixieByDefault(t *testing.T) {
	s, err := Lookup(Alpine)
	require.NoError(t, err)
	t.Setenv(EnvAlpineSuite, "")
	assert.Equal(t, "trixie", s.BuildArgs()["SUITE"])
	t.Setenv(EnvAlpineSuite, "forky")
	assert.Equal(t, "forky", s.BuildArgs()["SUITE"])
	old, err := Lookup(Alpine317)
	require.NoError(t, err)
	assert.Equal(t, "bookworm", old.BuildArgs()["SUITE"], "alpine-3.17 is bookworm's musl whatever the alpine suite is")
	assert.Equal(t, "trixie", s.Args["SUITE"], "the catalog table is not changed by the variable")
}

// python-alpine's CPython is a part of its own, built on slim alone: it
// starts when slim exists, beside alpine, and is cached by its own inputs.
// It is no base of the course, so Keys does not list it.
func TestCPythonMuslIsAPartOnSlimAlone(t *testing.T) {
	s, err := Lookup(CPythonMusl)
	require.NoError(t, err)
	assert.NotContains(t, Keys(), CPythonMusl)
	assert.Equal(t, map[string]Key{"SLIM": Slim}, s.Bases)
	assert.Empty(t, s.Registry, "no registry image: never a stand-in")
	assert.NotEmpty(t, s.Dockerfile)
	py, err := Lookup(PythonAlpine)
	require.NoError(t, err)
	assert.Equal(t, map[string]Key{"CPYTHON": CPythonMusl, "ALPINE": Alpine}, py.Bases)
	assert.Contains(t, py.Lacks, PropSize, "the stand-in's CPython leaves modules out: its size is not the real image's")
}
