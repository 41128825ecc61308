package gobuild

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSourceBuildsAStaticBinaryByDefaultAndADynamicOneWithCgo(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles two programs")
	}
	src := fstest.MapFS{
		"hello/go.mod":  {Data: []byte("module example.org/hello\n\ngo 1.22\n")},
		"hello/main.go": {Data: []byte("package main\n\nimport \"os/user\"\n\nfunc main() { _, _ = user.Current() }\n")},
	}
	cases := []struct {
		name   string
		opts   Options
		static bool
	}{
		{"CGO_ENABLED=0 needs no loader", Options{}, true},
		{"cgo links against the host's libc", Options{CGO: true}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bin, err := Source(context.Background(), src, "hello", c.opts)
			require.NoError(t, err)
			p := filepath.Join(t.TempDir(), "hello")
			require.NoError(t, os.WriteFile(p, bin, 0o755))
			assert.Equal(t, c.static, IsStatic(p))
		})
	}
}

func TestIsStaticIsFalseForWhatIsNotAnELF(t *testing.T) {
	p := filepath.Join(t.TempDir(), "script")
	require.NoError(t, os.WriteFile(p, []byte("#!/bin/sh\n"), 0o755))
	assert.False(t, IsStatic(p))
}
