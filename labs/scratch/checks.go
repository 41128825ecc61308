package scratch

import (
	"encoding/json"
	"strings"
)

// Check is one JSON line of the program (programs/app).
type Check struct {
	Check  string  `json:"check"`
	OK     bool    `json:"ok"`
	MS     float64 `json:"ms"`
	Error  string  `json:"error"`
	UID    *int    `json:"uid"`
	GID    *int    `json:"gid"`
	Name   string  `json:"name"`
	Home   string  `json:"home"`
	Status int     `json:"status"`
	// Roots is how many certificates Go's crypto/x509 loaded from the
	// image's files (its system pool), -1 when the pool failed to load.
	Roots   *int   `json:"roots"`
	Zone    string `json:"zone"`
	Abbrev  string `json:"abbrev"`
	OffsetS *int   `json:"offset_s"`
	// Root is the chain check's root, when the chain verified.
	Root string `json:"root"`
}

// ParseChecks reads the program's JSON lines, as the lab does: what
// `baselab doctor --confirm` reads when it runs the program in a team's image.
func ParseChecks(stdout string) map[string]Check { return parse(stdout) }

// parse reads the program's JSON lines by check name; anything else it
// printed (a runtime's exec error, a panic) is not a check.
func parse(stdout string) map[string]Check {
	out := map[string]Check{}
	for _, line := range strings.Split(stdout, "\n") {
		var c Check
		if json.Unmarshal([]byte(strings.TrimSpace(line)), &c) == nil && c.Check != "" {
			out[c.Check] = c
		}
	}
	return out
}
