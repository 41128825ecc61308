// Package labs holds baselab's labs. A lab is defined once, in labs/<lab>.go:
// its table of variants, each with the outcome expected, and the code that
// runs them. labs/<lab>_test.go runs the same definition under `go test` and
// asserts; `baselab run <lab>` runs it from the CLI and records the results.
package labs

import (
	"context"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/baselab/baselab/harness/engine"
	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/harness/record"
	"github.com/spf13/pflag"
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
	// these path.Match patterns ("musl/race/*"): `baselab claims` runs only
	// what its claims need.
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
		if ok, _ := path.Match(p, variant); ok || p == variant {
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

// Stamp fills a record's image evidence from a resolved image.
func Stamp(r *record.Record, im images.Image) {
	r.Base = string(im.Key)
	r.Image = im.Evidence()
	r.Standin = im.Standin
	r.Libc = im.Libc
	if r.Started.IsZero() {
		r.Started = time.Now().UTC()
	}
}

// inParallel calls fn(0) … fn(n-1), at most limit at a time, and waits for
// all of them. Lab cells mostly wait — on resolver timeouts, on the engine —
// so they run side by side; the limit keeps the CPU-bound ones (builds,
// exports, gzip) from crowding two cores.
func inParallel(n, limit int, fn func(i int)) {
	sem := make(chan struct{}, max(limit, 1))
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			fn(i)
		}()
	}
	wg.Wait()
}

// Lab is a runnable lab with its defaults.
type Lab struct {
	Name    string
	Summary string
	// Flags, when set, binds the lab's own options (`baselab run LAB --help`)
	// into the configuration Run reads; nil for a lab without options.
	Flags func(fs *pflag.FlagSet)
	// Run runs every cell of the lab's configuration (its defaults unless
	// Flags changed them), emitting records as they complete.
	Run func(ctx context.Context, env *Env) ([]record.Record, error)
}

// All returns every lab, by name. Each lab file defines a constructor;
// adding a lab is that file and one line here.
func All() []Lab {
	out := []Lab{
		DNS(),
		Scratch(),
		Size(),
		Surface(),
		Wheel(),
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Get returns a lab by name, or an error listing the labs there are.
func Get(name string) (Lab, error) {
	var names []string
	for _, l := range All() {
		if l.Name == name {
			return l, nil
		}
		names = append(names, l.Name)
	}
	return Lab{}, fmt.Errorf("unknown lab %q: the labs are %s", name, strings.Join(names, ", "))
}
