package dns

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
func (rg *rig) runUserCell(ctx context.Context, c cell, tries int) result {
	var res result
	path, err := rg.writeResolvConf(c.options)
	if err != nil {
		res.errs = append(res.errs, err.Error())
		return res
	}
	words, err := splitWords(strings.ReplaceAll(rg.userProbe, "{name}", c.name))
	if err != nil {
		res.errs = append(res.errs, err.Error())
		return res
	}
	for i := range tries {
		start := time.Now()
		out, err := run.Once(ctx, rg.env.Engine, run.Spec{
			Image: rg.user.Ref, Lab: "dns", Network: rg.network.Name,
			Entrypoint: words[:1], Cmd: words[1:],
			Binds: []run.Bind{{Host: path, Container: "/etc/resolv.conf"}},
		})
		if err != nil {
			res.errs = append(res.errs, err.Error())
			continue
		}
		p := probeLine{Name: c.name, Try: i + 1, StartWallUS: start.UnixMicro(), Ms: run.Elapsed(start),
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

// splitWords splits a command line the way a shell would for the simple
// cases a --probe needs: spaces separate words, single quotes keep
// everything literally, double quotes keep spaces and honour \" and \\.
// No shell runs it: distroless and scratch images have none.
func splitWords(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch == '\'':
			end := strings.IndexByte(s[i+1:], '\'')
			if end < 0 {
				return nil, fmt.Errorf("unterminated ' in %q", s)
			}
			cur.WriteString(s[i+1 : i+1+end])
			i += end + 1
			inWord = true
		case ch == '"':
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\') {
					i++
				}
				cur.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, fmt.Errorf("unterminated \" in %q", s)
			}
			inWord = true
		case ch == ' ' || ch == '\t' || ch == '\n':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteByte(ch)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	if len(words) == 0 {
		return nil, fmt.Errorf("empty --probe")
	}
	return words, nil
}
