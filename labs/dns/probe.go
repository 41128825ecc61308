package dns

import (
	"bufio"
	"encoding/json"
	"fmt"
	"strings"
)

// probeLine is one lookup as the probe reports it (fixtures/probes/README.md).
type probeLine struct {
	Name        string   `json:"name"`
	Try         int      `json:"try"`
	StartWallUS int64    `json:"start_wall_us"`
	Ms          float64  `json:"ms"`
	OK          bool     `json:"ok"`
	A           int      `json:"a"`
	AAAA        int      `json:"aaaa"`
	Addrs       []string `json:"addrs"`
	Err         string   `json:"err"`
	Code        string   `json:"code"`
	Libc        string   `json:"libc"`

	// user marks a lookup by a user's own command, which reports no
	// families: it either worked or it did not. stdout is the last line it
	// printed; containerMs the container's whole run, start included;
	// startupMs the part of the command's run before its first query
	// (fromFirstQuery), which Ms no longer holds.
	user        bool
	stdout      string
	containerMs float64
	startupMs   float64
}

// class is both, a-only or fail.
func (p probeLine) class() string {
	switch {
	case !p.OK:
		return "fail"
	case p.user:
		return "ok"
	case p.A > 0 && p.AAAA > 0:
		return "both"
	case p.A > 0:
		return "a-only"
	}
	return "aaaa-only"
}

func parseProbe(out string) ([]probeLine, error) {
	var ls []probeLine
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "{") {
			continue
		}
		var p probeLine
		if err := json.Unmarshal([]byte(line), &p); err != nil {
			return ls, fmt.Errorf("parse probe line %q: %w", line, err)
		}
		ls = append(ls, p)
	}
	return ls, nil
}
