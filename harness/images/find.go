package images

import (
	"context"
	"errors"
	"fmt"
	"sync"
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
	im = Image{Key: key, Libc: spec.StandinLibc, Standin: spec.Registry != "", StandinFor: spec.StandinFor(), StandinLacks: spec.StandinLacks()}
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
	found.Key, found.Libc, found.Standin, found.StandinFor, found.StandinLacks = key, spec.StandinLibc, im.Standin, im.StandinFor, im.StandinLacks
	return found, true, nil
}

// List finds every key (see Find), with the libc read from each built image.
// Keys are read side by side: reading a libc is a container start or two.
func (c *Catalog) List(ctx context.Context) ([]Image, error) {
	keys := Keys()
	out := make([]Image, len(keys))
	errs := make([]error, len(keys))
	var wg sync.WaitGroup
	for i, k := range keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			im, _, err := c.Find(ctx, k)
			if err == nil {
				im, err = c.withLibc(ctx, im)
			}
			out[i] = im
			if err != nil {
				errs[i] = fmt.Errorf("find %s: %w", k, err)
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}
