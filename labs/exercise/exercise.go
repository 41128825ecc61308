// Package exercise is `baselab exercise`: the course's five exercises,
// graded on real containers. A learner hands in a folder (Dockerfiles,
// programs, an answer file); baselab reads it, refuses what is malformed
// before any Docker call, then builds and runs it with the labs' own
// machinery and answers check by check: what passed, what failed, the
// measurement behind each verdict and a hint naming the lab README section
// that explains it.
//
// One file per exercise (ex1_sizes.go … ex5_choose.go); what they share is
// here (the registry), in check.go (a check and a grade), dockerfile.go (a
// learner's FROM of a catalog key, built the way the labs build theirs) and
// answer.go (strict YAML answer files).
package exercise

import (
	"context"
	"fmt"
	"strconv"

	"github.com/baselab/baselab/labs/lab"
)

// Exercise is one of the course's exercises.
type Exercise struct {
	N     int
	Title string
	// Show is `baselab exercise show N`: the task in the course's words,
	// what to hand in, how it is checked. It fits one screen.
	Show string
	// Load reads and checks a hand-in folder without Docker: a malformed
	// hand-in is one line, exit 2, before anything starts.
	Load func(dir string) (HandIn, error)
}

// HandIn is a loaded hand-in, ready to grade on containers.
type HandIn interface {
	Grade(ctx context.Context, env *lab.Env) (*Grade, error)
}

// All lists the exercises in the course's order.
func All() []Exercise {
	return []Exercise{sizes(), dnsDelay(), surface(), scratchApp(), choose()}
}

// Get returns exercise n ("1" … "5"), or an error naming the ones there are.
func Get(n string) (Exercise, error) {
	i, err := strconv.Atoi(n)
	for _, e := range All() {
		if err == nil && e.N == i {
			return e, nil
		}
	}
	if n == "" {
		return Exercise{}, fmt.Errorf("give an exercise number (`baselab exercise list`)")
	}
	return Exercise{}, fmt.Errorf("no exercise %q: `baselab exercise list` lists them", n)
}
