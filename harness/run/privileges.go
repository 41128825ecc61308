package run

import (
	"context"

	"github.com/baselab/baselab/harness/engine"
	"github.com/moby/moby/api/types/container"
)

// NoNewPrivileges is the security option every lab container runs with: no
// process in it gains privileges through setuid binaries or file
// capabilities.
const NoNewPrivileges = "no-new-privileges:true"

// Privileges are what a container keeps of root's powers. The zero value is
// the default of every lab container: every capability dropped,
// no-new-privileges, a writable root filesystem. A lab measures a libc, a
// resolver or a file layout, none of which needs a capability; a cell that
// does names it in CapAdd and says why beside it.
type Privileges struct {
	// CapAdd are the capabilities kept ("NET_BIND_SERVICE" ...).
	CapAdd []string
	// ReadOnly mounts the root filesystem read-only, for containers whose
	// programs write nothing (binds and the engine's /etc files stay as
	// they are).
	ReadOnly bool
}

// Apply writes p into a container's host configuration; every path that
// creates a lab container goes through it (Start, and the labs that call
// the engine's API directly).
func (p Privileges) Apply(hc *container.HostConfig) {
	hc.CapDrop = []string{"ALL"}
	hc.CapAdd = append([]string(nil), p.CapAdd...)
	hc.SecurityOpt = append(hc.SecurityOpt, NoNewPrivileges)
	hc.ReadonlyRootfs = p.ReadOnly
	hc.Privileged = false
}

// Created tells the engine's observer (a test's, see engine.Engine.Created)
// that a container exists; the container is not removed before it returns.
func Created(ctx context.Context, eng *engine.Engine, id string) {
	if eng.Created != nil && id != "" {
		eng.Created(ctx, id)
	}
}
