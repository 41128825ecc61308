package images

import (
	"context"
	"fmt"
)

// Find resolves key to the image the catalog would use, without pulling or
// building. ok is false when it is not in the engine yet; the returned Image
// still says what it would be (ref when it can be known, libc, stand-in).
func (c *Catalog) Find(ctx context.Context, key Key) (im Image, ok bool, err error) {
	return c.find(ctx, key, c.mode)
}

// find is Find as if the catalog's mode were mode.
func (c *Catalog) find(ctx context.Context, key Key, mode Mode) (im Image, ok bool, err error) {
	spec, err := Lookup(key)
	if err != nil {
		return Image{}, false, err
	}
	if spec.Registry != "" && mode != Local {
		if ref, rerr := c.registryRef(spec); rerr == nil {
			im, ok, err := c.inspect(ctx, ref)
			if err != nil {
				return Image{}, false, err
			}
			if ok || mode == Registry {
				im.Key, im.Ref, im.Libc = key, ref, spec.RegistryLibc
				return im, ok, nil
			}
		} else if mode == Registry {
			return Image{}, false, rerr
		}
	}
	im = Image{Key: key, Libc: spec.StandinLibc, Standin: spec.Registry != "", StandinFor: spec.StandinFor()}
	bases := map[string]Image{}
	for arg, k := range spec.Bases {
		b, ok, err := c.find(ctx, k, mode)
		if err != nil || !ok {
			return im, false, err
		}
		bases[arg] = b
	}
	inputs, err := c.inputsHash(spec, bases)
	if err != nil {
		return im, false, err
	}
	im.Ref = "baselab/" + string(key) + ":" + inputs[:12]
	found, ok, err := c.inspect(ctx, im.Ref)
	if err != nil || !ok {
		return im, false, err
	}
	found.Key, found.Libc, found.Standin, found.StandinFor = key, spec.StandinLibc, im.Standin, im.StandinFor
	return found, true, nil
}

// List finds every key (see Find).
func (c *Catalog) List(ctx context.Context) ([]Image, error) {
	var out []Image
	for _, k := range Keys() {
		im, _, err := c.Find(ctx, k)
		if err != nil {
			return nil, fmt.Errorf("find %s: %w", k, err)
		}
		out = append(out, im)
	}
	return out, nil
}
