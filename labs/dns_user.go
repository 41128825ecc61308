package labs

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/baselab/baselab/harness/run"
)

// runUserCell runs the user's own lookup command in the user's image, one
// fresh container per try. The command does not time itself, so the lookup's
// duration is taken from the server's log afterwards (see userTimings); the
// container's run time, start-up included, is kept as an upper bound.
func (l *dnsLab) runUserCell(ctx context.Context, c dnsCell, tries int) dnsCellResult {
	var res dnsCellResult
	path, err := l.resolvConf(c.options)
	if err != nil {
		res.errs = append(res.errs, err.Error())
		return res
	}
	words := strings.Fields(strings.ReplaceAll(l.userProbe, "{name}", c.name))
	for i := range tries {
		start := time.Now()
		out, err := run.Once(ctx, l.env.Engine, run.Spec{
			Image: l.user.Ref, Lab: "dns", Network: l.network.Name,
			Entrypoint: words[:1], Cmd: words[1:],
			Binds: []run.Bind{{Host: path, Container: "/etc/resolv.conf"}},
		})
		if err != nil {
			res.errs = append(res.errs, err.Error())
			continue
		}
		p := probeLine{Name: c.name, Try: i + 1, StartWallUS: start.UnixMicro(), Ms: float64(time.Since(start).Microseconds()) / 1000,
			OK: out.Started && out.ExitCode == 0, user: true}
		switch {
		case !out.Started:
			p.Err, p.Code = out.StartError, "start"
		case out.ExitCode != 0:
			p.Err, p.Code = lastLine(out.Stderr+out.Stdout), fmt.Sprintf("exit %d", out.ExitCode)
		}
		res.lookups = append(res.lookups, p)
	}
	return res
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
