// Package recommend is the course's exercise 5 as a decision tree: from a
// workload's language, native dependencies, need for a shell, HTTPS, size
// priority and regulatory needs to a base image and the reasons for it.
//
// Every reason points at the evidence behind it: a claim of the shipped
// course claims file (labs/claims/course.yaml), and through it the lab and
// variant whose record verifies or refutes it. The tree follows the
// course's own (Q5 "How do you choose a base image", Q1, Q2 and the
// decision guide) except where the labs measured it wrong: the Alpine DNS
// fix (options single-request) is not offered, because musl does not read it.
package recommend

import (
	"fmt"
	"slices"
	"strings"
)

// Input describes a workload.
type Input struct {
	// Lang is the language or runtime: go, rust, c, python, node, java, php, ruby.
	Lang string
	// NativeDeps: compiled extensions or C libraries (numpy, bcrypt, PHP
	// extensions, cgo). For Go and Rust it means a dynamically linked binary.
	NativeDeps bool
	// NeedShell: people must exec into production containers to debug.
	NeedShell bool
	// HTTPS: the workload makes HTTPS calls (it needs CA certificates).
	HTTPS bool
	// Size is the size priority: low, medium (the default) or high.
	Size string
	// Regulatory: audits want a minimal, scannable surface (few packages, a
	// package inventory, no shell, a non-root user).
	Regulatory bool
}

// Langs are the languages the tree knows.
var Langs = []string{"go", "rust", "c", "python", "node", "java", "php", "ruby"}

// Sizes are the size priorities.
var Sizes = []string{"low", "medium", "high"}

// Reason is one step of the argument, with its evidence.
type Reason struct {
	Text     string
	Evidence []string // claim ids in labs/claims/course.yaml
}

// Recommendation is the tree's answer.
type Recommendation struct {
	// Image is what goes in FROM.
	Image string
	// Base is the catalog key that stands for it in the labs.
	Base    string
	Reasons []Reason
	Caveats []Reason
	// Path is the way through the tree, one step per question.
	Path []string
}

func (in Input) validate() error {
	if !slices.Contains(Langs, in.Lang) {
		return fmt.Errorf("unknown language %q: want one of %s", in.Lang, strings.Join(Langs, ", "))
	}
	if !slices.Contains(Sizes, in.Size) {
		return fmt.Errorf("unknown size priority %q: want low, medium or high", in.Size)
	}
	return nil
}

// images per family and language: what goes in FROM.
var images = map[string]map[string]string{
	"slim": {"python": "python:3.11-slim", "node": "node:20-slim", "java": "eclipse-temurin:21-jre",
		"php": "php:8.3-apache", "ruby": "ruby:3.3-slim", "go": "debian:bookworm-slim", "rust": "debian:bookworm-slim", "c": "debian:bookworm-slim"},
	"alpine": {"python": "python:3.11-alpine", "node": "node:20-alpine", "java": "eclipse-temurin:21-jre-alpine",
		"php": "php:8.3-fpm-alpine", "ruby": "ruby:3.3-alpine", "go": "alpine:3.20", "rust": "alpine:3.20", "c": "alpine:3.20"},
	"distroless": {"python": "gcr.io/distroless/python3-debian12", "node": "gcr.io/distroless/nodejs20-debian12",
		"java": "gcr.io/distroless/java21-debian12", "go": "gcr.io/distroless/static-debian12",
		"rust": "gcr.io/distroless/static-debian12", "c": "gcr.io/distroless/static-debian12"},
	"distroless-dynamic": {"go": "gcr.io/distroless/base-debian12", "rust": "gcr.io/distroless/cc-debian12", "c": "gcr.io/distroless/cc-debian12"},
}

// catalog keys that stand for each family in the labs.
func catalogKey(family, lang string) string {
	switch family {
	case "slim":
		if lang == "python" {
			return "python-slim"
		}
		return "slim"
	case "alpine":
		if lang == "python" {
			return "python-alpine"
		}
		return "alpine"
	case "distroless":
		if lang == "go" || lang == "rust" || lang == "c" {
			return "distroless-static"
		}
		return "distroless-base"
	case "distroless-dynamic":
		return "distroless-base"
	}
	return family
}

// Recommend walks the tree.
func Recommend(in Input) (Recommendation, error) {
	if in.Size == "" {
		in.Size = "medium"
	}
	if err := in.validate(); err != nil {
		return Recommendation{}, err
	}
	var r Recommendation
	step := func(s string) { r.Path = append(r.Path, s) }
	why := func(text string, claims ...string) {
		r.Reasons = append(r.Reasons, Reason{Text: text, Evidence: claims})
	}
	caveat := func(text string, claims ...string) {
		r.Caveats = append(r.Caveats, Reason{Text: text, Evidence: claims})
	}
	pick := func(family string) {
		r.Image = images[family][in.Lang]
		r.Base = catalogKey(family, in.Lang)
	}
	compiled := in.Lang == "go" || in.Lang == "rust" || in.Lang == "c"
	step("language " + in.Lang)

	switch {
	// Step 1: a static binary needs nothing from the base.
	case compiled && !in.NativeDeps:
		step("a static binary (no native dependencies)")
		why("A static binary needs no libc from the base: it runs on scratch as it is, and the base only has to bring the files it reads.",
			"scratch-static-binary-runs")
		if in.Lang == "go" {
			why("Go's own resolver (CGO_ENABLED=0) sends each query from its own port, so the parallel-query DNS delay does not touch it on any base.",
				"go-static-unaffected")
		}
		switch {
		case in.NeedShell:
			step("a shell is needed")
			if in.Size == "low" {
				pick("slim")
				why("A shell and familiar tools for debugging, glibc and apt; size is not a concern.", "slim-about-74mb")
			} else {
				pick("alpine")
				why("The smallest base with a shell (busybox): a static binary does not use musl, so Alpine's libc pitfalls do not apply to it.",
					"alpine-about-7mb", "alpine-10x-smaller-than-slim")
				caveat("Anything else you add to the image (a debugging tool, a glibc-built helper) meets musl: pre-built glibc binaries do not run there.",
					"glibc-binary-fails-on-alpine")
			}
		case in.Regulatory && in.Size != "high":
			step("regulatory needs")
			pick("distroless")
			why("distroless/static has a package database (status.d) a scanner and an SBOM can read, no shell and no package manager, and a nonroot user.",
				"distroless-no-shell", "distroless-fewer-packages-than-slim")
			why("It brings what scratch lacks — CA certificates, /etc/passwd, tzdata — so HTTPS, time zones and a named non-root user work as they are.",
				"distroless-static-has-what-scratch-lacks")
		case in.Size == "high":
			step("size priority high")
			pick("scratch")
			r.Image = "scratch"
			why("scratch is empty: no packages, nothing to scan or patch but your binary.", "scratch-nothing-inside")
			if in.Regulatory {
				why("Minimal CVEs: with no packages there is nothing for a CVE to be in; the image is only as vulnerable as your binary.", "scratch-nothing-inside")
			}
			if in.HTTPS {
				why("HTTPS needs CA certificates, which scratch does not have: COPY the bundle (/etc/ssl/certs/ca-certificates.crt) from the build stage.",
					"scratch-needs-ca-certificates", "scratch-https-with-ca-bundle")
			}
			caveat("Also copy zoneinfo (or build with -tags timetzdata / import time/tzdata) if you load named time zones.", "scratch-needs-tzdata")
			caveat("USER by name needs /etc/passwd on scratch; a numeric USER (65532) does not.", "scratch-needs-passwd-for-non-root")
			caveat("No shell: debug with a debug image in staging, or docker cp.", "distroless-no-shell")
		default:
			step("no shell needed, size priority " + in.Size)
			pick("distroless")
			why("distroless/static: CA certificates, tzdata and /etc/passwd already there, about the size of scratch plus a few hundred kB.",
				"distroless-static-has-what-scratch-lacks", "distroless-static-about-2mb")
			if in.HTTPS {
				why("HTTPS works out of the box: the CA bundle is there (scratch would need it copied in).", "scratch-needs-ca-certificates")
			}
		}

	// Step 2: native dependencies need the libc they were built for.
	case in.NativeDeps:
		step("native dependencies")
		if compiled {
			why("A dynamically linked binary needs its ELF interpreter and libc: it cannot exec on scratch, and a glibc build cannot exec on Alpine.",
				"scratch-needs-static-binary", "glibc-binary-fails-on-alpine")
		} else {
			why("Pre-built native packages (manylinux wheels, prebuilt node modules, PHP extensions) are built for glibc; on musl they are not found, fail to relocate or crash.",
				"glibc-wheels-crash-on-alpine", "glibc-wheel-can-segfault-on-alpine")
			why("The same packages work unchanged on a glibc base.", "slim-fixes-the-wheel")
		}
		switch {
		case in.Regulatory && !in.NeedShell && images["distroless"][in.Lang] != "" && !compiled:
			step("regulatory needs, no shell")
			pick("distroless")
			why("distroless runtime images are Debian (glibc) underneath, so the glibc-built packages work, with no shell or package manager.",
				"distroless-no-shell", "distroless-fewer-packages-than-slim")
		case compiled && !in.NeedShell:
			step("no shell needed")
			pick("distroless-dynamic")
			why("distroless/base (glibc, libssl) or cc (libgcc): the libraries a dynamic binary needs, without a shell or package manager.",
				"distroless-no-shell")
		default:
			if in.NeedShell {
				step("a shell is needed")
			} else {
				step("compatibility first")
			}
			pick("slim")
			why("slim: glibc, so every pre-built binary works, with apt and a shell; about 74 MB.", "slim-about-74mb")
			if in.Size == "high" {
				caveat("Alpine would be smaller, but only by building every native dependency from source on musl (slow builds, and each one a new test).",
					"musl-build-fixes-the-wheel", "alpine-10x-smaller-than-slim")
			}
		}

	// Step 3: interpreted, pure.
	default:
		step("interpreted, no native dependencies")
		switch {
		case in.Regulatory && !in.NeedShell && images["distroless"][in.Lang] != "":
			step("regulatory needs, no shell")
			pick("distroless")
			why("distroless runtime image: the interpreter and its libraries only — no shell, no package manager, a fraction of slim's packages.",
				"distroless-no-shell", "distroless-fewer-packages-than-slim")
		case in.NeedShell || in.Size == "low":
			if in.NeedShell {
				step("a shell is needed for debugging")
			} else {
				step("size priority low")
			}
			pick("slim")
			why("slim keeps a shell and familiar tools for debugging and glibc for whatever gets added later; about 74 MB.", "slim-about-74mb")
			why("glibc's resolver recovers from a lost parallel query too, but only after a full 5 s timeout, once per process: test DNS like any other dependency.",
				"glibc-sequential", "slim-no-dns-quirks")
		case in.Size == "high":
			step("size priority high")
			pick("alpine")
			why("Pure interpreted code meets no musl binary incompatibility, and Alpine is a fraction of slim's size.",
				"alpine-about-7mb", "alpine-10x-smaller-than-slim")
			caveat("musl sends A and AAAA in parallel from one port: behind a DNS server or conntrack that loses one of them, every lookup stalls 2.5 s, intermittently under load.",
				"musl-parallel", "musl-5-second-delay", "alpine-delay-intermittent-under-load")
			caveat("options single-request does NOT fix it on Alpine (musl ignores it); a shorter retry (options timeout:N attempts:M) shortens the stall, and a fixed DNS path removes it.",
				"single-request-fixes-alpine", "single-request-reopen-fixes-alpine")
			caveat("The day a native dependency arrives, it needs a musl build.", "glibc-wheels-crash-on-alpine")
		default:
			step("size priority medium")
			pick("slim")
			why("The course's default for production services: glibc compatibility, a shell, apt; Alpine's savings are not worth musl surprises at medium size priority.",
				"slim-about-74mb", "musl-parallel")
		}
	}
	if r.Image == "" {
		return r, fmt.Errorf("no image for %s in the chosen family: this is a gap in the tree", in.Lang)
	}
	step(r.Image)
	return r, nil
}

// Claims lists every claim id the tree can cite, for checking them against
// the claims file.
func (r Recommendation) Claims() []string {
	var out []string
	for _, rs := range [][]Reason{r.Reasons, r.Caveats} {
		for _, x := range rs {
			for _, c := range x.Evidence {
				if !slices.Contains(out, c) {
					out = append(out, c)
				}
			}
		}
	}
	return out
}
