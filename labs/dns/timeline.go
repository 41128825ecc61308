package dns

import (
	"sort"
	"strconv"
	"strings"

	"github.com/baselab/baselab/dnsfaker"
)

// timelineEvent is one query of a lookup as the server saw it.
type timelineEvent struct {
	TMs       float64 `json:"t_ms"`
	Port      int     `json:"port"`
	Transport string  `json:"transport"`
	QType     string  `json:"qtype"`
	Action    string  `json:"action"`
}

// window returns the server's entries that belong to a lookup.
func window(entries []dnsfaker.Entry, p probeLine) []dnsfaker.Entry {
	from := p.StartWallUS - 2000 // the two clocks are one kernel's; 2 ms covers exec skew
	to := p.StartWallUS + int64(p.Ms*1000) + 2000
	var out []dnsfaker.Entry
	for _, e := range entries {
		if e.TimeUS >= from && e.TimeUS <= to {
			out = append(out, e)
		}
	}
	return out
}

func timeline(entries []dnsfaker.Entry, startUS int64) []timelineEvent {
	out := make([]timelineEvent, 0, len(entries))
	for _, e := range entries {
		port := 0
		if i := strings.LastIndex(e.Src, ":"); i >= 0 {
			port, _ = strconv.Atoi(e.Src[i+1:])
		}
		out = append(out, timelineEvent{TMs: float64(e.TimeUS-startUS) / 1000, Port: port,
			Transport: e.Transport, QType: e.QType, Action: string(e.Action)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].TMs < out[j].TMs })
	return out
}

func ports(entries []dnsfaker.Entry) int {
	seen := map[string]bool{}
	for _, e := range entries {
		seen[e.Transport+" "+e.Src] = true
	}
	return len(seen)
}
