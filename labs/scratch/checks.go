package scratch

import (
	"encoding/json"
	"strings"
)

// check is one JSON line of the program (programs/app).
type check struct {
	Check   string  `json:"check"`
	OK      bool    `json:"ok"`
	MS      float64 `json:"ms"`
	Error   string  `json:"error"`
	UID     *int    `json:"uid"`
	GID     *int    `json:"gid"`
	Name    string  `json:"name"`
	Home    string  `json:"home"`
	Status  int     `json:"status"`
	Zone    string  `json:"zone"`
	Abbrev  string  `json:"abbrev"`
	OffsetS *int    `json:"offset_s"`
	Root    string  `json:"root"`
}

// parse reads the program's JSON lines by check name; anything else it
// printed (a runtime's exec error, a panic) is not a check.
func parse(stdout string) map[string]check {
	out := map[string]check{}
	for _, line := range strings.Split(stdout, "\n") {
		var c check
		if json.Unmarshal([]byte(strings.TrimSpace(line)), &c) == nil && c.Check != "" {
			out[c.Check] = c
		}
	}
	return out
}
