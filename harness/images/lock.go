package images

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// lockFile takes an exclusive flock named after ref, so that two processes
// (`go test ./...` runs packages in parallel) never build the same image at
// once. The lock dies with the process, so a killed build never wedges later
// runs.
func lockFile(ctx context.Context, ref string) (func(), error) {
	dir := filepath.Join(os.TempDir(), "baselab-locks")
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return nil, fmt.Errorf("create lock dir: %w", err)
	}
	name := filepath.Join(dir, strings.NewReplacer("/", "_", ":", "_").Replace(ref)+".lock")
	f, err := os.OpenFile(name, os.O_CREATE|os.O_RDWR, 0o666)
	if err != nil {
		return nil, fmt.Errorf("open lock %s: %w", name, err)
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN); _ = f.Close() }, nil
		}
		if err != syscall.EWOULDBLOCK {
			_ = f.Close()
			return nil, fmt.Errorf("lock %s: %w", name, err)
		}
		select {
		case <-ctx.Done():
			_ = f.Close()
			return nil, fmt.Errorf("wait for build lock %s: %w", name, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}
