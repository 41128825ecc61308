package exercise

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/baselab/baselab/harness/engine"
	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/labs/lab"
)

// Exit statuses of `baselab exercise check`.
const (
	ExitPass     = 0 // every check passed
	ExitFail     = 1 // a check failed: the grade says which and why
	ExitBadInput = 2 // no such exercise, no PATH, a malformed hand-in: one line, before Docker
	ExitNoGrade  = 3 // the hand-in could not be graded: no engine, a lab that failed
)

// List prints one line per exercise.
func List(w io.Writer) {
	for _, e := range All() {
		fmt.Fprintf(w, "%d  %s\n", e.N, e.Title)
	}
	fmt.Fprintln(w, "\n`baselab exercise show N` says what to hand in; `baselab exercise check N PATH` grades it.")
}

// Show prints exercise n's task, hand-in and checks.
func Show(w io.Writer, n string) error {
	e, err := Get(n)
	if err != nil {
		return err
	}
	fmt.Fprintln(w, strings.TrimSpace(e.Show))
	return nil
}

// RunCheck grades the hand-in at path for exercise n and returns the exit
// status. Bad input is refused before the engine is reached.
func RunCheck(ctx context.Context, n, path string, asJSON bool, stdout, stderr io.Writer) int {
	bad := func(err error) int {
		fmt.Fprintf(stderr, "baselab exercise check: %s\n", oneLine(err.Error()))
		return ExitBadInput
	}
	e, err := Get(n)
	if err != nil {
		return bad(err)
	}
	if path == "" {
		return bad(fmt.Errorf("give the hand-in folder: baselab exercise check %d PATH (`baselab exercise show %d` says what goes in it)", e.N, e.N))
	}
	h, err := e.Load(path)
	if err != nil {
		return bad(err)
	}
	eng, err := engine.Connect(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "baselab exercise check: %v\n", err)
		return ExitNoGrade
	}
	cat, err := images.New(eng, images.Options{Progress: stderr})
	if err != nil {
		fmt.Fprintf(stderr, "baselab exercise check: %v\n", err)
		return ExitNoGrade
	}
	g, err := h.Grade(ctx, &lab.Env{Engine: eng, Catalog: cat, Progress: stderr})
	if err != nil {
		fmt.Fprintf(stderr, "baselab exercise check: could not grade %s: %v\n", path, err)
		return ExitNoGrade
	}
	if asJSON {
		if err := WriteJSON(stdout, g); err != nil {
			fmt.Fprintf(stderr, "baselab exercise check: write JSON: %v\n", err)
			return ExitNoGrade
		}
	} else {
		WriteText(stdout, g)
	}
	if !g.Pass() {
		return ExitFail
	}
	return ExitPass
}
