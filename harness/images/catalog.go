// Package images is baselab's image catalog: a key names a base the way the
// course does ("slim", "alpine", "distroless-static" ...) and resolves to a
// real registry image when one can be had, or to an offline stand-in built
// here from Debian packages. BASELAB_IMAGES=auto|registry|local picks.
package images

import (
	"fmt"
	"os"
	"sort"
	"strings"
)

// Key names a base image.
type Key string

// The catalog's keys.
const (
	Slim             Key = "slim"
	Full             Key = "full"
	Alpine           Key = "alpine"
	Alpine317        Key = "alpine-3.17"
	DistrolessStatic Key = "distroless-static"
	DistrolessBase   Key = "distroless-base"
	Scratch          Key = "scratch"
	PythonSlim       Key = "python-slim"
	PythonAlpine     Key = "python-alpine"
	Builder          Key = "builder"
)

// CPythonMusl is python-alpine's CPython, built on slim alone: a part of the
// catalog, not a base of the course (Keys does not list it). It is the
// catalog's longest build, so it is an image of its own, tagged by the hash
// of its inputs like a key: it starts as soon as slim exists, side by side
// with alpine and the other stand-ins, and a change to alpine (its suite,
// its recipe) only copies it again instead of compiling it again.
const CPythonMusl Key = "cpython-musl"

// Spec says where a key's image comes from.
type Spec struct {
	Key Key
	// Registry is the image pulled in registry mode; "" when there is none
	// (builder, scratch) and the key is always built here.
	Registry string
	// RegistryLibc is the libc of the registry image.
	RegistryLibc string
	// StandinLibc is the libc of the stand-in built here.
	StandinLibc string
	// Summary says in a line what the image is, for `fixtures list`.
	Summary string

	// A stand-in is either bootstrapped on the host ...
	Bootstrap *Bootstrap
	// ... or built from a Dockerfile in fixtures/images, with the named
	// sub-folders as build context and other keys passed as build args.
	Dockerfile string
	Context    []string
	Bases      map[string]Key
	// Args are the build args besides the bases; Suites name the args that
	// are a Debian suite, with the variable that overrides the default.
	Args   map[string]string
	Suites map[string]string

	// Lacks are the properties of the registry image this stand-in does
	// not reproduce. Every stand-in reproduces its libc and that libc's
	// behaviour, the loader paths, and the files the labs read (CA bundle,
	// tzdata, passwd, shells); what it lacks is said here, so a claim on
	// it is not judged offline.
	Lacks []Property
}

// Property is something of an image a lab measures, for which a stand-in
// does or does not stand for the registry image.
type Property string

// The properties a stand-in may lack. (Libc and its behaviour, loader
// paths and the files the labs read are reproduced by every stand-in: the
// labs are built on them.)
const (
	PropSize           Property = "size"             // bytes, layers, compressed size
	PropPackageDB      Property = "package-database" // what the image's package database lists
	PropPackageManager Property = "package-manager"  // apk, apt, pip ... present or not
)

// StandinLacks is what a stand-in for this key does not reproduce; nil for
// keys that are no stand-in (scratch, builder).
func (s Spec) StandinLacks() []Property {
	if s.Registry == "" {
		return nil
	}
	return s.Lacks
}

// Bootstrap is a debootstrap run on the host, imported as the first layer.
type Bootstrap struct {
	Variant string // debootstrap --variant ("minbase"), or "default"
	Suite   string // "bookworm"
}

// distrolessRepo is where the registry's distroless images live. It is taken
// from the environment: baselab never writes a registry host into code.
const EnvDistrolessRepo = "BASELAB_DISTROLESS_REPO"

// EnvAlpineSuite is the Debian suite the alpine stand-in's musl and busybox
// come from. Its default, trixie, carries musl 1.2.5 as alpine:3.20 does; a
// later suite (or a snapshot's) is a change of configuration, not of code.
const EnvAlpineSuite = "BASELAB_ALPINE_SUITE"

var catalog = []Spec{
	{Key: Slim, Registry: "debian:bookworm-slim", RegistryLibc: "glibc-2.36", StandinLibc: "glibc-2.36",
		Summary:   "Debian bookworm, minbase, docs/man/locales/apt lists removed",
		Bootstrap: &Bootstrap{Variant: "minbase", Suite: "bookworm"},
		// debootstrap minbase, trimmed as slim is: dpkg and apt as in the real image, the bytes not
		Lacks: []Property{PropSize}},
	{Key: Full, Registry: "debian:bookworm", RegistryLibc: "glibc-2.36", StandinLibc: "glibc-2.36",
		Summary:   "Debian bookworm, debootstrap's default variant",
		Bootstrap: &Bootstrap{Variant: "default", Suite: "bookworm"},
		// debootstrap's default variant: not the same package set, so not the same bytes
		Lacks: []Property{PropSize}},
	{Key: Alpine, Registry: "alpine:3.20", RegistryLibc: "musl-1.2.5", StandinLibc: "musl-1.2.5",
		Summary:    "musl libc + static busybox (Debian trixie's) on scratch, laid out as Alpine",
		Dockerfile: "alpine.Dockerfile", Context: []string{"alpine"}, Bases: map[string]Key{"SLIM": Slim},
		Args:   map[string]string{"SUITE": "trixie", "STANDIN_FOR": "alpine:3.20"},
		Suites: map[string]string{"SUITE": EnvAlpineSuite},
		// Debian's musl and busybox only: no apk, no /lib/apk/db, none of Alpine's packages
		Lacks: []Property{PropSize, PropPackageDB, PropPackageManager}},
	// alpine-3.17 is Alpine before musl 1.2.4: no TCP retry after a truncated
	// UDP answer. Bookworm's musl is exactly that release line.
	{Key: Alpine317, Registry: "alpine:3.17", RegistryLibc: "musl-1.2.3", StandinLibc: "musl-1.2.3",
		Summary:    "musl libc + static busybox (Debian bookworm's) on scratch: Alpine before musl's TCP fallback",
		Dockerfile: "alpine.Dockerfile", Context: []string{"alpine"}, Bases: map[string]Key{"SLIM": Slim},
		Args: map[string]string{"SUITE": "bookworm", "STANDIN_FOR": "alpine:3.17"},
		// as alpine
		Lacks: []Property{PropSize, PropPackageDB, PropPackageManager}},
	{Key: DistrolessStatic, Registry: "{distroless}/static-debian12", RegistryLibc: "none", StandinLibc: "none",
		Summary:    "CA bundle, tzdata, passwd (root, nobody, nonroot 65532), no shell, no libc",
		Dockerfile: "distroless-static.Dockerfile", Context: []string{"distroless"}, Bases: map[string]Key{"SLIM": Slim},
		// files from Debian .debs, not distroless's status.d entries
		Lacks: []Property{PropSize, PropPackageDB}},
	{Key: DistrolessBase, Registry: "{distroless}/base-debian12", RegistryLibc: "glibc-2.36", StandinLibc: "glibc-2.36",
		Summary:    "distroless-static + glibc + libssl, no shell",
		Dockerfile: "distroless-base.Dockerfile", Bases: map[string]Key{"SLIM": Slim, "DISTROLESS_STATIC": DistrolessStatic},
		// as distroless-static
		Lacks: []Property{PropSize, PropPackageDB}},
	{Key: Scratch, RegistryLibc: "none", StandinLibc: "none",
		Summary:    "the empty image",
		Dockerfile: "scratch.Dockerfile"},
	{Key: PythonSlim, Registry: "python:3.11-slim", RegistryLibc: "glibc-2.36", StandinLibc: "glibc-2.36",
		Summary:    "slim + Debian's CPython 3.11 and pip",
		Dockerfile: "python-slim.Dockerfile", Bases: map[string]Key{"SLIM": Slim},
		// Debian's python3 package, where the real image builds CPython under /usr/local
		Lacks: []Property{PropSize, PropPackageDB}},
	{Key: PythonAlpine, Registry: "python:3.11-alpine", RegistryLibc: "musl-1.2.5", StandinLibc: "musl-1.2.5",
		Summary:    "alpine + CPython 3.11 built from Debian's source package with musl-gcc",
		Dockerfile: "python-alpine.Dockerfile", Bases: map[string]Key{"CPYTHON": CPythonMusl, "ALPINE": Alpine},
		// the alpine stand-in plus a CPython built here: no apk, and a
		// CPython without the modules no lab imports (python-alpine/build.sh
		// lists them), so fewer bytes than the real image
		Lacks: []Property{PropSize, PropPackageDB, PropPackageManager}},
	{Key: Builder, RegistryLibc: "glibc-2.36", StandinLibc: "glibc-2.36",
		Summary:    "slim + build-essential, musl-tools, python3-dev: compiles probes and extensions",
		Dockerfile: "builder.Dockerfile", Bases: map[string]Key{"SLIM": Slim}},
}

// parts are images the catalog builds for its keys and caches like them, but
// does not list: no lab runs on them.
var parts = []Spec{
	{Key: CPythonMusl, RegistryLibc: "none", StandinLibc: "none",
		Summary:    "python-alpine's CPython 3.11 (musl-gcc, Debian's source package) alone under /usr/local, on scratch",
		Dockerfile: "cpython-musl.Dockerfile", Context: []string{"python-alpine"}, Bases: map[string]Key{"SLIM": Slim}},
}

// BuildArgs are the spec's build args with each suite read from its
// variable when that is set.
func (s Spec) BuildArgs() map[string]string {
	if len(s.Args) == 0 {
		return nil
	}
	out := make(map[string]string, len(s.Args))
	for k, v := range s.Args {
		out[k] = v
	}
	for arg, env := range s.Suites {
		if v := strings.TrimSpace(os.Getenv(env)); v != "" {
			out[arg] = v
		}
	}
	return out
}

// StandinFor names the registry image a stand-in replaces, the way people
// write it (the distroless registry path is configuration, not code).
func (s Spec) StandinFor() string {
	return strings.ReplaceAll(s.Registry, "{distroless}/", "distroless/")
}

// Keys lists every key in catalog order.
func Keys() []Key {
	ks := make([]Key, len(catalog))
	for i, s := range catalog {
		ks[i] = s.Key
	}
	return ks
}

// Lookup returns a key's (or a part's) spec, or an error listing the known
// keys.
func Lookup(k Key) (Spec, error) {
	for _, specs := range [][]Spec{catalog, parts} {
		for _, s := range specs {
			if s.Key == k {
				return s, nil
			}
		}
	}
	known := make([]string, 0, len(catalog))
	for _, s := range catalog {
		known = append(known, string(s.Key))
	}
	sort.Strings(known)
	return Spec{}, fmt.Errorf("unknown image key %q: known keys are %s", k, strings.Join(known, ", "))
}

// ParseKeys checks a list of words against the catalog; empty means all.
func ParseKeys(words []string) ([]Key, error) {
	if len(words) == 0 {
		return Keys(), nil
	}
	ks := make([]Key, 0, len(words))
	for _, w := range words {
		s, err := Lookup(Key(w))
		if err != nil {
			return nil, err
		}
		ks = append(ks, s.Key)
	}
	return ks, nil
}
