package dns

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/baselab/baselab/dnsfaker"
	"github.com/baselab/baselab/fixtures/probes"
	"github.com/baselab/baselab/harness/gobuild"
	"github.com/baselab/baselab/harness/run"
	"github.com/baselab/baselab/labs/lab"
)

// timerMount is where the static timer is bind-mounted into a user's image:
// a path no image has, at the root, which exists in every image (scratch
// included) so the engine can create the mount point.
const timerMount = "/.baselab-timer"

// timingTimer is what a user cell's record says in `timing`.
const timingTimer = "timer: from your command's first DNS query (as the lab's server received it) to its exit, timed by a static timer baselab bind-mounts at " + timerMount + " (monotonic clock); the time before the first query (the command's start-up) is in startup_ms, the whole run in command_ms, container start in neither"

// preflightName is the name the probe is tried on once, under fault ok,
// before the matrix: a command that cannot resolve a well-behaved answer
// tells nothing about faults.
const preflightName = "preflight.dns.test"

// buildTimer compiles the timer static and writes it into the rig's folder,
// executable, for the bind mount.
func (rg *rig) buildTimer(ctx context.Context) error {
	bin, err := gobuild.Source(ctx, probes.Sources, "timer", gobuild.Options{})
	if err != nil {
		return fmt.Errorf("build the timer: %w", err)
	}
	p := filepath.Join(rg.dir, "timer")
	if err := os.WriteFile(p, bin, 0o755); err != nil {
		return fmt.Errorf("write the timer: %w", err)
	}
	rg.timerPath = p
	return nil
}

// userRun is one run of the user's command in a fresh container.
type userRun struct {
	line        probes.TimerLine
	containerMs float64 // the container's whole run, start included
}

// runUser runs the user's command for name once, under the timer, in a
// fresh container of the user's image with the resolv.conf for options.
// An error is the lab's failure (the engine, a container that did not
// start, no timer line), never the command's.
func (rg *rig) runUser(ctx context.Context, name, options string) (userRun, error) {
	path, err := rg.writeResolvConf(options)
	if err != nil {
		return userRun{}, err
	}
	words, err := splitWords(strings.ReplaceAll(rg.userProbe, "{name}", name))
	if err != nil {
		return userRun{}, err
	}
	binds := []run.Bind{{Host: path, Container: "/etc/resolv.conf"}, {Host: rg.timerPath, Container: timerMount}}
	if rg.userHosts != "" {
		binds = append(binds, run.Bind{Host: rg.userHosts, Container: "/etc/hosts"})
	}
	start := time.Now()
	out, err := run.Once(ctx, rg.env.Engine, run.Spec{
		Image: rg.user.Ref, Lab: "dns", Network: rg.network.Name,
		Entrypoint: append([]string{timerMount, "--timeout-ms", probeTimeoutMs, "--"}, words...),
		Binds:      binds,
	})
	if err != nil {
		return userRun{}, err
	}
	if !out.Started {
		return userRun{}, fmt.Errorf("start container: %s", out.StartError)
	}
	l, err := parseTimer(out.Stdout)
	if err != nil {
		return userRun{}, fmt.Errorf("timer exit %d %s: %w; stderr: %s", out.ExitCode, out.Signal, err, lastLine(out.Stderr))
	}
	return userRun{line: l, containerMs: run.Elapsed(start)}, nil
}

// parseTimer finds the timer's line: the last line of stdout that carries
// its marker.
func parseTimer(stdout string) (probes.TimerLine, error) {
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		var l probes.TimerLine
		if json.Unmarshal([]byte(strings.TrimSpace(lines[i])), &l) == nil && l.Timer == "baselab" {
			return l, nil
		}
	}
	return probes.TimerLine{}, fmt.Errorf("no timer line in %q", stdout)
}

// fromFirstQuery times each of a user cell's lookups from its first query,
// as the server received it, to the command's exit as the timer inside the
// container measured it; own is the server's log of the cell's names. What
// comes before the first query is the command's start-up, not the lookup:
// an interpreter that compiles its modules at every start (the Python
// images ship no .pyc) took 0.7 s quiet and up to 7 s beside the rest of
// the suite, past musl's 2.5 s stall line, so that a command timed whole
// was a "stall" under fault ok. No resolver waits on a timer before its
// first query (musl res_msend.c, glibc res_send.c, Go dnsclient_unix.go
// all send first), so what is cut waited on no fault; the client's last
// wait and its exit stay in. Both clocks are one kernel's. A run with no
// query in its window (a name in /etc/hosts, a command that failed before
// asking) keeps its whole time. A first query lost before it reached the
// server (seen once, at load average 20, on the lab's own bridge) would
// start the lookup at the resend: the network's wait left out, where timed
// whole it was counted as the resolver's.
func fromFirstQuery(ls []probeLine, own []dnsfaker.Entry) {
	for i, p := range ls {
		// By name too: a cell's runs side by side overlap in time, each
		// asking its own name (runUserCell).
		w := window(ofName(own, p.Name), p)
		if len(w) == 0 {
			continue
		}
		first := w[0].TimeUS
		for _, e := range w {
			first = min(first, e.TimeUS)
		}
		if pre := float64(first-p.StartWallUS) / 1000; pre > 0 {
			// The lookup starts at its first query: its window (the
			// queries, ports and timeline the record shows) still ends
			// at the command's exit.
			ls[i].startupMs = pre
			ls[i].StartWallUS = first
			ls[i].Ms = max(p.Ms-pre, 0)
		}
	}
}

// lookup turns a timed run into the cell's lookup: the command's own time,
// its start on the wall clock (to join the server's log), ok when it exited
// 0. A command that never started is the lab's error (the preflight refuses
// such a probe), returned as such.
func (u userRun) lookup(name string, try int) (probeLine, error) {
	l := u.line
	if !l.Started {
		return probeLine{}, fmt.Errorf("the command did not run: %s", l.Error)
	}
	p := probeLine{Name: name, Try: try, StartWallUS: l.StartWallUS, Ms: l.Ms, user: true,
		OK: l.ExitCode == 0 && l.Signal == "" && !l.TimedOut, stdout: lastLine(l.StdoutTail), containerMs: u.containerMs}
	switch {
	case l.TimedOut:
		p.Code, p.Err = "TIMEOUT", "killed after "+probeTimeoutMs+" ms"
	case l.Signal != "":
		p.Code, p.Err = l.Signal, lastLine(l.StderrTail)
	case l.ExitCode != 0:
		p.Code, p.Err = fmt.Sprintf("exit %d", l.ExitCode), lastLine(l.StderrTail+"\n"+l.StdoutTail)
	}
	return p, nil
}

// runUserCell runs the user's own lookup command in the user's image, one
// fresh container per try, each timed inside the container by the timer.
// A cell whose lookups wait on a resolver timer runs its containers side by
// side, each asking its own name, their starts staggerMs apart, as the
// matrix's probe does (sideBySide): one after another, three tries of
// glibc's 15 s were 45 s of the cell. Each run is still timed inside its
// own container from its first query, so neither another container's
// start nor its own is in the lookup's time.
func (rg *rig) runUserCell(ctx context.Context, c cell, tries int) result {
	names := c.lookupNames(tries)
	lookups := make([]probeLine, tries)
	errs := make([]error, tries)
	one := func(i int, name string) {
		u, err := rg.runUser(ctx, name, c.options)
		if err == nil {
			lookups[i], err = u.lookup(name, i+1)
		}
		errs[i] = err
	}
	if len(names) > 1 {
		start := time.Now()
		lab.InParallel(tries, tries, func(i int) {
			select {
			case <-time.After(time.Until(start.Add(time.Duration(i*staggerMs) * time.Millisecond))):
			case <-ctx.Done():
				errs[i] = ctx.Err()
				return
			}
			one(i, names[i])
		})
	} else {
		for i := range tries {
			one(i, names[0])
		}
	}
	var res result
	for i, err := range errs {
		if err != nil {
			res.errs = append(res.errs, err.Error())
			continue
		}
		res.lookups = append(res.lookups, lookups[i])
	}
	return res
}

// ErrProbe is a --probe that fails in its image under fault ok: the
// command's failure, found before the cells, not the lab's.
var ErrProbe = errors.New("the probe does not work in this image")

// preflight runs the probe once against a name the server answers well. A
// command that is not in the image, or fails there, is refused before the
// matrix: every cell would measure the command's failure, not the faults.
func (rg *rig) preflight(ctx context.Context) error {
	u, err := rg.runUser(ctx, preflightName, "")
	if err != nil {
		return fmt.Errorf("dns: try the probe: %w", err)
	}
	l := u.line
	why := ""
	switch {
	case !l.Started:
		why = l.Error
	case l.TimedOut:
		why = "no answer within " + probeTimeoutMs + " ms"
	case l.Signal != "":
		why = "killed by " + l.Signal
	case l.ExitCode != 0:
		why = fmt.Sprintf("exit %d", l.ExitCode)
		if s := lastLine(l.StderrTail + "\n" + l.StdoutTail); s != "" {
			why += ": " + s
		}
	default:
		return nil
	}
	return fmt.Errorf("%w: %q under fault ok in %s: %s", ErrProbe,
		strings.ReplaceAll(rg.userProbe, "{name}", preflightName), rg.user.Ref, why)
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
