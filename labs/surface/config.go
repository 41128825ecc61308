package surface

import (
	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/labs/lab"
	"github.com/spf13/pflag"
)

// Config is what `baselab run surface` can change.
type Config struct {
	Bases []string
	// SBOMDir is where the SPDX SBOMs go; empty means OUT/sbom.
	SBOMDir string
}

// Bind binds --bases and --sbom-dir.
func (c *Config) Bind(fs *pflag.FlagSet) {
	fs.StringSliceVar(&c.Bases, "bases", c.Bases, "catalog keys to inspect (default: all)")
	fs.StringVar(&c.SBOMDir, "sbom-dir", c.SBOMDir, "where the SPDX SBOMs go (default: OUT/sbom)")
}

// Validate refuses a base the catalog lacks.
func (c *Config) Validate() error {
	_, err := c.keys()
	return err
}

func (c *Config) keys() ([]images.Key, error) { return lab.Keys(c.Bases) }

// Variants names the cells of the configuration (none when --bases is
// wrong: Validate says why).
func (c *Config) Variants() []string {
	keys, err := c.keys()
	if err != nil {
		return nil
	}
	return lab.VariantNames(forKeys(keys), Variant.Name)
}

// imageKeys are the bases of the cells env wants: what runLab resolves.
func (c *Config) imageKeys(env *lab.Env) []images.Key {
	keys, err := c.keys()
	if err != nil {
		return nil
	}
	var out []images.Key
	for _, v := range forKeys(keys) {
		if env.Want(v.Name()) {
			out = append(out, v.Base)
		}
	}
	return out
}
