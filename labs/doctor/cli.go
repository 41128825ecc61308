package doctor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/baselab/baselab/harness/engine"
	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/labs/lab"
)

// Exit statuses of `baselab doctor` and `baselab compare`.
const (
	ExitClean    = 0 // no error finding (warnings may be printed)
	ExitFindings = 1 // an error finding (compare: one NEW has and OLD had not)
	ExitUsage    = 2 // a bad flag or argument
	ExitBadImage = 3 // an image doctor cannot judge, or no engine: one line says which
)

// Command is `baselab doctor` with its flags.
type Command struct {
	JSON    bool
	JUnit   string
	Confirm bool
	// Probe is the user's lookup command ({name} for the name): with
	// Confirm, the DNS findings run it under the DNS lab's faults.
	Probe string
}

// Run judges the images and returns the exit status.
func (c Command) Run(ctx context.Context, refs []string, stdout, stderr io.Writer) int {
	if len(refs) == 0 {
		fmt.Fprintln(stderr, "baselab doctor: give an image (name:tag or ID) the engine has")
		return ExitUsage
	}
	if c.Probe != "" {
		if !c.Confirm {
			fmt.Fprintln(stderr, "baselab doctor: --probe runs only to confirm the DNS findings: give --confirm too")
			return ExitUsage
		}
		if err := checkProbe(c.Probe, []string{dnsControl, dnsFault}); err != nil {
			fmt.Fprintf(stderr, "baselab doctor: %v\n", err)
			return ExitUsage
		}
	}
	eng, err := engine.Connect(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "baselab doctor: %v\n", err)
		return ExitBadImage
	}
	defer eng.API.Close()
	var reports []*Report
	for _, ref := range refs {
		r, err := Inspect(ctx, eng, ref)
		if err != nil {
			fmt.Fprintf(stderr, "baselab doctor: %v\n", err)
			return ExitBadImage
		}
		reports = append(reports, r)
	}
	if c.Confirm {
		// The runs need the lab's server and program images: the catalog
		// builds them (never pulls in local mode), its lines on stderr.
		cat, err := images.New(eng, images.Options{Progress: stderr})
		if err == nil {
			err = Confirm(ctx, &lab.Env{Engine: eng, Catalog: cat, Progress: stderr}, c.Probe, reports...)
		}
		if err != nil {
			fmt.Fprintf(stderr, "baselab doctor: %v\n", err)
			return ExitBadImage
		}
	}
	if c.JSON {
		if err := WriteJSON(stdout, reports...); err != nil {
			fmt.Fprintf(stderr, "baselab doctor: write json: %v\n", err)
			return ExitUsage
		}
	} else {
		WriteText(stdout, reports...)
	}
	if c.JUnit != "" {
		if err := writeFile(c.JUnit, func(w io.Writer) error { return WriteJUnit(w, "baselab doctor", reports...) }); err != nil {
			fmt.Fprintf(stderr, "baselab doctor: --junit %s: %v\n", c.JUnit, err)
			return ExitUsage
		}
	}
	for _, r := range reports {
		if r.Errors() > 0 {
			return ExitFindings
		}
	}
	return ExitClean
}

// Inspect loads ref and diagnoses it.
func Inspect(ctx context.Context, eng *engine.Engine, ref string) (*Report, error) {
	im, err := Load(ctx, eng, ref)
	if err != nil {
		if errors.Is(err, ErrBadImage) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: %v", ErrBadImage, err)
	}
	return Diagnose(im), nil
}

func writeFile(name string, write func(io.Writer) error) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
