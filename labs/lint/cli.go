package lint

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/baselab/baselab/harness/record"
)

// Exit statuses of `baselab lint`.
const (
	ExitClean     = 0 // no error finding (warnings and infos may be printed)
	ExitFindings  = 1 // at least one error finding
	ExitMalformed = 2 // a Dockerfile BuildKit refuses, or a bad flag: one line says which
)

// Formats of the report on standard output.
var Formats = []string{"text", "json", "sarif"}

// Command is `baselab lint` with its flags: the CLI binds them and calls
// Run, so that everything it does is testable without the CLI.
type Command struct {
	Format    string
	JUnit     string
	Ignore    []string
	BuildArgs []string // KEY=VALUE, or KEY to take the value from the environment
	Target    string
	Context   string
	Results   string
	Rules     bool
}

// Run lints the Dockerfiles at paths ("-" is standard input) and returns
// the exit status. Problems with the command itself and malformed
// Dockerfiles are one line each on stderr.
func (c Command) Run(paths []string, stdin io.Reader, stdout, stderr io.Writer) int {
	bad := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "baselab lint: "+format+"\n", a...)
		return ExitMalformed
	}
	if c.Rules {
		WriteRules(stdout)
		return ExitClean
	}
	if c.Format == "" {
		c.Format = "text"
	}
	if !contains(Formats, c.Format) {
		return bad("--format %s: one of %s", c.Format, strings.Join(Formats, ", "))
	}
	if len(paths) == 0 {
		return bad("give a Dockerfile to read (or - for standard input); --rules lists the rules")
	}
	opts := Options{Target: c.Target, BuildArgs: map[string]string{}}
	for _, id := range c.Ignore {
		for _, one := range strings.Split(id, ",") {
			one = strings.ToUpper(strings.TrimSpace(one))
			if _, ok := RuleByID(one); !ok {
				return bad("--ignore %s: no such rule; --rules lists them", one)
			}
			opts.Ignore = append(opts.Ignore, one)
		}
	}
	for _, kv := range c.BuildArgs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			if v, ok = os.LookupEnv(k); !ok {
				continue // docker build skips a KEY=-less arg that is not in the environment too
			}
		}
		if k == "" {
			return bad("--build-arg %q: want KEY=VALUE", kv)
		}
		opts.BuildArgs[k] = v
	}
	if c.Context != "" {
		st, err := os.Stat(c.Context)
		if err != nil || !st.IsDir() {
			return bad("--context %s: not a folder", c.Context)
		}
		opts.Context = os.DirFS(c.Context)
	}
	if c.Results != "" {
		rs, err := record.Read(c.Results)
		if err != nil {
			return bad("--results %s: %v", c.Results, err)
		}
		opts.Records = rs
	}

	status := ExitClean
	var results []*Result
	for _, p := range paths {
		src, err := readSource(p, stdin)
		if err != nil {
			status = bad("%v", err)
			continue
		}
		res, err := Lint(p, src, opts)
		var pe *ParseError
		switch {
		case errors.As(err, &pe):
			fmt.Fprintln(stderr, pe.Error())
			status = ExitMalformed
			continue
		case err != nil:
			status = bad("%s: %v", p, err)
			continue
		}
		if res.Errors() > 0 && status == ExitClean {
			status = ExitFindings
		}
		results = append(results, res)
	}

	var err error
	switch c.Format {
	case "json":
		err = WriteJSON(stdout, results)
	case "sarif":
		err = WriteSARIF(stdout, results, opts.Ignore)
	default:
		WriteText(stdout, results)
	}
	if err != nil {
		return bad("write %s: %v", c.Format, err)
	}
	if c.JUnit != "" {
		if err := writeJUnitFile(c.JUnit, results, opts.Ignore); err != nil {
			return bad("--junit %s: %v", c.JUnit, err)
		}
	}
	return status
}

func readSource(p string, stdin io.Reader) ([]byte, error) {
	if p == "-" {
		b, err := io.ReadAll(stdin)
		if err != nil {
			return nil, fmt.Errorf("read standard input: %w", err)
		}
		return b, nil
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("read Dockerfile: %w", err)
	}
	return b, nil
}

func writeJUnitFile(name string, results []*Result, ignore []string) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	if err := WriteJUnit(f, results, ignore); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
