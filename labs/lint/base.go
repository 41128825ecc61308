package lint

import (
	"path"
	"strings"

	"github.com/baselab/baselab/harness/images"
	"github.com/distribution/reference"
)

// Libc is the C library family of an image: what decides whether a binary
// built elsewhere runs in it.
type Libc string

const (
	Musl    Libc = "musl"
	Glibc   Libc = "glibc"
	NoLibc  Libc = "none" // scratch, distroless/static: only static programs run
	Unknown Libc = ""     // an image the linter cannot place: no rule guesses
)

// Kind is what a base brings beside its libc, as far as the rules care.
type Kind string

const (
	KindOS         Kind = "os"                // a distribution: shell, package manager, passwd
	KindScratch    Kind = "scratch"           // nothing at all
	KindDistroless Kind = "distroless"        // CA bundle, zoneinfo, passwd (root, nobody, nonroot); no shell
	KindStatic     Kind = "distroless-static" // the same, and no libc
	KindUnknown    Kind = ""
)

// distrolessUsers are the names distroless's /etc/passwd has.
var distrolessUsers = set("root", "nobody", "nonroot")

// Base is a FROM line's image as the linter understands it.
type Base struct {
	// Ref is the image after ARG substitution; "" when an ARG in it has no
	// value (Unset names them).
	Ref   string
	Unset []string
	// Stage is set when Ref names an earlier stage of the same file.
	Stage string
	// Catalog is the baselab catalog key Ref is, or whose registry image it
	// names ("python:3.11-alpine" → python-alpine).
	Catalog images.Key
	Libc    Libc
	Kind    Kind
	// How says where Libc and Kind come from, for a person.
	How string
	// Tagged and Digest describe the reference (for FROM rules); Pinnable is
	// false for what has no tag to pin (scratch, a stage, a catalog key).
	Tag, Digest string
	Pinnable    bool
	// NonRoot: the base is known to set a non-root user (distroless :nonroot).
	NonRoot bool
	// Build: the base is a compiler image (golang, gcc, rust, the catalog's
	// builder): whatever runs on it ships the toolchain.
	Build bool
}

// Known reports whether a rule may reason from this base's libc.
func (b Base) Known() bool { return b.Libc != Unknown }

// classify places an image reference (not a stage name: see parse);
// catalogKey says a catalog key is meant as one.
func classify(ref string, catalogKey bool) Base {
	b := Base{Ref: ref}
	if ref == "" {
		return b
	}
	if strings.EqualFold(ref, "scratch") {
		b.Libc, b.Kind, b.How = NoLibc, KindScratch, "the empty image"
		return b
	}
	if spec, err := images.Lookup(images.Key(ref)); err == nil && catalogKey {
		return fromCatalog(b, spec, "catalog key")
	}
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		b.How = "not an image reference"
		return b
	}
	b.Pinnable = true
	if t, ok := named.(reference.Tagged); ok {
		b.Tag = t.Tag()
	}
	if d, ok := named.(reference.Digested); ok {
		b.Digest = d.Digest().String()
	}
	repo := reference.Path(named)
	familiar := reference.FamiliarName(named)
	if spec, ok := catalogByRegistry(familiar, b.Tag); ok {
		b = fromCatalog(b, spec, "catalog image "+spec.StandinFor())
		b.Pinnable = true
		return b
	}
	name := path.Base(repo)
	tag := strings.ToLower(b.Tag)
	b.NonRoot = strings.Contains(tag, "nonroot")
	b.Build = buildImages[name]
	switch {
	case strings.Contains(repo, "distroless/static"), repo == "chainguard/static":
		b.Libc, b.Kind, b.How = NoLibc, KindStatic, "distroless static: no libc"
	case strings.Contains(repo, "distroless/"):
		b.Libc, b.Kind, b.How = Glibc, KindDistroless, "distroless on Debian: glibc"
	case name == "alpine" || strings.Contains(tag, "alpine"):
		b.Libc, b.Kind, b.How = Musl, KindOS, "Alpine: musl"
	case glibcImages[name] || b.Build:
		b.Libc, b.Kind, b.How = Glibc, KindOS, name+": glibc"
	default:
		b.How = "unknown image: its libc is not guessed"
	}
	return b
}

func fromCatalog(b Base, spec images.Spec, how string) Base {
	b.Catalog = spec.Key
	b.How = how
	switch {
	case strings.HasPrefix(spec.RegistryLibc, "musl"):
		b.Libc = Musl
	case strings.HasPrefix(spec.RegistryLibc, "glibc"):
		b.Libc = Glibc
	case spec.RegistryLibc == "none":
		b.Libc = NoLibc
	}
	b.How += " (libc " + spec.RegistryLibc + ")"
	b.Build = spec.Key == images.Builder
	switch spec.Key {
	case images.Scratch:
		b.Kind = KindScratch
	case images.DistrolessStatic:
		b.Kind = KindStatic
	case images.DistrolessBase:
		b.Kind = KindDistroless
	default:
		b.Kind = KindOS
	}
	return b
}

// catalogByRegistry finds the catalog spec whose registry image is
// name:tag ("python:3.11-alpine"), or whose stand-in name is
// (distroless/static-debian12, whatever the registry host).
func catalogByRegistry(name, tag string) (images.Spec, bool) {
	for _, k := range images.Keys() {
		spec, err := images.Lookup(k)
		if err != nil || spec.Registry == "" {
			continue
		}
		reg := spec.StandinFor()
		regName, regTag, _ := strings.Cut(reg, ":")
		if regTag == "" {
			regTag = "latest"
		}
		if tag == "" {
			tag = "latest"
		}
		if (name == regName || strings.HasSuffix(name, "/"+regName)) && tag == regTag {
			return spec, true
		}
	}
	return images.Spec{}, false
}

// Official images built on Debian or Ubuntu (or another glibc distribution)
// unless their tag says alpine.
var glibcImages = set("debian", "ubuntu", "fedora", "centos", "rockylinux", "almalinux", "amazonlinux",
	"oraclelinux", "ubi8", "ubi9", "ubi", "ubi-minimal", "python", "node", "ruby", "php", "perl", "openjdk",
	"eclipse-temurin", "amazoncorretto", "nginx", "httpd", "postgres", "redis", "mysql", "mariadb")

// Images that carry a compiler as their point.
var buildImages = set("golang", "gcc", "rust", "buildpack-deps")

func set(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}
