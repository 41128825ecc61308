package claims

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/harness/record"
	"github.com/baselab/baselab/labs"
	"github.com/baselab/baselab/labs/lab"
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

// Prepare binds each job's flags to a fresh copy of its lab and validates
// it, Only patterns included: a claims file that names a flag, a value or a
// variant the lab does not have is refused before any Docker call.
func Prepare(jobs []Job) ([]lab.Lab, error) {
	out := make([]lab.Lab, len(jobs))
	for i, j := range jobs {
		l, err := labs.Get(j.Lab)
		if err != nil {
			return nil, err
		}
		fs := pflag.NewFlagSet(l.Name, pflag.ContinueOnError)
		fs.SetOutput(io.Discard)
		if l.Config != nil {
			l.Config.Bind(fs)
		}
		for k, v := range j.Flags {
			if err := fs.Set(k, v); err != nil {
				return nil, fmt.Errorf("lab %s flag --%s: %w", l.Name, k, err)
			}
		}
		if err := l.Validate(j.Only); err != nil {
			return nil, err
		}
		out[i] = l
	}
	return out, nil
}

// Run runs each job once on env's engine (records go to env.Out) and
// returns every record. A lab that fails is reported and the others go on:
// its claims are then judged without data.
func Run(ctx context.Context, env *lab.Env, jobs []Job) ([]record.Record, error) {
	ls, err := Prepare(jobs)
	if err != nil {
		return nil, err
	}
	var keys []images.Key
	for i, j := range jobs {
		keys = append(keys, ls[i].Keys(env.With(j.Only))...)
	}
	stop := lab.Prefetch(ctx, env, keys)
	defer stop()
	var all []record.Record
	var failed []string
	for i, j := range jobs {
		l := ls[i]
		e := env.With(j.Only)
		e.Logf("== claims: lab %s", j)
		rs, err := l.Run(ctx, e)
		all = append(all, rs...)
		if err != nil {
			e.Logf("lab %s: %v", l.Name, err)
			failed = append(failed, fmt.Sprintf("%s: %v", l.Name, err))
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
