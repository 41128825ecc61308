package engine

import "github.com/containerd/errdefs"

// isNotFound reports a 404 from the engine: something already gone is not an
// error for a sweep.
func isNotFound(err error) bool { return errdefs.IsNotFound(err) }

// IsNotFound is isNotFound for other packages.
func IsNotFound(err error) bool { return errdefs.IsNotFound(err) }
