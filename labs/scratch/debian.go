package scratch

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/baselab/baselab/harness/engine"
	"github.com/baselab/baselab/harness/rootfs"
)

const (
	bundlePath  = "/etc/ssl/certs/ca-certificates.crt"
	zoneinfoDir = "/usr/share/zoneinfo/"
)

// debian is what the lab takes from Debian's files in the distroless-static
// image: the fixes copy them, and the records say what they weigh.
type debian struct {
	bundle        []byte
	bundleCerts   int
	zoneinfoBytes int64 // regular files under /usr/share/zoneinfo
	zoneFileBytes int64 // Zone alone
}

// readDebian takes the CA bundle and measures zoneinfo in the
// distroless-static image without running it: it has no shell.
func readDebian(ctx context.Context, eng *engine.Engine, ref string) (debian, error) {
	var d debian
	root, err := rootfs.Read(ctx, eng, ref, rootfs.Options{Keep: func(p string) bool { return p == bundlePath }})
	if err != nil {
		return d, fmt.Errorf("read distroless-static: %w", err)
	}
	d.bundle, _ = root.Content(bundlePath)
	if len(d.bundle) == 0 {
		return d, fmt.Errorf("distroless-static %s has no %s", ref, bundlePath)
	}
	d.bundleCerts = bytes.Count(d.bundle, []byte("-----BEGIN CERTIFICATE-----"))
	for _, f := range root.Files {
		if f.Mode.IsRegular() && strings.HasPrefix(f.Path, zoneinfoDir) {
			d.zoneinfoBytes += f.Size
		}
	}
	// A zone may be a link to its canonical name.
	zone, ok := root.Resolve(zoneinfoDir + Zone)
	if !ok || !zone.Mode.IsRegular() || !strings.HasPrefix(zone.Path, zoneinfoDir) {
		return d, fmt.Errorf("distroless-static %s has no zoneinfo for %s", ref, Zone)
	}
	d.zoneFileBytes = zone.Size
	return d, nil
}
