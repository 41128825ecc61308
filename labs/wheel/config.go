package wheel

import (
	"errors"

	"github.com/spf13/pflag"
)

// Config is what `baselab run wheel` can change.
type Config struct {
	// Tries is how many times each cell's container runs: the failures are
	// deterministic, and three runs show it.
	Tries int
}

// Bind binds --tries.
func (c *Config) Bind(fs *pflag.FlagSet) {
	fs.IntVar(&c.Tries, "tries", c.Tries, "runs of each cell's container (--short: 1)")
}

// Validate refuses a run that would measure nothing.
func (c *Config) Validate() error {
	if c.Tries < 1 {
		return errors.New("--tries must be at least 1")
	}
	return nil
}

// Variants names every cell: no option of the lab changes its table.
func (c *Config) Variants() []string {
	var out []string
	for _, v := range Variants() {
		out = append(out, v.Name)
	}
	return out
}
