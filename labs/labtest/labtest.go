// Package labtest sets labs up under `go test`: an engine (skip or fail
// without one, per BASELAB_REQUIRE_DOCKER), a catalog, progress in the test
// log, and a sweep of the test's containers and networks at cleanup.
package labtest

import (
	"strings"
	"testing"

	"github.com/baselab/baselab/harness/engine"
	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/labs/lab"
	"github.com/stretchr/testify/require"
)

// Env returns a lab environment for tb.
func Env(tb testing.TB) *lab.Env {
	tb.Helper()
	eng := engine.ForTest(tb)
	w := Log{TB: tb}
	cat, err := images.New(eng, images.Options{Progress: w})
	require.NoError(tb, err)
	return &lab.Env{Engine: eng, Catalog: cat, Progress: w, Short: testing.Short()}
}

// Log writes progress lines into the test log.
type Log struct{ TB testing.TB }

func (l Log) Write(p []byte) (int, error) {
	for _, line := range strings.Split(strings.TrimRight(string(p), "\n"), "\n") {
		l.TB.Log(line)
	}
	return len(p), nil
}
