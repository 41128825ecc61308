// Package lab states what a baselab lab is, once for every lab: a name and a
// summary, a typed configuration that binds its flags and is validated before
// any Docker call, the variants it can run (listable without Docker), the
// record fields it writes — declared, so that claims and the report read them
// instead of keeping lists of their own — its run, and its part of the
// report. It also runs a lab's cells (see Select and RunCells): Only and
// Short applied by one rule, a bounded fan-out, records emitted and progress
// printed in the order a reader follows.
//
// A lab lives in labs/<name>/ and returns its Lab from New(); labs.All lists
// them.
package lab

import (
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/harness/record"
	"github.com/baselab/baselab/harness/report"
	"github.com/spf13/pflag"
)

// Lab is one lab.
type Lab struct {
	Name    string
	Summary string
	// Config is the lab's own configuration; nil for a lab without options.
	Config Config
	// Variants lists the variants the configuration runs, without Docker
	// (`baselab run LAB --list`); Only patterns are checked against it.
	Variants func() []string
	// Fields declares the fields the lab writes beyond the common ones.
	Fields []Field
	// Run runs the cells of the configuration (Config is validated first by
	// Validate), emitting records as they complete.
	Run func(ctx context.Context, env *Env) ([]record.Record, error)
	// Images lists the catalog keys Run resolves for the variants env
	// wants (Only), so that a run can start building every lab's images at
	// once before the first lab starts (see Prefetch). nil: the lab
	// resolves its keys as it goes, and nothing is built ahead for it.
	Images func(env *Env) []images.Key
	// Report is the lab's part of the report (its Name is the lab's).
	Report report.Lab
}

// Config is a lab's typed configuration: the values its flags set.
type Config interface {
	// Bind binds the lab's flags to the configuration.
	Bind(fs *pflag.FlagSet)
	// Validate says what is wrong with the configuration, in one line that
	// says what to do; it makes no Docker call and writes nothing.
	Validate() error
}

// Validate checks a lab's configuration and the Only patterns before
// anything starts: a wrong flag or variant is one line, before Docker is
// reached and before any results folder is made.
func (l Lab) Validate(only []string) error {
	if l.Config != nil {
		if err := l.Config.Validate(); err != nil {
			return fmt.Errorf("lab %s: %w", l.Name, err)
		}
	}
	if len(only) == 0 || l.Variants == nil {
		return nil
	}
	vs := l.Variants()
	for _, p := range only {
		if _, err := path.Match(p, ""); err != nil {
			return fmt.Errorf("lab %s: --variant %q is not a pattern: %w", l.Name, p, err)
		}
		if !anyMatch(p, vs) {
			return fmt.Errorf("lab %s has no variant %q: `baselab run %s --list` lists its %d variants", l.Name, p, l.Name, len(vs))
		}
	}
	return nil
}

// ReportLab is the lab's report part with its name filled in.
func (l Lab) ReportLab() report.Lab {
	r := l.Report
	r.Name = l.Name
	if r.Title == "" {
		r.Title = "Lab " + l.Name
	}
	if r.Intro == "" {
		r.Intro = l.Summary
	}
	return r
}

// Match is the one rule by which a pattern names variants, for every lab:
// the variant itself, or a path.Match glob ("alpine/race/*"; '*' stops at
// '/').
func Match(pattern, variant string) bool {
	if pattern == variant {
		return true
	}
	ok, _ := path.Match(pattern, variant)
	return ok
}

func anyMatch(p string, vs []string) bool {
	for _, v := range vs {
		if Match(p, v) {
			return true
		}
	}
	return false
}

// Names lists variants for an error message or a flag's help.
func Names(vs []string) string { return strings.Join(vs, ", ") }
