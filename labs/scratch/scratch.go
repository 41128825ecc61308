// Package scratch is the scratch lab: what an empty image lacks. A small Go
// program fetches a URL over HTTPS, loads a named time zone and reports its
// user; each step of the course's exercise 4 puts it in an image that lacks
// one thing (a loader, a CA bundle, zoneinfo, /etc/passwd), records the
// failure the world shows, then adds the fix and records that it works. The
// HTTPS server runs on a lab network with a certificate from a CA made for
// the run, so "trusted" means exactly "the image's bundle holds the run's CA".
package scratch

import (
	"embed"

	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/labs/lab"
)

// The lab's own outcome words; it also uses lab.Works, lab.ExecNotFound and
// lab.Unexpected (none of the failures the lab is about: a step that shows
// it shows nothing).
const (
	X509Unknown = "x509-unknown-authority"
	UnknownZone = "unknown-time-zone"
	UnknownUser = "unknown-user"
)

// What the program under test is asked for.
const (
	// Host is the HTTPS server's alias on the lab network; its certificate
	// is for this name.
	Host = "https.lab.test"
	URL  = "https://" + Host + "/"
	// Zone is the zone the program loads.
	Zone = "America/New_York"
	// ZoneAbbrev and ZoneOffsetS are what the tz database says of Zone at
	// the program's probe instant (1 July 2024, 12:00 UTC): Eastern Daylight
	// Time, UTC−4.
	ZoneAbbrev  = "EDT"
	ZoneOffsetS = -4 * 3600
)

// sources holds the programs the lab builds on the host (programs/app, the
// program under test; programs/httpsd, the lab's server) and the Dockerfile
// of each step, so that a built baselab needs no checkout.
//
//go:embed programs dockerfiles
var sources embed.FS

// New returns the scratch lab. It has no options of its own: `--variant`
// (the CLI's, for every lab) picks steps.
func New() lab.Lab {
	return lab.Lab{
		Name:     "scratch",
		Summary:  "what an empty image lacks (loader, CA bundle, zoneinfo, passwd) and the fix for each: exercise 4, step by step",
		Variants: names,
		Fields:   fields,
		Run:      runLab,
		Images:   imageKeys,
		Report:   reportLab(),
	}
}

// imageKeys are the catalog keys runLab resolves when env wants any cell:
// scratch and distroless-static, whose Debian files every cell's fix copies.
func imageKeys(env *lab.Env) []images.Key {
	for _, v := range Variants() {
		if env.Want(v.Name) {
			return []images.Key{images.Scratch, images.DistrolessStatic}
		}
	}
	return nil
}
