package surface

import (
	"slices"

	"github.com/baselab/baselab/harness/images"
)

// Outcomes of a surface cell: the attack-surface class of the base. A base
// that could not be inspected is lab.Error.
const (
	ShellPM = "shell+pm" // a shell and a package manager: an intruder can install tools
	Shell   = "shell"    // a shell but no package manager
	NoShell = "no-shell" // files, but nothing to run commands with
	Empty   = "empty"    // no files at all
)

// Package databases a base can carry.
const (
	DBDpkg    = "dpkg"          // /var/lib/dpkg/status
	DBStatusD = "dpkg-status.d" // distroless: one file per package in /var/lib/dpkg/status.d
	DBApk     = "apk"           // /lib/apk/db/installed
	DBNone    = "none"
)

// Variant is one base with what its recipe (fixtures/images) says it must
// show.
type Variant struct {
	Base images.Key
	// Expect is the outcome (attack-surface class).
	Expect string
	// DB is the package database the base carries.
	DB string
}

// Name is the cell's variant name: the base's key.
func (v Variant) Name() string { return string(v.Base) }

// variants: every catalog base. The expectations follow from how each is
// made: Debian-based images carry dpkg, apt and bash; the alpine stand-in
// carries an apk database and busybox, whose dpkg and rpm applets its recipe
// removes (Alpine's busybox has none), and no apk-tools (real Alpine's
// shell+pm comes from apk) — so a shell and no package manager; distroless
// carries status.d and no shell; scratch carries nothing.
var variants = []Variant{
	{Base: images.Slim, Expect: ShellPM, DB: DBDpkg},
	{Base: images.Full, Expect: ShellPM, DB: DBDpkg},
	{Base: images.Alpine, Expect: Shell, DB: DBApk},
	{Base: images.Alpine317, Expect: Shell, DB: DBApk},
	{Base: images.DistrolessStatic, Expect: NoShell, DB: DBStatusD},
	{Base: images.DistrolessBase, Expect: NoShell, DB: DBStatusD},
	{Base: images.Scratch, Expect: Empty, DB: DBNone},
	{Base: images.PythonSlim, Expect: ShellPM, DB: DBDpkg},
	{Base: images.PythonAlpine, Expect: Shell, DB: DBApk},
	{Base: images.Builder, Expect: ShellPM, DB: DBDpkg},
}

// Variants are the lab's cells with their expected outcomes.
func Variants() []Variant { return slices.Clone(variants) }

// forKeys are the cells of keys, in the order keys name them.
func forKeys(keys []images.Key) []Variant {
	var out []Variant
	for _, k := range keys {
		for _, v := range variants {
			if v.Base == k {
				out = append(out, v)
			}
		}
	}
	return out
}
