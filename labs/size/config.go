package size

import (
	"fmt"

	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/labs/lab"
	"github.com/spf13/pflag"
)

// DefaultRuns is the starts per app image: enough for a median and a spread
// without making the lab slow (each start is well under a second here).
const DefaultRuns = 7

// ShortRuns is the number of starts under --short.
const ShortRuns = 3

// Config is what `baselab run size` can change.
type Config struct {
	Runs  int
	Bases []string
}

// Bind binds --runs and --bases.
func (c *Config) Bind(fs *pflag.FlagSet) {
	fs.IntVar(&c.Runs, "runs", c.Runs, "container starts per app image (median and spread; --short uses 3)")
	fs.StringSliceVar(&c.Bases, "bases", c.Bases, "catalog keys to measure (default: all)")
}

// Validate refuses a base the catalog lacks and fewer than one start.
func (c *Config) Validate() error {
	if _, err := c.keys(); err != nil {
		return err
	}
	if c.Runs < 1 {
		return fmt.Errorf("--runs %d: want at least 1", c.Runs)
	}
	return nil
}

func (c *Config) keys() ([]images.Key, error) { return lab.Keys(c.Bases) }

// Variants names the cells of the configuration (none when --bases is
// wrong: Validate says why).
func (c *Config) Variants() []string {
	keys, err := c.keys()
	if err != nil {
		return nil
	}
	return lab.VariantNames(Variants(keys), func(v Variant) string { return v.Name })
}

// imageKeys are the bases of the cells env wants: what runLab resolves.
func (c *Config) imageKeys(env *lab.Env) []images.Key {
	keys, err := c.keys()
	if err != nil {
		return nil
	}
	var out []images.Key
	for _, v := range Variants(keys) {
		if env.Want(v.Name) {
			out = append(out, v.Base)
		}
	}
	return out
}
