package lab

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/baselab/baselab/harness/engine"
	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/harness/record"
)

// Env is what a lab runs with.
type Env struct {
	Engine  *engine.Engine
	Catalog *images.Catalog
	// Out receives records; nil keeps them only in the returned slice.
	Out *record.Writer
	// Progress receives a line per step and per cell; never nil.
	Progress io.Writer
	// Short skips the cells whose expected time is long, naming them.
	Short bool
	// Only, when non-empty, limits a lab to the variants matching one of
	// these patterns (see Match): `baselab claims` runs only what its claims
	// need, `baselab run LAB --variant P` what the user names.
	Only []string

	mu sync.Mutex
}

// Logf writes one progress line.
func (e *Env) Logf(format string, args ...any) {
	e.mu.Lock()
	defer e.mu.Unlock()
	fmt.Fprintf(e.Progress, format+"\n", args...)
}

// Want reports whether a lab should run a variant (see Only).
func (e *Env) Want(variant string) bool {
	if len(e.Only) == 0 {
		return true
	}
	for _, p := range e.Only {
		if Match(p, variant) {
			return true
		}
	}
	return false
}

// Emit writes a record to Out (if any).
func (e *Env) Emit(r record.Record) error {
	if e.Out == nil {
		return nil
	}
	return e.Out.Write(r)
}

// With returns a copy of e for another lab run: same engine, catalog, output
// and progress, other Only.
func (e *Env) With(only []string) *Env {
	return &Env{Engine: e.Engine, Catalog: e.Catalog, Out: e.Out, Progress: e.Progress, Short: e.Short, Only: only}
}

// Stamp fills a record's image evidence from a resolved image.
func Stamp(r *record.Record, im images.Image) {
	r.Base = string(im.Key)
	r.Image = im.Evidence()
	r.Standin = im.Standin
	r.StandinLacks = nil
	for _, p := range im.StandinLacks {
		r.StandinLacks = append(r.StandinLacks, string(p))
	}
	r.Libc = im.Libc
	if r.Started.IsZero() {
		r.Started = time.Now().UTC()
	}
}
