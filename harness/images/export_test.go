package images

import "context"

// SetPullerForTest replaces the pull door (see puller).
func (c *Catalog) SetPullerForTest(p func(ctx context.Context, ref string) error) { c.puller = p }

// CountPullsForTest wraps the pull door so that a test counts the pulls
// that really reach the engine.
func (c *Catalog) CountPullsForTest(n *int) {
	real := c.puller
	c.puller = func(ctx context.Context, ref string) error {
		*n++
		return real(ctx, ref)
	}
}
