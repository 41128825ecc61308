package size

import "github.com/baselab/baselab/harness/images"

// What the size lab runs on a base: nothing (the base itself, as the course
// lists it), the static Go server, or the Python server.
const (
	Bare   = "base"
	Go     = "go"
	Python = "python"
)

// Outcomes of a size cell; an image that could not be built or measured is
// lab.Error.
const (
	Measured   = "measured"    // a bare base: sizes only
	Serves     = "serves"      // the app answered on every start
	NoResponse = "no-response" // at least one start never answered
)

// Variant is one cell: an app on a base, with the outcome expected.
type Variant struct {
	Name   string
	Base   images.Key
	App    string
	Expect string
}

// Variants are the cells for keys: every base bare and with the Go server
// (a static binary runs anywhere, scratch included), and the Python server on
// the two Python bases. Every app is expected to serve: a failure to answer
// is a finding, not a design.
func Variants(keys []images.Key) []Variant {
	var out []Variant
	for _, k := range keys {
		out = append(out, Variant{Name: Bare + "/" + string(k), Base: k, App: Bare, Expect: Measured})
	}
	for _, k := range keys {
		out = append(out, Variant{Name: Go + "/" + string(k), Base: k, App: Go, Expect: Serves})
	}
	for _, k := range keys {
		if k == images.PythonSlim || k == images.PythonAlpine {
			out = append(out, Variant{Name: Python + "/" + string(k), Base: k, App: Python, Expect: Serves})
		}
	}
	return out
}

// course is the course's quick-reference table (decimal megabytes, as
// `docker images` prints them). The course's "full" row is ubuntu:22.04; the
// catalog's full is Debian bookworm, so that row compares two distributions.
var course = map[images.Key]struct {
	Image string
	Bytes int64
}{
	images.Full:             {"ubuntu:22.04", 77_000_000},
	images.Slim:             {"debian:bookworm-slim", 74_000_000},
	images.Alpine:           {"alpine:3.18", 7_000_000},
	images.DistrolessStatic: {"distroless/static", 2_000_000},
	images.Scratch:          {"scratch", 0},
}

// standinNote says how a stand-in differs from the image it stands in for,
// so that no size of a stand-in is read as the real image's.
var standinNote = map[images.Key]string{
	images.Slim:             "debootstrap --variant=minbase with docs, man pages, locales and apt lists removed, the way debian:bookworm-slim is made",
	images.Full:             "debootstrap's default variant of bookworm (the course's row is ubuntu:22.04, another distribution)",
	images.Alpine:           "only Debian trixie's musl and busybox-static; alpine:3.20 also ships apk-tools, libssl3/libcrypto3, zlib, ca-certificates-bundle, alpine-baselayout, scanelf and musl-utils",
	images.DistrolessStatic: "CA bundle, zoneinfo (without right/), passwd, group, nsswitch.conf and netbase files taken from Debian's .debs, as Google's image is",
	images.DistrolessBase:   "the distroless-static stand-in plus the files of Debian's libc6 and libssl3",
	images.PythonSlim:       "slim plus Debian's python3 and python3-pip (python:3.11-slim builds CPython into /usr/local instead and needs fewer packages)",
	images.Alpine317:        "the alpine stand-in's recipe with Debian bookworm's musl 1.2.3 and busybox 1.35; alpine:3.17 also ships apk-tools, libssl3/libcrypto3, zlib, ca-certificates-bundle, alpine-baselayout, scanelf and musl-utils",
	images.PythonAlpine:     "the alpine stand-in plus CPython 3.11 built with musl-gcc into /usr/local, without pip",
}
