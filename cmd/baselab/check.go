package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"strings"

	"github.com/baselab/baselab/harness/engine"
	"github.com/baselab/baselab/harness/images"
	"github.com/spf13/cobra"
)

// need is one line of the prerequisites block.
type need struct {
	name string
	// have says what was found; fix, when set, is what to do (the need is
	// then unmet).
	have, fix string
}

// errNeeds is returned when the block above it lists an unmet need: the
// block is the message, so the error line only points at it.
var errNeeds = errors.New("prerequisites missing: see above")

func newCheckCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "check",
		Short: "Check once what a run needs (engine, debootstrap, root, Go) and say what to do",
		Long: `check looks at what 'baselab run' needs before it starts anything: a Docker
engine and its API version; debootstrap and root when a stand-in must be
built from Debian packages (not when the engine has the images already, or
pulls them); Go to compile the labs' probes. It prints one block and exits 1
when something is missing. 'baselab run' does the same check first; 'make
labs' and 'make test' run .ci/prereqs before it, which installs the Debian
packages itself when it is root with apt.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			eng, _, err := preflight(cmd.Context(), cmd.ErrOrStderr())
			if eng != nil {
				eng.Close()
			}
			return err
		},
	}
}

// preflight connects to the engine, finds what the catalog would have to
// build, and prints the block. On success the engine and catalog are the
// run's (the catalog remembers the pulls it tried).
func preflight(ctx context.Context, w io.Writer) (*engine.Engine, *images.Catalog, error) {
	var needs []need
	eng, err := engine.Connect(ctx)
	var cat *images.Catalog
	if err != nil {
		needs = append(needs, need{name: "engine", have: "none", fix: oneLine(err)})
	} else {
		v, verr := eng.API.ServerVersion(ctx, struct{}{})
		needs = append(needs, need{name: "engine", have: engineLine(v.Version, v.APIVersion, verr)})
		cat, err = images.New(eng, images.Options{Progress: w})
		if err != nil {
			eng.Close()
			return nil, nil, err
		}
	}
	needs = append(needs, imageNeeds(ctx, cat)...)
	needs = append(needs, goNeed())
	if printNeeds(w, needs) {
		if eng != nil {
			eng.Close()
		}
		for _, n := range needs {
			if n.fix != "" && countUnmet(needs) == 1 {
				return nil, nil, fmt.Errorf("cannot start: %s: %s", n.name, n.fix)
			}
		}
		return nil, nil, errNeeds
	}
	return eng, cat, nil
}

func engineLine(version, api string, err error) string {
	if err != nil {
		return "answers (version unknown: " + oneLine(err) + ")"
	}
	host := os.Getenv("DOCKER_HOST")
	if host == "" {
		host = "unix:///var/run/docker.sock"
	}
	return fmt.Sprintf("docker %s, API %s, at %s", version, api, host)
}

// imageNeeds says whether debootstrap (and root) are needed, and whether
// this host has them. Without an engine it cannot know which stand-ins
// exist, so it says what it would need on an empty engine.
func imageNeeds(ctx context.Context, cat *images.Catalog) []need {
	mode, err := images.ModeFromEnv()
	if err != nil {
		return []need{{name: "images", have: "?", fix: err.Error()}}
	}
	var keys []images.Key
	pullErrs := map[images.Key]error{}
	if cat != nil {
		n, err := cat.Needs(ctx)
		if err != nil {
			return []need{{name: "images", have: "?", fix: oneLine(err)}}
		}
		keys, pullErrs = n.Bootstrap, n.PullErrors
	} else if mode != images.Registry {
		keys = []images.Key{images.Slim, images.Full}
	}
	unknown := cat == nil
	var out []need
	var failed []string
	for k, e := range pullErrs {
		failed = append(failed, fmt.Sprintf("%s (%s)", k, oneLine(e)))
	}
	sort.Strings(failed)
	switch {
	case mode == images.Registry && len(failed) > 0:
		out = append(out, need{name: "images", have: string(mode),
			fix: "pull failed: " + strings.Join(failed, "; ") + "; set BASELAB_REGISTRY_MIRROR or " + images.EnvMode + "=auto to build stand-ins"})
	case len(keys) == 0:
		out = append(out, need{name: "images", have: string(mode) + ": every base image is in the engine or pulled; debootstrap not needed"})
	default:
		names := make([]string, len(keys))
		for i, k := range keys {
			names[i] = string(k)
		}
		have := fmt.Sprintf("%s: %s stand-in(s) to build with debootstrap", mode, strings.Join(names, ", "))
		if unknown {
			have += " (on an empty engine)"
		}
		if len(failed) > 0 {
			have += " (pull failed: " + strings.Join(failed, "; ") + ")"
		}
		out = append(out, need{name: "images", have: have})
		d := need{name: "debootstrap"}
		if fix := images.Debootstrap(); fix != "" {
			d.have, d.fix = "missing", fix
		} else {
			p, _ := exec.LookPath("debootstrap")
			d.have = p + ", as root"
		}
		out = append(out, d)
	}
	return out
}

func goNeed() need {
	p, err := exec.LookPath("go")
	if err != nil {
		return need{name: "go", have: "missing", fix: "the labs compile their probes with Go: install Go " + strings.TrimPrefix(runtime.Version(), "go") + " or later and put it on PATH"}
	}
	return need{name: "go", have: p}
}

// printNeeds writes the block and reports whether a need is unmet. A run
// whose needs are all met, or that misses one thing, prints one line, not
// the block.
func printNeeds(w io.Writer, needs []need) bool {
	var unmet []need
	for _, n := range needs {
		if n.fix != "" {
			unmet = append(unmet, n)
		}
	}
	if len(unmet) == 1 {
		// One thing to do is one line: the error preflight returns.
		return true
	}
	if len(unmet) == 0 {
		parts := make([]string, len(needs))
		for i, n := range needs {
			parts[i] = n.name + " " + n.have
		}
		fmt.Fprintf(w, "baselab: ready: %s\n", strings.Join(parts, "; "))
		return false
	}
	fmt.Fprintln(w, "baselab: this run cannot start; what it needs:")
	for _, n := range needs {
		if n.fix == "" {
			fmt.Fprintf(w, "  ok       %-12s %s\n", n.name, n.have)
		} else {
			fmt.Fprintf(w, "  MISSING  %-12s %s\n", n.name, n.fix)
		}
	}
	return true
}

func countUnmet(needs []need) int {
	n := 0
	for _, x := range needs {
		if x.fix != "" {
			n++
		}
	}
	return n
}

// oneLine keeps an error to its first line.
func oneLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}
