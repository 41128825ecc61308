package images

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
)

// Needs is what resolving the catalog's images would ask of the host, found
// before anything is pulled or built: a run that cannot finish says so in
// one block up front instead of once per image per lab.
type Needs struct {
	// Bootstrap lists the keys whose stand-in would be made with
	// debootstrap: not in the engine, and (outside local mode) no registry
	// image in the engine or pullable.
	Bootstrap []Key
	// PullErrors are the pulls tried for those keys and why they failed.
	PullErrors map[Key]error
}

// Needs reports which bootstrapped stand-ins would have to be built. In auto
// mode it tries the registry image first (one pull per image; a failure is
// remembered, so the labs do not try and report it again).
func (c *Catalog) Needs(ctx context.Context) (Needs, error) {
	n := Needs{PullErrors: map[Key]error{}}
	for _, spec := range catalog {
		if spec.Bootstrap == nil {
			continue
		}
		if _, ok, err := c.Find(ctx, spec.Key); err != nil {
			if c.mode == Registry {
				n.PullErrors[spec.Key] = err
				continue
			}
			return n, err
		} else if ok {
			continue
		}
		if c.mode == Local {
			// local may still find a stand-in built earlier.
			n.Bootstrap = append(n.Bootstrap, spec.Key)
			continue
		}
		ref, err := c.registryRef(spec)
		if err == nil {
			_, err = c.fromRegistry(ctx, spec, ref)
		}
		if err == nil {
			continue
		}
		n.PullErrors[spec.Key] = err
		if c.mode == Auto {
			// auto then finds or builds the stand-in.
			if _, ok, ferr := c.findStandin(ctx, spec); ferr == nil && ok {
				continue
			}
			n.Bootstrap = append(n.Bootstrap, spec.Key)
		}
	}
	return n, nil
}

// findStandin looks for spec's stand-in whatever the mode.
func (c *Catalog) findStandin(ctx context.Context, spec Spec) (Image, bool, error) {
	return c.find(ctx, spec.Key, Local)
}

// Debootstrap reports whether this host can run debootstrap: "" when it can,
// else what to do, in one line.
func Debootstrap() string {
	_, lerr := exec.LookPath("debootstrap")
	root := os.Geteuid() == 0
	switch {
	case lerr != nil && root:
		if _, err := os.Stat("/usr/sbin/debootstrap"); err == nil {
			return "debootstrap is in /usr/sbin, which is not on PATH: add it (export PATH=$PATH:/usr/sbin)"
		}
		return "debootstrap not found: install it (apt-get install debootstrap), or set " + EnvMode + "=registry"
	case lerr != nil:
		return "debootstrap not found, and it needs root: as root, apt-get install debootstrap and run again as root (or set " + EnvMode + "=registry)"
	case !root:
		return "debootstrap needs root: run as root (or set " + EnvMode + "=registry)"
	}
	return ""
}

// errPullFailed marks a pull that failed earlier in this catalog's life: it
// is not tried or reported again.
var errPullFailed = errors.New("pull failed earlier in this run")

// pullOnce pulls ref at most once per catalog; a failure is remembered.
func (c *Catalog) pullOnce(ctx context.Context, key Key, ref string) error {
	c.mu.Lock()
	if err, ok := c.pullErrs[ref]; ok {
		c.mu.Unlock()
		return fmt.Errorf("%w: %w", errPullFailed, err)
	}
	c.mu.Unlock()
	fmt.Fprintf(c.progress, "%s: pulling %s\n", key, ref)
	err := c.puller(ctx, ref)
	if err != nil && ctx.Err() == nil {
		c.mu.Lock()
		c.pullErrs[ref] = err
		c.mu.Unlock()
	}
	return err
}
