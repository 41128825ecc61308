package wheel

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/baselab/baselab/harness/elf"
	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/harness/rootfs"
	"github.com/baselab/baselab/labs/lab"
)

// muslRuntime is what an extension can bind to in the python-alpine
// stand-in: musl's libc (which is also its loader) and the CPython
// executable (libpython linked in, exported with -export-dynamic). Reading
// it lets a record predict, from the ELF alone, what dlopen will say.
type muslRuntime struct {
	have map[string]bool
	libc elf.File
}

func readMusl(ctx context.Context, env *lab.Env) (muslRuntime, error) {
	im, err := env.Catalog.Ensure(ctx, images.PythonAlpine)
	if err != nil {
		return muslRuntime{}, err
	}
	const python = "/usr/local/bin/python3.11"
	keep := map[string]bool{python: true, muslLoader: true}
	tree, err := rootfs.Read(ctx, env.Engine, im.Ref, rootfs.Options{Keep: func(p string) bool { return keep[p] }})
	if err != nil {
		return muslRuntime{}, err
	}
	m := muslRuntime{have: map[string]bool{}}
	for p := range keep {
		data, ok := tree.Content(p)
		if !ok {
			return muslRuntime{}, fmt.Errorf("%s has no %s", im.Ref, p)
		}
		facts, err := elf.Parse(data)
		if err != nil {
			return muslRuntime{}, fmt.Errorf("%s:%s: %w", im.Ref, p, err)
		}
		for s := range facts.Exports {
			m.have[s] = true
		}
		if p == muslLoader {
			m.libc = facts
		}
	}
	return m, nil
}

// sameFunction reports whether musl exports a and b at one address: one
// function under two names (weak_alias in musl's source).
func (m muslRuntime) sameFunction(a, b string) bool {
	sa, okA := m.libc.Exports[a]
	sb, okB := m.libc.Exports[b]
	return okA && okB && sa.Value == sb.Value
}

// unresolved lists the symbols a binary needs that musl's loader will not
// find: the "Error relocating" a dlopen on python-alpine would report.
func (m muslRuntime) unresolved(f elf.File) []string {
	out := []string{}
	for _, s := range importNames(f) {
		if !m.have[s] {
			out = append(out, s)
		}
	}
	return out
}

// importNames are f's imports by name alone, sorted by name (elf.File sorts
// them by name@version, which orders "foo1" and "foo" the other way).
func importNames(f elf.File) []string {
	names := f.ImportNames()
	slices.Sort(names)
	return names
}

func imports(f elf.File) []string {
	var out []string
	for _, s := range f.Imports {
		out = append(out, s.String())
	}
	return out
}

func list(xs []string) string {
	if len(xs) == 0 {
		return "none"
	}
	return strings.Join(xs, ", ")
}
