package lab

import (
	"context"
	"errors"
	"sync"

	"github.com/baselab/baselab/harness/record"
)

// Select keeps the cells env wants (Only) and, under Short, drops those that
// long reports as long (a non-empty reason, e.g. "expected 25 s"), naming each
// on the progress stream: a skipped cell is never silent.
func Select[C any](env *Env, lab string, cells []C, variant func(C) string, long func(C) string) []C {
	var out []C
	for _, c := range cells {
		v := variant(c)
		if !env.Want(v) {
			continue
		}
		if env.Short && long != nil {
			if why := long(c); why != "" {
				env.Logf("%s: --short skips %s (%s)", lab, v, why)
				continue
			}
		}
		out = append(out, c)
	}
	return out
}

// InParallel calls fn(0) … fn(n-1), at most limit at a time, and waits for
// all of them. Lab cells mostly wait — on resolver timeouts, on the engine —
// so they run side by side; the limit keeps the CPU-bound ones (builds,
// exports, gzip) from crowding two cores.
func InParallel(n, limit int, fn func(i int)) {
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

// Cell is one cell's work for RunCells: its record, or the lab's own error.
type Cell[C any] func(ctx context.Context, i int, c C) (record.Record, error)

// RunCells runs cells at most limit at a time. As each completes in order —
// the cells before it done too — its record is emitted and line(i, c, r) is
// printed, so the progress stream and results.jsonl read in the lab's own
// order however the cells finish. A cell's error is the lab's, not the
// software's: the cell gets no record and the errors are returned together
// after every cell has run.
func RunCells[C any](ctx context.Context, env *Env, cells []C, limit int, run Cell[C], line func(i int, c C, r record.Record) string) ([]record.Record, error) {
	recs := make([]record.Record, len(cells))
	errs := make([]error, len(cells))
	ord := NewOrdered(len(cells), func(i int) {
		if errs[i] != nil {
			env.Logf("%v", errs[i])
			return
		}
		if err := env.Emit(recs[i]); err != nil {
			errs[i] = err
		}
		if line != nil {
			env.Logf("%s", line(i, cells[i], recs[i]))
		}
	})
	InParallel(len(cells), limit, func(i int) {
		recs[i], errs[i] = run(ctx, i, cells[i])
		ord.Done(i)
	})
	var out []record.Record
	for i := range cells {
		if errs[i] == nil {
			out = append(out, recs[i])
		}
	}
	return out, errors.Join(errs...)
}

// Ordered calls emit(i) for 0, 1, 2 … as soon as i and every index before
// it are done: cells finish in any order, a reader follows them in order.
type Ordered struct {
	mu   sync.Mutex
	next int
	done []bool
	emit func(i int)
}

// NewOrdered returns an Ordered over n indexes.
func NewOrdered(n int, emit func(i int)) *Ordered {
	return &Ordered{done: make([]bool, n), emit: emit}
}

// Done marks i done and emits what is ready.
func (o *Ordered) Done(i int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.done[i] = true
	for o.next < len(o.done) && o.done[o.next] {
		o.emit(o.next)
		o.next++
	}
}
