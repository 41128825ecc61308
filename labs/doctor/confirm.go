package doctor

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/baselab/baselab/harness/run"
	"github.com/baselab/baselab/labs/lab"
	"github.com/baselab/baselab/labs/scratch"
)

// Where --confirm bind-mounts its files into the image's container: paths
// at the root, which exists in every image (scratch included), that no
// image has.
const (
	appMount = "/.baselab-app"
	caMount  = "/.baselab-ca.pem"
)

// Confirm runs each finding's face in a container of its image
// (`--confirm`) and writes what happened into the finding's Confirm:
//
//   - the program exec'd, the module imported (`python3 -c "import m"`), the
//     container started as the image's config says;
//   - for the CA bundle, the time zones and the numeric user, the scratch
//     lab's program (built static, so it needs nothing from the image but
//     the files its checks read) bind-mounted into the image and run as the
//     image's user with the image's Env: it makes the HTTPS call to the
//     scratch lab's server, whose certificate is from a CA made for the run,
//     trusting what Go's crypto/x509 loads from the image's files; it loads
//     a named zone from the image's zoneinfo; it reports its uid and gid.
//
// A prediction is confirmed when the run shows its face and its cause; a
// finding doctor cannot provoke on its own (a crash needs a call into the
// function) is "not run: <why>".
//
// The DNS findings need the user's lookup command (probe, {name} for the
// name; "" leaves them "not run"): it runs in the image under the DNS
// lab's faults (confirmdns.go).
func Confirm(ctx context.Context, env *lab.Env, probe string, reports ...*Report) error {
	c := &confirmer{env: env, probe: probe}
	defer c.close()
	for _, r := range reports {
		if err := c.report(ctx, r); err != nil {
			return err
		}
	}
	return nil
}

// confirmer holds what the runs share: the lab's server and program, made
// once, when a finding first needs them.
type confirmer struct {
	env    *lab.Env
	probe  string // the user's lookup command, for the DNS findings
	dir    string // the program and the CA, for bind mounts
	server *scratch.Server
	// app is the last image's program runs: one per image answers every
	// finding it can.
	app *appRuns
}

func (c *confirmer) close() {
	c.server.Close()
	if c.dir != "" {
		_ = os.RemoveAll(c.dir)
	}
}

func (c *confirmer) report(ctx context.Context, r *Report) error {
	c.app = nil
	for i := range r.Findings {
		f := &r.Findings[i]
		var err error
		switch f.Check {
		case CheckCA, CheckZone:
			f.Confirm, err = c.byProgram(ctx, r, *f)
		case CheckDNS:
			f.Confirm, err = c.byProbe(ctx, r, *f)
		case CheckUser:
			if f.Face == FaceGroupZero {
				f.Confirm, err = c.byProgram(ctx, r, *f)
				break
			}
			f.Confirm, err = c.byRun(ctx, r.Image, *f)
		default:
			f.Confirm, err = c.byRun(ctx, r.Image, *f)
		}
		if err != nil {
			return fmt.Errorf("confirm %s on %s in %s: %w", f.Check, orConfig(f.File), r.Image, err)
		}
	}
	return nil
}

// byRun provokes f by running the image (or one of its files) as is.
func (c *confirmer) byRun(ctx context.Context, image string, f Finding) (string, error) {
	spec, want, why := confirmSpec(image, f)
	if spec == nil {
		return "not run: " + why, nil
	}
	res, err := run.Once(ctx, c.env.Engine, *spec)
	if err != nil {
		return "", err
	}
	out := strings.TrimSpace(res.StartError + "\n" + res.Stderr + "\n" + res.Stdout)
	if want(out) {
		return "confirmed: " + firstLine(out, want), nil
	}
	return fmt.Sprintf("not confirmed: exit %d, %s", res.ExitCode, firstLine(out, nil)), nil
}

// confirmSpec is the run that shows f's face, and how to recognise it; nil
// and why when doctor has none.
func confirmSpec(image string, f Finding) (*run.Spec, func(string) bool, string) {
	has := func(subs ...string) func(string) bool {
		return func(s string) bool {
			for _, line := range strings.Split(s, "\n") {
				all := true
				for _, sub := range subs {
					all = all && strings.Contains(line, sub)
				}
				if all {
					return true
				}
			}
			return false
		}
	}
	spec := &run.Spec{Image: image, Lab: "doctor"}
	ext := isExtension(f.File)
	switch {
	case f.Face == FaceSegfault || f.Face == FaceOtherResult:
		return nil, nil, "it shows only when the function is called; the wheel lab's app makes the call"
	case f.Check == CheckPython && !ext:
		return nil, nil, "a wheel's tag is not loaded by itself: its extension modules are, and each has its own finding, run by import"
	case f.Check == CheckUser:
		return spec, has("unable to find"), ""
	case f.Check == CheckInterpreter && f.File == "":
		return spec, run.ExecNotFound, ""
	case ext:
		mod := moduleName(f.File, strings.SplitN(path.Base(f.File), ".", 2)[0])
		spec.Entrypoint = []string{"python3", "-c", "import " + mod}
		switch f.Check {
		case CheckPython:
			// The module's own name: a package that is not found at all
			// ("No module named 'pkg'") is another failure.
			return spec, has(f.Text), ""
		case CheckSymbol:
			return spec, has("ImportError", "symbol not found"), ""
		default:
			return spec, has("ImportError"), ""
		}
	case f.Severity != SevError:
		// A shared object no program of the image is known to load: doctor
		// does not know which program would, nor with what.
		return nil, nil, "no program of the image is known to load this file"
	case f.Check == CheckLoader || f.Check == CheckInterpreter:
		spec.Entrypoint = []string{f.File}
		return spec, run.ExecNotFound, ""
	case f.Check == CheckLibrary:
		spec.Entrypoint = []string{f.File}
		return spec, func(s string) bool {
			return has("error while loading shared libraries", "cannot open shared object file")(s) || has("Error loading shared library")(s)
		}, ""
	case f.Check == CheckSymbol:
		spec.Entrypoint = []string{f.File}
		// glibc: "version `GLIBC_2.38' not found"; musl: "Error relocating
		// …: sym: symbol not found". Not any "not found": a missing file
		// says "executable file not found", which is not this face.
		return spec, func(s string) bool { return has("version `", "' not found")(s) || has("symbol not found")(s) }, ""
	}
	return nil, nil, "doctor has no run for this check"
}

// appRuns are the scratch lab's program's lines in one image: as the image
// is, and with the lab's CA as SSL_CERT_FILE (the control of the HTTPS call).
type appRuns struct {
	image          string
	res            run.Result
	checks         map[string]scratch.Check
	control        map[string]scratch.Check
	zone           string
	https, started bool
}

// byProgram confirms a CA, time-zone or group-0 finding from the program's
// run in the image.
func (c *confirmer) byProgram(ctx context.Context, r *Report, f Finding) (string, error) {
	if f.Check == CheckCA && f.Face == FaceX509 && !strings.HasPrefix(f.Text, "x509:") {
		return "not run: the scratch lab's program trusts what Go reads; OpenSSL reads its own paths", nil
	}
	a, err := c.appIn(ctx, r)
	if err != nil {
		return "", err
	}
	if !a.started {
		return "not run: the container does not start: " + a.res.StartError, nil
	}
	if len(a.checks) == 0 {
		return fmt.Sprintf("not confirmed: the program printed nothing it checks (exit %d): %s", a.res.ExitCode,
			firstLine(a.res.Stderr+"\n"+a.res.Stdout, nil)), nil
	}
	switch f.Check {
	case CheckCA:
		h, ctl := a.checks["https"], a.control["https"]
		roots := -1
		if h.Roots != nil {
			roots = *h.Roots
		}
		switch {
		case h.OK:
			return fmt.Sprintf("not confirmed: the HTTPS call to %s worked (%d roots in the image's files)", scratch.Host, roots), nil
		case !ctl.OK:
			return "not confirmed: the call fails even trusting the lab's CA, so the failure is not the bundle's: " + ctl.Error, nil
		case roots != 0:
			return fmt.Sprintf("not confirmed: the image's files give %d roots; the call failed only because the lab's CA is private to the run: %s", roots, h.Error), nil
		case !strings.Contains(h.Error, "x509: certificate signed by unknown authority"):
			return "not confirmed: " + h.Error, nil
		}
		return fmt.Sprintf("confirmed: %s (0 roots in the image's files; with the lab's CA as SSL_CERT_FILE the same call gets %d)", h.Error, ctl.Status), nil
	case CheckZone:
		z := a.checks["tz"]
		if strings.Contains(z.Error, "unknown time zone") {
			return "confirmed: " + z.Error, nil
		}
		if z.OK && z.OffsetS != nil {
			return fmt.Sprintf("not confirmed: %s loaded (%s, %+d s)", z.Zone, z.Abbrev, *z.OffsetS), nil
		}
		return "not confirmed: " + z.Zone + ": " + z.Error, nil
	default: // group 0
		u := a.checks["user"]
		if u.UID == nil || u.GID == nil {
			return "not confirmed: the program did not report its ids", nil
		}
		name := u.Name
		if name == "" {
			name = "no name"
		}
		if *u.GID == 0 && *u.UID != 0 {
			return fmt.Sprintf("confirmed: runs as uid %d gid 0 (%s)", *u.UID, name), nil
		}
		return fmt.Sprintf("not confirmed: runs as uid %d gid %d (%s)", *u.UID, *u.GID, name), nil
	}
}

// appIn runs the program in r's image once, as the image's user with its
// Env, asking for the HTTPS call when a CA finding needs it and for the
// zone TZ names (or the scratch lab's) when a zone finding does.
func (c *confirmer) appIn(ctx context.Context, r *Report) (*appRuns, error) {
	if c.app != nil && c.app.image == r.Image {
		return c.app, nil
	}
	a := &appRuns{image: r.Image, zone: scratch.Zone}
	for _, f := range r.Findings {
		if f.Check == CheckCA {
			a.https = true
		}
		if tz, ok := strings.CutPrefix(f.Evidence, "Env TZ="); ok && f.Check == CheckZone {
			a.zone = strings.TrimPrefix(strings.SplitN(tz, ";", 2)[0], ":")
		}
	}
	if err := c.prepare(ctx, a.https); err != nil {
		return nil, err
	}
	spec := run.Spec{Image: r.Image, Lab: "doctor", Entrypoint: []string{appMount, "-tz", a.zone},
		Binds: []run.Bind{{Host: filepath.Join(c.dir, "app"), Container: appMount}}}
	if a.https {
		spec.Entrypoint = append(spec.Entrypoint, "-url", scratch.URL)
		spec.Network = c.server.Network
	}
	res, err := run.Once(ctx, c.env.Engine, spec)
	if err != nil {
		return nil, err
	}
	a.res, a.started, a.checks = res, res.Started, scratch.ParseChecks(res.Stdout)
	if a.https && a.started {
		ctl := spec
		ctl.Binds = append(append([]run.Bind{}, spec.Binds...), run.Bind{Host: filepath.Join(c.dir, "ca.pem"), Container: caMount})
		ctl.Env = map[string]string{"SSL_CERT_FILE": caMount}
		res, err := run.Once(ctx, c.env.Engine, ctl)
		if err != nil {
			return nil, err
		}
		a.control = scratch.ParseChecks(res.Stdout)
	}
	c.app = a
	return a, nil
}

// prepare builds the program (and starts the server, when https) once.
func (c *confirmer) prepare(ctx context.Context, https bool) error {
	if c.dir == "" {
		bin, err := scratch.Program(ctx)
		if err != nil {
			return err
		}
		dir, err := os.MkdirTemp("", "baselab-doctor-")
		if err != nil {
			return fmt.Errorf("make a folder for the program: %w", err)
		}
		c.dir = dir
		if err := os.WriteFile(filepath.Join(dir, "app"), bin, 0o755); err != nil {
			return fmt.Errorf("write the program: %w", err)
		}
	}
	if https && c.server == nil {
		srv, err := scratch.StartServer(ctx, c.env, "doctor")
		if err != nil {
			return err
		}
		c.server = srv
		if err := os.WriteFile(filepath.Join(c.dir, "ca.pem"), srv.CAPEM, 0o644); err != nil {
			return fmt.Errorf("write the lab's CA: %w", err)
		}
	}
	return nil
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
