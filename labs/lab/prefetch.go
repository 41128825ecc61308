package lab

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/baselab/baselab/harness/images"
)

// Keys is what l.Images says a run of its configuration resolves for the
// variants env wants; nil when the lab does not say.
func (l Lab) Keys(env *Env) []images.Key {
	if l.Images == nil {
		return nil
	}
	return l.Images(env)
}

// Prefetch starts resolving keys (pulling or building them) all at once, in
// the background, and returns a func that stops what is still running and
// waits for it. A run calls it before its first lab: labs run one after
// another, and each used to build its images when it started, so on an
// empty engine the wheel lab's CPython for musl (the longest build) began
// only after the dns lab had finished. Now it compiles while the dns lab
// runs, and each lab waits only for its own images: the catalog resolves a
// key once per run, so a lab that asks for a key being built waits for that
// build, and one that asks for a key already built gets it at once.
//
// An error here is not reported: the lab that needs the key resolves it
// itself and reports it as its own (a failure is not cached by the
// catalog, so that lab tries once more).
func Prefetch(ctx context.Context, env *Env, keys []images.Key) (stop func()) {
	keys = uniqueKeys(keys)
	if len(keys) == 0 || env.Catalog == nil {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		start := time.Now()
		_, err := env.Catalog.EnsureAll(ctx, keys...)
		// Found at once (a warm engine) is not news; a build's end is.
		if err == nil && time.Since(start) > time.Second {
			env.Logf("images: the %d images this run needs are ready (%s after it started)", len(keys), time.Since(start).Round(time.Second))
		}
	}()
	env.Logf("images: resolving the %d images this run needs at once (%s); each lab starts when its own are ready", len(keys), joinKeys(keys))
	return func() { cancel(); wg.Wait() }
}

// uniqueKeys keeps the first of each key, in order.
func uniqueKeys(keys []images.Key) []images.Key {
	var out []images.Key
	for _, k := range keys {
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

func joinKeys(keys []images.Key) string {
	s := make([]string, len(keys))
	for i, k := range keys {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}
