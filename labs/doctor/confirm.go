package doctor

import (
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/baselab/baselab/harness/engine"
	"github.com/baselab/baselab/harness/run"
)

// Confirm runs each error finding's face in a container of the image
// (`--confirm`) and writes what happened into the finding's Confirm: the
// program exec'd, the module imported, the container started as the image
// says. A prediction is confirmed when the run prints its face; a finding
// doctor cannot provoke on its own (a crash needs a call into the
// function; TLS and time zones need the program's own flags) says so.
func Confirm(ctx context.Context, eng *engine.Engine, r *Report) error {
	for i := range r.Findings {
		f := &r.Findings[i]
		if f.Severity != SevError {
			continue
		}
		spec, want, why := confirmSpec(r.Image, *f)
		if spec == nil {
			f.Confirm = "not run: " + why
			continue
		}
		res, err := run.Once(ctx, eng, *spec)
		if err != nil {
			return fmt.Errorf("confirm %s on %s: %w", f.Check, orConfig(f.File), err)
		}
		out := strings.TrimSpace(res.StartError + "\n" + res.Stderr + "\n" + res.Stdout)
		if want(out) {
			f.Confirm = "confirmed: " + firstLine(out, want)
		} else {
			f.Confirm = fmt.Sprintf("not confirmed: exit %d, %s", res.ExitCode, firstLine(out, nil))
		}
	}
	return nil
}

// confirmSpec is the run that shows f's face, and how to recognise it.
func confirmSpec(image string, f Finding) (*run.Spec, func(string) bool, string) {
	has := func(subs ...string) func(string) bool {
		return func(s string) bool {
			for _, sub := range subs {
				if !strings.Contains(s, sub) {
					return false
				}
			}
			return true
		}
	}
	spec := &run.Spec{Image: image, Lab: "doctor"}
	ext := isExtension(f.File)
	switch {
	case f.Face == FaceSegfault:
		return nil, nil, "a crash needs a call into the function; the wheel lab's app makes one"
	case f.Check == CheckUser || f.Check == CheckInterpreter && f.File == "":
		if f.Check == CheckUser {
			return spec, has("unable to find"), ""
		}
		return spec, run.ExecNotFound, ""
	case ext:
		mod := moduleName(f.File, strings.SplitN(path.Base(f.File), ".", 2)[0])
		spec.Entrypoint = []string{"python3", "-c", "import " + mod}
		switch f.Check {
		case CheckPython:
			return spec, has("ModuleNotFoundError"), ""
		case CheckSymbol:
			return spec, has("ImportError", "symbol not found"), ""
		default:
			return spec, has("ImportError"), ""
		}
	case f.Check == CheckLoader || f.Check == CheckInterpreter:
		spec.Entrypoint = []string{f.File}
		return spec, run.ExecNotFound, ""
	case f.Check == CheckLibrary:
		spec.Entrypoint = []string{f.File}
		return spec, func(s string) bool {
			return strings.Contains(s, "cannot open shared object file") || strings.Contains(s, "Error loading shared library")
		}, ""
	case f.Check == CheckSymbol:
		spec.Entrypoint = []string{f.File}
		return spec, func(s string) bool { return strings.Contains(s, "not found") }, ""
	}
	return nil, nil, "doctor has no run for this check"
}

func firstLine(s string, match func(string) bool) string {
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" && (match == nil || match(l)) {
			return l
		}
	}
	if match != nil {
		return firstLine(s, nil)
	}
	return "(no output)"
}
