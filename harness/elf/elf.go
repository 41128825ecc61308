// Package elf reads what running an ELF file takes: the program interpreter
// (the dynamic loader the kernel must find), the libraries it needs, where it
// looks for them, and the symbols it imports and exports, with their
// versions. scratch, wheel and doctor read binaries through it; one reader
// means one answer to "is this static?".
package elf

import (
	"bytes"
	delf "debug/elf"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// File is what an ELF file asks of the system that runs it.
type File struct {
	// Type is ET_EXEC or ET_DYN (executables, PIEs and shared objects).
	Type delf.Type
	// Interp is PT_INTERP, the loader the kernel runs it with; "" for a
	// static file (a Go CGO_ENABLED=0 binary, a shared object).
	Interp string
	// Needed lists DT_NEEDED, in file order.
	Needed []string
	// RunPath lists DT_RUNPATH, then DT_RPATH, split at ':'.
	RunPath []string
	// Imports are the undefined, non-weak dynamic symbols, sorted: what the
	// loader must bind or refuse to load the file. Weak ones may stay unbound.
	Imports []Symbol
	// Exports are the defined dynamic symbols, by name.
	Exports map[string]Symbol
	// Defines are the symbol versions the file defines (its SHT_GNU_verdef:
	// "GLIBC_2.36" in glibc's libc.so.6), sorted; the loader checks a
	// needed version against these, not against any one symbol.
	Defines []string
	// Requires are the versions the file needs, by library (its
	// SHT_GNU_verneed): glibc's loader refuses the file at load when one is
	// not defined, weak symbols or not (elf/dl-version.c).
	Requires map[string][]string
}

// Symbol is a dynamic symbol with its version ("GLIBC_2.34"; "" when the
// file has no version information for it).
type Symbol struct {
	Name    string
	Version string
	// Library is the file the version is required from, for imports.
	Library string
	// Value is the symbol's address, for exports: two names at one address
	// are one function (musl's strerror_r and __xpg_strerror_r).
	Value uint64
}

// String is name@version, the way readelf and the loaders print it.
func (s Symbol) String() string {
	if s.Version == "" {
		return s.Name
	}
	return s.Name + "@" + s.Version
}

// Static reports whether the file needs no dynamic loader: the property a
// scratch image demands of its program.
func (f File) Static() bool { return f.Interp == "" }

// ImportNames are the imported symbols' names, sorted.
func (f File) ImportNames() []string {
	out := make([]string, len(f.Imports))
	for i, s := range f.Imports {
		out[i] = s.Name
	}
	return out
}

// Describe says a file's linkage in one line.
func (f File) Describe() string {
	if f.Static() {
		return "static (no ELF interpreter)"
	}
	return fmt.Sprintf("dynamic: interpreter %s, needs %s", f.Interp, strings.Join(f.Needed, " "))
}

// IsELF reports whether data starts with the ELF magic number.
func IsELF(data []byte) bool { return bytes.HasPrefix(data, []byte(delf.ELFMAG)) }

// Parse reads an ELF file from memory.
func Parse(data []byte) (File, error) { return read(bytes.NewReader(data)) }

// Open reads the ELF file at path.
func Open(path string) (File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return File{}, fmt.Errorf("read ELF: %w", err)
	}
	defer fh.Close()
	return read(fh)
}

func read(r io.ReaderAt) (File, error) {
	f, err := delf.NewFile(r)
	if err != nil {
		return File{}, fmt.Errorf("read ELF: %w", err)
	}
	defer f.Close()
	out := File{Type: f.Type, Exports: map[string]Symbol{}}
	for _, p := range f.Progs {
		if p.Type == delf.PT_INTERP {
			raw, err := io.ReadAll(p.Open())
			if err != nil {
				return File{}, fmt.Errorf("read PT_INTERP: %w", err)
			}
			out.Interp = strings.TrimRight(string(raw), "\x00")
		}
	}
	if f.Section(".dynamic") == nil && dynamicProg(f) == nil {
		return out, nil // a static file has no dynamic section at all
	}
	if out.Needed, err = f.DynString(delf.DT_NEEDED); err != nil {
		return File{}, fmt.Errorf("read DT_NEEDED: %w", err)
	}
	for _, tag := range []delf.DynTag{delf.DT_RUNPATH, delf.DT_RPATH} {
		vals, err := f.DynString(tag)
		if err != nil {
			return File{}, fmt.Errorf("read %s: %w", tag, err)
		}
		for _, v := range vals {
			out.RunPath = append(out.RunPath, strings.Split(v, ":")...)
		}
	}
	if vs, err := f.DynamicVersions(); err == nil {
		for _, v := range vs {
			if v.Flags&delf.VER_FLG_BASE == 0 { // the base entry is the file's soname, not a version
				out.Defines = append(out.Defines, v.Name)
			}
		}
		sort.Strings(out.Defines)
	}
	if ns, err := f.DynamicVersionNeeds(); err == nil {
		for _, n := range ns {
			if out.Requires == nil {
				out.Requires = map[string][]string{}
			}
			for _, d := range n.Needs {
				out.Requires[n.Name] = append(out.Requires[n.Name], d.Dep)
			}
		}
	}
	syms, err := f.DynamicSymbols()
	if err != nil && !errors.Is(err, delf.ErrNoSymbols) {
		return File{}, fmt.Errorf("read dynamic symbols: %w", err)
	}
	for _, s := range syms {
		if s.Name == "" {
			continue
		}
		sym := Symbol{Name: s.Name, Version: s.Version, Library: s.Library, Value: s.Value}
		switch {
		case s.Section != delf.SHN_UNDEF:
			sym.Library = ""
			out.Exports[s.Name] = sym
		case delf.ST_BIND(s.Info) != delf.STB_WEAK:
			out.Imports = append(out.Imports, sym)
		}
	}
	sort.Slice(out.Imports, func(i, j int) bool { return out.Imports[i].String() < out.Imports[j].String() })
	return out, nil
}

func dynamicProg(f *delf.File) *delf.Prog {
	for _, p := range f.Progs {
		if p.Type == delf.PT_DYNAMIC {
			return p
		}
	}
	return nil
}
