package images

import "context"

// SetPullerForTest replaces the pull door (see puller).
func (c *Catalog) SetPullerForTest(p func(ctx context.Context, ref string) error) { c.puller = p }
