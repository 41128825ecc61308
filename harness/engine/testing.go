package engine

import (
	"context"
	"os"
	"testing"
)

// EnvRequireDocker, when "1", turns "Docker is not reachable" from a skip into
// a failure: CI sets it so that a broken engine cannot pass as green.
const EnvRequireDocker = "BASELAB_REQUIRE_DOCKER"

// ForTest connects to the engine for a test. Without an engine the test is
// skipped with the reason, or fails when BASELAB_REQUIRE_DOCKER=1.
// The test's containers and networks are swept by run label at cleanup, after
// the test's own t.Cleanup calls (registered later, so run earlier) have run.
func ForTest(tb testing.TB) *Engine {
	tb.Helper()
	e, err := Connect(context.Background())
	if err != nil {
		if os.Getenv(EnvRequireDocker) == "1" {
			tb.Fatalf("%v (%s=1 makes this a failure)", err, EnvRequireDocker)
		}
		tb.Skipf("skipping: %v (set %s=1 to fail instead)", err, EnvRequireDocker)
	}
	tb.Cleanup(func() {
		if _, err := e.Clean(context.Background(), CleanOptions{RunID: e.RunID}); err != nil {
			tb.Errorf("sweep run %s: %v", e.RunID, err)
		}
		_ = e.Close()
	})
	return e
}
