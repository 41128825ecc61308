// Package doctor reads a team's image — its files through the engine, its
// config — and predicts the failures the labs reproduce: which program will
// not exec, which library or symbol the loader will not find, which
// extension module Python will not import, what TLS, time zones, users,
// interpreters and DNS settings will do. Each finding names the file, the
// evidence, the face it will show at run time (the error text the labs
// record) and the lab that reproduces it. Nothing in the image runs.
package doctor

import (
	"sort"

	"github.com/baselab/baselab/labs/lab"
	"github.com/baselab/baselab/labs/scratch"
	"github.com/baselab/baselab/labs/wheel"
)

// Severity of a finding: an error is a failure the labs measured whenever
// the file is used; a warning one that depends on what the program does.
type Severity string

const (
	SevError   Severity = "error"
	SevWarning Severity = "warning"
)

// Faces: the outcome words the labs record (lab, wheel, scratch), and
// doctor's own for failures no lab measures an outcome word for.
const (
	FaceExecNotFound    = lab.ExecNotFound
	FaceModuleNotFound  = wheel.ModuleNotFound
	FaceImportError     = wheel.ImportError
	FaceSegfault        = wheel.Segfault
	FaceX509            = scratch.X509Unknown
	FaceUnknownZone     = scratch.UnknownZone
	FaceUnknownUser     = scratch.UnknownUser
	FaceLibraryNotFound = "library-not-found"
	FaceSymbolNotFound  = "symbol-not-found"
	FaceVersionNotFound = "version-not-found"
	FaceGroupZero       = "group-0"
	FaceOtherResult     = "other-result"
	FaceDNSIgnored      = "dns-option-ignored"
	FaceDNSOrder        = "dns-before-hosts"
)

// faceRank orders faces worst first: a program that cannot start, then one
// that crashes or cannot import, then one that fails a call, then quieter
// differences.
var faceRank = map[string]int{
	FaceExecNotFound: 0, FaceUnknownUser: 1, FaceLibraryNotFound: 2, FaceVersionNotFound: 3,
	FaceSymbolNotFound: 4, FaceModuleNotFound: 5, FaceImportError: 6, FaceSegfault: 7,
	FaceX509: 8, FaceUnknownZone: 9, FaceOtherResult: 10, FaceGroupZero: 11, FaceDNSIgnored: 12, FaceDNSOrder: 13,
}

// Finding is one predicted failure.
type Finding struct {
	// Check is the finding's kind, 1–10 as the checks are listed in the
	// README ("missing-loader").
	Check    string   `json:"check"`
	Severity Severity `json:"severity"`
	// Face is the outcome word (see the Face constants); Text the error
	// text the program will print, as the labs record it.
	Face string `json:"face"`
	Text string `json:"text"`
	// File is the file the finding is about ("" for the image config).
	File     string `json:"file,omitempty"`
	Evidence string `json:"evidence"`
	// Lab reproduces the face: "wheel", "scratch", "dns", or "" when none does.
	Lab string `json:"lab,omitempty"`
	// Source cites where the behaviour is defined.
	Source string `json:"source,omitempty"`
	// Confirm is what --confirm saw: "confirmed: <the line>", "not
	// confirmed: ...", "not run: <why>"; "" without --confirm.
	Confirm string `json:"confirm,omitempty"`
}

// Report is doctor's answer for one image.
type Report struct {
	Image    string    `json:"image"`
	ID       string    `json:"id"`
	Libc     string    `json:"libc"` // "glibc", "musl", "" (none)
	Files    int       `json:"files"`
	ELF      int       `json:"elf_files"`
	Findings []Finding `json:"findings"`
}

// Errors counts the error findings.
func (r *Report) Errors() int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity == SevError {
			n++
		}
	}
	return n
}

// Faces are the faces predicted with at least the given severity (an error
// includes only errors; a warning both).
func (r *Report) Faces(min Severity) map[string]bool {
	out := map[string]bool{}
	for _, f := range r.Findings {
		if min == SevWarning || f.Severity == SevError {
			out[f.Face] = true
		}
	}
	return out
}

// sortFindings groups by face, worst first, errors before warnings within
// a face, then by file.
func sortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if ra, rb := faceRank[a.Face], faceRank[b.Face]; ra != rb {
			return ra < rb
		}
		if a.Severity != b.Severity {
			return a.Severity == SevError
		}
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Evidence < b.Evidence
	})
}
