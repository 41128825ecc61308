package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/moby/moby/client"
)

// Swept counts what Clean removed.
type Swept struct {
	Containers, Networks, Images int
}

// CleanOptions narrows a sweep.
type CleanOptions struct {
	// RunID, when set, limits the sweep to one run's objects.
	RunID string
	// Images also removes baselab-built images (stand-ins and lab images);
	// the next run rebuilds them, which takes minutes.
	Images bool
}

// Clean removes containers, networks and (optionally) images that carry
// LabelProject. Nothing without the label is touched: the engine is shared.
func (e *Engine) Clean(ctx context.Context, opts CleanOptions) (Swept, error) {
	f := client.Filters{}.Add("label", LabelProject+"="+ProjectValue)
	if opts.RunID != "" {
		f = f.Add("label", LabelRun+"="+opts.RunID)
	}
	var s Swept
	var errs []error
	cs, err := e.API.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: f})
	if err != nil {
		return s, fmt.Errorf("list containers: %w", err)
	}
	for _, c := range cs.Items {
		if _, err := e.API.ContainerRemove(ctx, c.ID, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true}); err != nil && !isNotFound(err) {
			errs = append(errs, fmt.Errorf("remove container %.12s: %w", c.ID, err))
			continue
		}
		s.Containers++
	}
	ns, err := e.API.NetworkList(ctx, client.NetworkListOptions{Filters: f})
	if err != nil {
		return s, fmt.Errorf("list networks: %w", err)
	}
	for _, n := range ns.Items {
		if _, err := e.API.NetworkRemove(ctx, n.ID, client.NetworkRemoveOptions{}); err != nil && !isNotFound(err) {
			errs = append(errs, fmt.Errorf("remove network %s: %w", n.Name, err))
			continue
		}
		s.Networks++
	}
	if opts.Images {
		n, err := e.removeImages(ctx, f)
		s.Images = n
		if err != nil {
			errs = append(errs, err)
		}
	}
	return s, errors.Join(errs...)
}

// removeImages deletes labelled images children first: a parent with a child
// cannot go, so repeat until a pass removes nothing.
func (e *Engine) removeImages(ctx context.Context, f client.Filters) (int, error) {
	removed := 0
	var lastErr error
	for pass := 0; pass < 8; pass++ {
		is, err := e.API.ImageList(ctx, client.ImageListOptions{All: true, Filters: f})
		if err != nil {
			return removed, fmt.Errorf("list images: %w", err)
		}
		if len(is.Items) == 0 {
			return removed, nil
		}
		progress := false
		lastErr = nil
		for _, im := range is.Items {
			if _, err := e.API.ImageRemove(ctx, im.ID, client.ImageRemoveOptions{Force: true, PruneChildren: true}); err != nil {
				if !isNotFound(err) {
					lastErr = fmt.Errorf("remove image %.19s: %w", im.ID, err)
				}
				continue
			}
			removed++
			progress = true
		}
		if !progress {
			break
		}
	}
	return removed, lastErr
}
