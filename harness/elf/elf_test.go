package elf_test

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/baselab/baselab/harness/elf"
	"github.com/baselab/baselab/harness/gobuild"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The host's own shell is a glibc program (the machine is Debian): it names
// glibc's loader, needs libc.so.6, and imports versioned symbols.
func TestAGlibcProgramNamesItsLoaderLibrariesAndVersions(t *testing.T) {
	f, err := elf.Open("/bin/sh")
	if os.IsNotExist(err) {
		t.Skip("no /bin/sh on this host")
	}
	require.NoError(t, err)
	assert.False(t, f.Static())
	assert.True(t, strings.HasPrefix(f.Interp, "/lib64/ld-linux-x86-64.so.2") || strings.HasPrefix(f.Interp, "/lib/ld-linux"), f.Interp)
	assert.Contains(t, f.Needed, "libc.so.6")
	require.NotEmpty(t, f.Imports)
	versioned := slices.IndexFunc(f.Imports, func(s elf.Symbol) bool { return strings.HasPrefix(s.Version, "GLIBC_2.") })
	require.GreaterOrEqual(t, versioned, 0, "glibc imports carry GLIBC_2.x versions")
	assert.Equal(t, f.Imports[versioned].Name+"@"+f.Imports[versioned].Version, f.Imports[versioned].String())
	assert.Equal(t, "libc.so.6", f.Imports[versioned].Library)
	assert.Contains(t, f.Describe(), "needs libc.so.6")
}

// A CGO_ENABLED=0 Go program needs nothing: no loader, no libraries.
func TestAStaticGoProgramNeedsNoLoader(t *testing.T) {
	src := fstest.MapFS{"hello/main.go": {Data: []byte("package main\n\nfunc main() { println(\"hello\") }\n")}}
	bin, err := gobuild.Source(context.Background(), src, "hello", gobuild.Options{})
	require.NoError(t, err)
	require.True(t, elf.IsELF(bin))
	f, err := elf.Parse(bin)
	require.NoError(t, err)
	assert.True(t, f.Static())
	assert.Empty(t, f.Interp)
	assert.Empty(t, f.Needed)
	assert.Empty(t, f.Imports)
	assert.Equal(t, "static (no ELF interpreter)", f.Describe())
}

// A shared library exports what others import, with addresses: two names at
// one address are one function.
func TestALibraryExportsItsSymbols(t *testing.T) {
	var path string
	for _, p := range []string{"/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/x86_64-linux-gnu/libc.so.6"} {
		if _, err := os.Stat(p); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		t.Skip("no glibc on this host")
	}
	f, err := elf.Open(path)
	require.NoError(t, err)
	printf, ok := f.Exports["printf"]
	require.True(t, ok, "libc exports printf")
	assert.NotZero(t, printf.Value)
	assert.True(t, strings.HasPrefix(printf.Version, "GLIBC_2."), printf.Version)
}

func TestNotAnELFFileIsAnError(t *testing.T) {
	assert.False(t, elf.IsELF([]byte("#!/bin/sh\n")))
	_, err := elf.Parse([]byte("#!/bin/sh\n"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "read ELF")
}
