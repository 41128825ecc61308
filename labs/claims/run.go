package claims

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/baselab/baselab/harness/record"
	"github.com/baselab/baselab/labs"
	"github.com/spf13/pflag"
)

// Job is one lab run a claims file needs: a lab, its flags, and the variants
// to run (Only; nil runs every variant).
type Job struct {
	Lab   string
	Flags map[string]string
	Only  []string
}

func (j Job) String() string {
	s := j.Lab
	if len(j.Only) > 0 {
		s += " (" + strings.Join(j.Only, ", ") + ")"
	} else {
		s += " (every variant)"
	}
	if len(j.Flags) > 0 {
		s += " " + flagText(j.Flags)
	}
	return s
}

func flagText(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("--%s=%q", k, m[k])
	}
	return strings.Join(parts, " ")
}

// Plan lists the lab runs f needs: one per lab and set of flags, limited to
// the variants its claims (and their baselines) name. A claim without a
// variant needs the whole lab.
func Plan(f *File) []Job {
	var jobs []Job
	all := map[int]bool{}
	add := func(c Cell) {
		fl := c.labFlags()
		key := c.Lab + " " + flagText(fl)
		for i := range jobs {
			if jobs[i].Lab+" "+flagText(jobs[i].Flags) == key {
				if c.Variant == "" {
					all[i] = true
				} else if !contains(jobs[i].Only, c.Variant) {
					jobs[i].Only = append(jobs[i].Only, c.Variant)
				}
				return
			}
		}
		j := Job{Lab: c.Lab, Flags: fl}
		if c.Variant == "" {
			all[len(jobs)] = true
		} else {
			j.Only = []string{c.Variant}
		}
		jobs = append(jobs, j)
	}
	for _, c := range f.Claims {
		add(c.Cell)
		if c.Ratio() {
			add(c.baselineCell())
		}
	}
	for i := range jobs {
		if all[i] {
			jobs[i].Only = nil
		}
	}
	return jobs
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// Run runs each job once on env's engine (records go to env.Out) and
// returns every record. A lab that fails is reported and the others go on:
// its claims are then judged without data.
func Run(ctx context.Context, env *labs.Env, jobs []Job) ([]record.Record, error) {
	var all []record.Record
	var failed []string
	for _, j := range jobs {
		lab, err := labs.Get(j.Lab)
		if err != nil {
			return all, err
		}
		fs := pflag.NewFlagSet(lab.Name, pflag.ContinueOnError)
		fs.SetOutput(io.Discard)
		if lab.Flags != nil {
			lab.Flags(fs)
		}
		for k, v := range j.Flags {
			if err := fs.Set(k, v); err != nil {
				return all, fmt.Errorf("lab %s flag --%s: %w", lab.Name, k, err)
			}
		}
		e := &labs.Env{Engine: env.Engine, Catalog: env.Catalog, Out: env.Out, Progress: env.Progress, Short: env.Short, Only: j.Only}
		e.Logf("== claims: lab %s", j)
		rs, err := lab.Run(ctx, e)
		all = append(all, rs...)
		if err != nil {
			e.Logf("lab %s: %v", lab.Name, err)
			failed = append(failed, fmt.Sprintf("%s: %v", lab.Name, err))
		}
		if ctx.Err() != nil {
			return all, ctx.Err()
		}
	}
	if len(failed) > 0 {
		return all, fmt.Errorf("labs that could not finish: %s", strings.Join(failed, "; "))
	}
	return all, nil
}
