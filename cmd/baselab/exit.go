package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// Exit statuses of baselab (claims and lint document their own).
const (
	exitFailed = 1 // a lab, the engine or a prerequisite failed
	exitUsage  = 2 // bad input: nothing was started or written
	// exitInterrupted is the shell's 128+SIGINT: a run stopped by Ctrl-C
	// (or SIGTERM), its finished records kept.
	exitInterrupted = 130
)

// errInterrupted is a run stopped by a signal.
type errInterrupted struct{ err error }

func (e errInterrupted) Error() string { return e.err.Error() }
func (e errInterrupted) Unwrap() error { return e.err }

// usageError is bad input, found before the engine is reached.
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

func usage(err error) error {
	if err == nil {
		return nil
	}
	return usageError{err}
}

// exitCode maps a command's error to its exit status.
func exitCode(err error) int {
	var u usageError
	var in errInterrupted
	if errors.As(err, &in) {
		return exitInterrupted
	}
	// cobra's own unknown command/flag errors are bad input too.
	if errors.As(err, &u) || strings.HasPrefix(err.Error(), "unknown command") || strings.HasPrefix(err.Error(), "unknown flag") ||
		strings.HasPrefix(err.Error(), "unknown shorthand flag") {
		return exitUsage
	}
	return exitFailed
}

// checkOut refuses a results folder that could not be written, before the
// engine is reached and without creating anything: the nearest folder that
// exists must be a folder this process may write into.
func checkOut(out string) error {
	p := filepath.Clean(out)
	for {
		st, err := os.Stat(p)
		if err == nil {
			if !st.IsDir() {
				return usage(fmt.Errorf("--out %s: %s is not a folder", out, p))
			}
			if err := unix.Access(p, unix.W_OK|unix.X_OK); err != nil {
				return usage(fmt.Errorf("--out %s: cannot write in %s: %w", out, p, err))
			}
			return nil
		}
		if !errors.Is(err, os.ErrNotExist) {
			return usage(fmt.Errorf("--out %s: %w", out, err))
		}
		parent := filepath.Dir(p)
		if parent == p {
			return nil
		}
		p = parent
	}
}

// exitWith ends a command that computes its own exit status (claims,
// lint, doctor, compare: each documents what its codes mean): 0 returns to
// cobra as success, anything else exits with that code.
func exitWith(code int) error {
	if code != 0 {
		os.Exit(code)
	}
	return nil
}
