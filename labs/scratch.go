package labs

// The scratch lab: what an empty image lacks. A small Go program fetches a
// URL over HTTPS, loads a named time zone and reports its user; each step of
// the course's exercise 4 puts it in an image that lacks one thing (a loader,
// a CA bundle, zoneinfo, /etc/passwd), records the failure the world shows,
// then adds the fix and records that it works. The HTTPS server runs on a lab
// network with a certificate from a CA made for the run, so "trusted" means
// exactly "the image's bundle holds the run's CA".

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"debug/elf"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/big"
	"os"
	"slices"
	"strings"
	"sync"
	"testing/fstest"
	"time"

	"github.com/baselab/baselab/fixtures"
	"github.com/baselab/baselab/harness/engine"
	"github.com/baselab/baselab/harness/gobuild"
	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/harness/record"
	"github.com/baselab/baselab/harness/rootfs"
	"github.com/baselab/baselab/harness/run"
	"github.com/moby/moby/client"
	"github.com/spf13/pflag"
	tcnetwork "github.com/testcontainers/testcontainers-go/network"
)

// Outcomes of the scratch lab's steps. ScratchUnexpected is none of the
// failures the lab is about: a step that shows it shows nothing.
const (
	ScratchWorks        = "works"
	ScratchExecNotFound = "exec-not-found"
	ScratchX509Unknown  = "x509-unknown-authority"
	ScratchUnknownZone  = "unknown-time-zone"
	ScratchUnknownUser  = "unknown-user"
	ScratchUnexpected   = "unexpected"
)

// What the program under test is asked for.
const (
	// ScratchHost is the HTTPS server's alias on the lab network; its
	// certificate is for this name.
	ScratchHost = "https.lab.test"
	ScratchURL  = "https://" + ScratchHost + "/"
	// ScratchZone is the zone the program loads.
	ScratchZone = "America/New_York"
)

const (
	scratchBundlePath  = "/etc/ssl/certs/ca-certificates.crt"
	scratchZoneinfoDir = "/usr/share/zoneinfo/"
)

// scratchBinary is how the program under test is built.
type scratchBinary string

const (
	scratchStatic scratchBinary = "static"        // CGO_ENABLED=0
	scratchCgo    scratchBinary = "cgo"           // CGO_ENABLED=1: linked against glibc, with its loader as interpreter
	scratchTzdata scratchBinary = "static+tzdata" // CGO_ENABLED=0 -tags timetzdata: the tz database embedded
)

// ScratchVariant is one step of the walkthrough, with what it must show.
type ScratchVariant struct {
	Name string
	// Case says what the step shows, as a sentence.
	Case string
	Base images.Key
	// Dockerfile is in fixtures/scratch/dockerfiles.
	Dockerfile string
	Binary     scratchBinary
	// HTTPS and TZ are the checks the program is asked for (it always
	// reports its user).
	HTTPS, TZ bool
	// Bundle: the image holds the run's CA bundle, so it is built for the
	// run and removed after it.
	Bundle bool
	// Adds names what this image adds to the program alone on scratch; the
	// bytes it adds are recorded.
	Adds string

	Want string
	// WantEvidence is part of the evidence, from the source of what fails:
	// runc (exec), crypto/x509, time.LoadLocation, the engine's user lookup.
	WantEvidence string
	// For cells that run: the user the process must be.
	WantUID, WantGID int
	WantName         string
}

// ScratchZoneAbbrev and ScratchZoneOffsetS are what the tz database says of America/New_York at
// the program's probe instant (1 July 2024, 12:00 UTC): Eastern Daylight
// Time, UTC−4.
const (
	ScratchZoneAbbrev  = "EDT"
	ScratchZoneOffsetS = -4 * 3600
)

// ScratchVariants returns the walkthrough, in order: the lab's table.
func ScratchVariants() []ScratchVariant { return slices.Clone(scratchVariants) }

var scratchVariants = []ScratchVariant{
	{Name: "dynamic-binary", Case: "a cgo binary on scratch cannot exec: its ELF interpreter is not there",
		Base: images.Scratch, Dockerfile: "app-only.Dockerfile", Binary: scratchCgo,
		// runc 1.1's init reports a failed execve(2) as "exec <path>: <errno>";
		// the kernel's ENOENT names the missing interpreter's absence, not /app's.
		Want: ScratchExecNotFound, WantEvidence: "exec /app: no such file or directory"},
	{Name: "static-binary", Case: "a static binary on scratch runs, as root without a name",
		Base: images.Scratch, Dockerfile: "app-only.Dockerfile", Binary: scratchStatic,
		Want: ScratchWorks, WantUID: 0, WantGID: 0, WantName: ""},
	{Name: "no-ca-bundle", Case: "HTTPS from scratch fails: there is no CA bundle to trust",
		Base: images.Scratch, Dockerfile: "app-only.Dockerfile", Binary: scratchStatic, HTTPS: true,
		// crypto/x509: an empty pool (no file is not an error, root_unix.go)
		// gives UnknownAuthorityError, not "failed to load system roots".
		Want: ScratchX509Unknown, WantEvidence: "x509: certificate signed by unknown authority"},
	{Name: "ca-bundle-copied", Case: "HTTPS from scratch works with Debian's bundle plus the lab CA copied in",
		Base: images.Scratch, Dockerfile: "ca-bundle.Dockerfile", Binary: scratchStatic, HTTPS: true, Bundle: true,
		Adds: "CA bundle", Want: ScratchWorks, WantUID: 0, WantGID: 0},
	{Name: "no-zoneinfo", Case: "loading a named time zone on scratch fails: there is no zoneinfo",
		Base: images.Scratch, Dockerfile: "app-only.Dockerfile", Binary: scratchStatic, TZ: true,
		// time/zoneinfo_read.go: errors.New("unknown time zone " + name)
		Want: ScratchUnknownZone, WantEvidence: "unknown time zone " + ScratchZone},
	{Name: "zoneinfo-copied", Case: "the time zone loads once Debian's zoneinfo is copied in",
		Base: images.Scratch, Dockerfile: "zoneinfo.Dockerfile", Binary: scratchStatic, TZ: true,
		Adds: "/usr/share/zoneinfo", Want: ScratchWorks, WantUID: 0, WantGID: 0},
	{Name: "tzdata-embedded", Case: "the time zone loads from the binary built with time/tzdata",
		Base: images.Scratch, Dockerfile: "app-only.Dockerfile", Binary: scratchTzdata, TZ: true,
		Adds: "time/tzdata in the binary", Want: ScratchWorks, WantUID: 0, WantGID: 0},
	{Name: "user-by-name-no-passwd", Case: "USER nobody on scratch: the engine refuses to start the container",
		Base: images.Scratch, Dockerfile: "user-name.Dockerfile", Binary: scratchStatic,
		// moby/sys/user GetExecUser: "unable to find user %s: %v" with
		// ErrNoPasswdEntries, reported by the daemon at start.
		Want: ScratchUnknownUser, WantEvidence: "unable to find user nobody: no matching entries in passwd file"},
	{Name: "user-numeric", Case: "USER 65534 on scratch runs, without a name and in group 0",
		Base: images.Scratch, Dockerfile: "user-numeric.Dockerfile", Binary: scratchStatic,
		// GetExecUser keeps the default gid (0) when no passwd entry gives one.
		Want: ScratchWorks, WantUID: 65534, WantGID: 0, WantName: ""},
	{Name: "user-by-name-with-passwd", Case: "USER nobody runs once /etc/passwd has nobody",
		Base: images.Scratch, Dockerfile: "passwd.Dockerfile", Binary: scratchStatic,
		Adds: "/etc/passwd, /etc/group", Want: ScratchWorks, WantUID: 65534, WantGID: 65534, WantName: "nobody"},
	{Name: "exercise-4", Case: "scratch with the bundle, zoneinfo and passwd does all three as nobody",
		Base: images.Scratch, Dockerfile: "exercise-4.Dockerfile", Binary: scratchStatic, HTTPS: true, TZ: true, Bundle: true,
		Adds: "CA bundle, zoneinfo, passwd", Want: ScratchWorks, WantUID: 65534, WantGID: 65534, WantName: "nobody"},
	{Name: "distroless-static-private-ca-not-added", Case: "distroless/static trusts Debian's public CAs, not an organisation's own",
		Base: images.DistrolessStatic, Dockerfile: "distroless-stock.Dockerfile", Binary: scratchStatic, HTTPS: true, TZ: true,
		Adds: "distroless/static", Want: ScratchX509Unknown, WantEvidence: "x509: certificate signed by unknown authority"},
	{Name: "distroless-static", Case: "distroless/static does all three as nonroot once the private CA is added",
		Base: images.DistrolessStatic, Dockerfile: "distroless.Dockerfile", Binary: scratchStatic, HTTPS: true, TZ: true, Bundle: true,
		Adds: "distroless/static, CA bundle", Want: ScratchWorks, WantUID: 65532, WantGID: 65532, WantName: "nonroot"},
}

// scratchConfig is what `baselab run scratch` flags change.
type scratchConfig struct {
	only []string
}

// Scratch is the scratch lab.
func Scratch() Lab {
	cfg := &scratchConfig{}
	return Lab{
		Name:    "scratch",
		Summary: "what an empty image lacks (loader, CA bundle, zoneinfo, passwd) and the fix for each: exercise 4, step by step",
		Flags: func(fs *pflag.FlagSet) {
			names := make([]string, len(scratchVariants))
			for i, v := range scratchVariants {
				names[i] = v.Name
			}
			fs.StringSliceVar(&cfg.only, "variant", nil, "run only these steps (repeatable): "+strings.Join(names, ", "))
		},
		Run: func(ctx context.Context, env *Env) ([]record.Record, error) {
			return runScratch(ctx, env, *cfg)
		},
	}
}

func scratchSelect(only []string) ([]ScratchVariant, error) {
	if len(only) == 0 {
		return scratchVariants, nil
	}
	var out []ScratchVariant
	for _, name := range only {
		i := slices.IndexFunc(scratchVariants, func(v ScratchVariant) bool { return v.Name == name })
		if i < 0 {
			return nil, fmt.Errorf("unknown scratch step %q: see `baselab run scratch --help`", name)
		}
		out = append(out, scratchVariants[i])
	}
	return out, nil
}

// scratchBuilt is a host build of the program, with what its ELF header says.
type scratchBuilt struct {
	kind   scratchBinary
	bin    []byte
	static bool
	interp string   // PT_INTERP: the loader the kernel must find
	needed []string // DT_NEEDED
}

// scratchDebian is what the lab takes from Debian's files in the
// distroless-static image.
type scratchDebian struct {
	bundle        []byte
	bundleCerts   int
	zoneinfoBytes int64 // regular files under /usr/share/zoneinfo
	zoneFileBytes int64 // America/New_York alone
}

// scratchImage is a variant's image.
type scratchImage struct {
	im      images.Image
	dockerf string
}

func runScratch(ctx context.Context, env *Env, cfg scratchConfig) ([]record.Record, error) {
	vs, err := scratchSelect(cfg.only)
	if err != nil {
		return nil, err
	}
	// `baselab claims` asks for the cells its claims name (Env.Only).
	vs = slices.DeleteFunc(vs, func(v ScratchVariant) bool { return !env.Want(v.Name) })
	if len(vs) == 0 {
		return nil, nil
	}
	env.Logf("scratch: building the program on the host: static (CGO_ENABLED=0), cgo (CGO_ENABLED=1), static with -tags timetzdata; and the HTTPS server")
	bins, srvBin, err := scratchBuildAll(ctx)
	if err != nil {
		return nil, err
	}
	for _, k := range []scratchBinary{scratchStatic, scratchCgo, scratchTzdata} {
		b := bins[k]
		env.Logf("scratch: program %-13s %8d bytes, %s", k, len(b.bin), scratchLinkage(b))
	}
	env.Logf("scratch: time/tzdata adds %d bytes to the static binary", len(bins[scratchTzdata].bin)-len(bins[scratchStatic].bin))

	bases, err := env.Catalog.EnsureAll(ctx, images.Scratch, images.DistrolessStatic)
	if err != nil {
		return nil, fmt.Errorf("resolve bases: %w", err)
	}
	baseOf := map[images.Key]images.Image{bases[0].Key: bases[0], bases[1].Key: bases[1]}
	deb, err := scratchReadDebian(ctx, env.Engine, baseOf[images.DistrolessStatic].Ref)
	if err != nil {
		return nil, err
	}
	env.Logf("scratch: Debian's files (from %s): CA bundle %d bytes, %d certificates; zoneinfo %d bytes (%s alone: %d)",
		baseOf[images.DistrolessStatic].Ref, len(deb.bundle), deb.bundleCerts, deb.zoneinfoBytes, ScratchZone, deb.zoneFileBytes)

	ca, err := scratchNewCA(ScratchHost, env.Engine.RunID, time.Now())
	if err != nil {
		return nil, err
	}
	bundle := append(append([]byte{}, deb.bundle...), ca.caPEM...)
	env.Logf("scratch: made the run's CA (%s) and a certificate for %s; the fixed images' bundle is Debian's + this CA (%d bytes)",
		ca.subject, ScratchHost, len(bundle))

	imgs, baseline, srvImg, perRun, err := scratchBuildImages(ctx, env, vs, bins, srvBin, bundle)
	// The images holding this run's CA are of no use to any other run.
	defer scratchRemoveImages(context.WithoutCancel(ctx), env, perRun)
	if err != nil {
		return nil, err
	}
	env.Logf("scratch: the program alone on scratch is %d bytes; each fix below says what it adds to that", baseline.SizeBytes)

	// A user-defined network gives the server its alias through the engine's
	// embedded DNS server, which is all this lab needs of DNS. It is labelled
	// for the run's sweep.
	lnw, err := tcnetwork.New(ctx, tcnetwork.WithLabels(env.Engine.Labels(map[string]string{engine.LabelLab: "scratch"})))
	if err != nil {
		return nil, fmt.Errorf("create lab network: %w", err)
	}
	nw := lnw.Name
	defer func() {
		if err := lnw.Remove(context.WithoutCancel(ctx)); err != nil {
			env.Logf("scratch: remove network %s: %v", nw, err)
		}
	}()
	srv, err := run.Start(ctx, env.Engine, run.Spec{
		Image: srvImg.Ref, Network: nw, Aliases: []string{ScratchHost}, Lab: "scratch",
		Env: map[string]string{"LAB_TLS_CERT": string(ca.certPEM), "LAB_TLS_KEY": string(ca.keyPEM)},
	})
	// Removed before the network (defers run last-in first-out); the run's
	// sweep is behind a failure to.
	defer func() { _ = srv.Terminate(context.WithoutCancel(ctx)) }()
	if err != nil {
		return nil, fmt.Errorf("start the HTTPS server: %w", err)
	}
	if err := scratchAwaitLog(ctx, srv, "httpsd: listening", 30*time.Second); err != nil {
		return nil, fmt.Errorf("HTTPS server: %w", err)
	}
	env.Logf("scratch: HTTPS server up on network %s as %s", nw, ScratchHost)

	out := make([]record.Record, len(vs))
	errs := make([]error, len(vs))
	lines := scratchOrdered{env: env, lines: make([]*string, len(vs))}
	inParallel(len(vs), 4, func(i int) {
		v := vs[i]
		cell := scratchCell{v: v, img: imgs[v.Name], base: baseOf[v.Base], bin: bins[v.Binary],
			baseline: baseline, deb: deb, network: nw}
		r, err := cell.run(ctx, env)
		if err != nil {
			errs[i] = fmt.Errorf("%s: %w", v.Name, err)
			lines.done(i, fmt.Sprintf("step %d/%d %s: error: %v", i+1, len(vs), v.Name, err))
			return
		}
		out[i] = r
		if err := env.Emit(r); err != nil {
			errs[i] = fmt.Errorf("%s: write record: %w", v.Name, err)
		}
		lines.done(i, scratchProgress(i, len(vs), v, r))
	})
	if logs, err := scratchLogs(context.WithoutCancel(ctx), srv); err == nil {
		env.Logf("scratch: the server saw %d requests and %d failed handshakes",
			strings.Count(logs, "httpsd: GET"), strings.Count(logs, "TLS handshake error"))
	}
	var done []record.Record
	for i := range out {
		if errs[i] == nil {
			done = append(done, out[i])
		}
	}
	return done, errors.Join(errs...)
}

// scratchBuildAll compiles the program three ways and the server, side by side.
func scratchBuildAll(ctx context.Context) (map[scratchBinary]scratchBuilt, []byte, error) {
	app, err := scratchSource("app")
	if err != nil {
		return nil, nil, err
	}
	srv, err := scratchSource("httpsd")
	if err != nil {
		return nil, nil, err
	}
	opts := map[scratchBinary]gobuild.Options{
		scratchStatic: {},
		scratchCgo:    {CGO: true},
		scratchTzdata: {Tags: []string{"timetzdata"}},
	}
	var mu sync.Mutex
	bins := map[scratchBinary]scratchBuilt{}
	var srvBin []byte
	var wg sync.WaitGroup
	errs := make(chan error, len(opts)+1)
	for kind, o := range opts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b, err := gobuild.Source(ctx, app, "app", o)
			if err != nil {
				errs <- fmt.Errorf("build the program (%s): %w", kind, err)
				return
			}
			built, err := scratchInspect(kind, b)
			if err != nil {
				errs <- err
				return
			}
			mu.Lock()
			bins[kind] = built
			mu.Unlock()
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		b, err := gobuild.Source(ctx, srv, "httpsd", gobuild.Options{})
		if err != nil {
			errs <- fmt.Errorf("build the HTTPS server: %w", err)
			return
		}
		srvBin = b
	}()
	wg.Wait()
	close(errs)
	var all []error
	for err := range errs {
		all = append(all, err)
	}
	if len(all) > 0 {
		return nil, nil, errors.Join(all...)
	}
	// What each step claims of its binary must hold, or the lab shows nothing.
	if !bins[scratchStatic].static || !bins[scratchTzdata].static {
		return nil, nil, fmt.Errorf("the CGO_ENABLED=0 builds came out dynamically linked (%s)", scratchLinkage(bins[scratchStatic]))
	}
	if bins[scratchCgo].static {
		return nil, nil, fmt.Errorf("the cgo build came out static: the exec step would show nothing")
	}
	return bins, srvBin, nil
}

// scratchSource is a fixture program with the go.mod it is built with.
func scratchSource(name string) (fs.FS, error) {
	src, err := fs.ReadFile(fixtures.Scratch, name+"/main.go")
	if err != nil {
		return nil, fmt.Errorf("read fixture %s: %w", name, err)
	}
	return fstest.MapFS{
		name + "/main.go": {Data: src},
		name + "/go.mod":  {Data: fixtures.ScratchGoMod(name)},
	}, nil
}

// scratchInspect reads a binary's linkage: gobuild.IsStatic's verdict (it
// reads a path) and the interpreter and libraries it names.
func scratchInspect(kind scratchBinary, b []byte) (scratchBuilt, error) {
	f, err := os.CreateTemp("", "baselab-scratch-*")
	if err != nil {
		return scratchBuilt{}, err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(b); err != nil {
		f.Close()
		return scratchBuilt{}, err
	}
	if err := f.Close(); err != nil {
		return scratchBuilt{}, err
	}
	out := scratchBuilt{kind: kind, bin: b, static: gobuild.IsStatic(f.Name())}
	ef, err := elf.NewFile(bytes.NewReader(b))
	if err != nil {
		return scratchBuilt{}, fmt.Errorf("read ELF of the %s build: %w", kind, err)
	}
	defer ef.Close()
	for _, p := range ef.Progs {
		if p.Type == elf.PT_INTERP {
			raw, err := io.ReadAll(p.Open())
			if err != nil {
				return scratchBuilt{}, fmt.Errorf("read PT_INTERP of the %s build: %w", kind, err)
			}
			out.interp = strings.TrimRight(string(raw), "\x00")
		}
	}
	out.needed, _ = ef.ImportedLibraries() // a static binary has no dynamic section
	return out, nil
}

func scratchLinkage(b scratchBuilt) string {
	if b.static {
		return "static (no ELF interpreter)"
	}
	return fmt.Sprintf("dynamic: interpreter %s, needs %s", b.interp, strings.Join(b.needed, " "))
}

// scratchReadDebian takes the CA bundle and measures zoneinfo in the
// distroless-static image, without running it (it has no shell).
func scratchReadDebian(ctx context.Context, eng *engine.Engine, ref string) (scratchDebian, error) {
	var d scratchDebian
	root, err := rootfs.Read(ctx, eng, ref, rootfs.Options{Keep: func(p string) bool { return p == scratchBundlePath }})
	if err != nil {
		return d, fmt.Errorf("read distroless-static: %w", err)
	}
	d.bundle, _ = root.Content(scratchBundlePath)
	if len(d.bundle) == 0 {
		return d, fmt.Errorf("distroless-static %s has no %s", ref, scratchBundlePath)
	}
	d.bundleCerts = bytes.Count(d.bundle, []byte("-----BEGIN CERTIFICATE-----"))
	for _, f := range root.Files {
		if f.Mode.IsRegular() && strings.HasPrefix(f.Path, scratchZoneinfoDir) {
			d.zoneinfoBytes += f.Size
		}
	}
	// A zone may be a link to its canonical name.
	zone, ok := root.Resolve(scratchZoneinfoDir + ScratchZone)
	if !ok || !zone.Mode.IsRegular() || !strings.HasPrefix(zone.Path, scratchZoneinfoDir) {
		return d, fmt.Errorf("distroless-static %s has no zoneinfo for %s", ref, ScratchZone)
	}
	d.zoneFileBytes = zone.Size
	return d, nil
}

// scratchCA is the run's CA and the server's certificate.
type scratchCA struct {
	subject                string
	caPEM, certPEM, keyPEM []byte
}

// scratchNewCA makes a CA for the run and a server certificate for host
// signed by it: what an organisation's private CA is to its services.
func scratchNewCA(host, runID string, now time.Time) (scratchCA, error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return scratchCA{}, fmt.Errorf("generate CA key: %w", err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{Organization: []string{"baselab"}, CommonName: "baselab scratch lab CA " + runID},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		MaxPathLenZero:        true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return scratchCA{}, fmt.Errorf("sign CA certificate: %w", err)
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		return scratchCA{}, fmt.Errorf("parse CA certificate: %w", err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return scratchCA{}, fmt.Errorf("generate server key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{Organization: []string{"baselab"}, CommonName: host},
		DNSNames:     []string{host},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
	if err != nil {
		return scratchCA{}, fmt.Errorf("sign server certificate: %w", err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return scratchCA{}, fmt.Errorf("encode server key: %w", err)
	}
	return scratchCA{
		subject: caCert.Subject.CommonName,
		caPEM:   pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		keyPEM:  pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}),
	}, nil
}

// scratchBuildImages derives every selected step's image, the program alone
// on scratch (the baseline sizes are measured against) and the server's.
// perRun lists what was built for this run's CA, for removal, even on error.
func scratchBuildImages(ctx context.Context, env *Env, vs []ScratchVariant, bins map[scratchBinary]scratchBuilt,
	srvBin, bundle []byte) (imgs map[string]scratchImage, baseline, srv images.Image, perRun []string, err error) {
	type job struct {
		name, dockerfile string
		files            map[string][]byte
		perRun           bool
	}
	jobs := []job{
		{name: "baseline", dockerfile: "app-only.Dockerfile", files: map[string][]byte{"app": bins[scratchStatic].bin}},
		{name: "httpsd", dockerfile: "httpsd.Dockerfile", files: map[string][]byte{"httpsd": srvBin}},
	}
	for _, v := range vs {
		files := map[string][]byte{"app": bins[v.Binary].bin}
		if v.Bundle {
			files["ca-certificates.crt"] = bundle
		}
		jobs = append(jobs, job{name: v.Name, dockerfile: v.Dockerfile, files: files, perRun: v.Bundle})
	}
	var mu sync.Mutex
	imgs = map[string]scratchImage{}
	errs := make([]error, len(jobs))
	inParallel(len(jobs), 4, func(i int) {
		j := jobs[i]
		df, err := fs.ReadFile(fixtures.Scratch, "dockerfiles/"+j.dockerfile)
		if err != nil {
			errs[i] = fmt.Errorf("read %s: %w", j.dockerfile, err)
			return
		}
		im, err := env.Catalog.Derive(ctx, images.Derived{
			Name: "scratch-" + j.name, Dockerfile: string(df), Files: j.files, Lab: "scratch",
			Bases: scratchBases(string(df)),
		})
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			errs[i] = fmt.Errorf("build the %s image: %w", j.name, err)
			return
		}
		if j.perRun {
			perRun = append(perRun, im.Ref)
		}
		switch j.name {
		case "baseline":
			baseline = im
		case "httpsd":
			srv = im
		default:
			imgs[j.name] = scratchImage{im: im, dockerf: j.dockerfile}
		}
	})
	return imgs, baseline, srv, perRun, errors.Join(errs...)
}

// scratchBases maps the ARGs a step's Dockerfile declares to catalog keys:
// only those, so that an image is rebuilt only when a base it uses changes.
func scratchBases(dockerfile string) map[string]images.Key {
	keys := map[string]images.Key{"SCRATCH": images.Scratch, "DEBIAN": images.DistrolessStatic,
		"DISTROLESS_STATIC": images.DistrolessStatic}
	out := map[string]images.Key{}
	for _, line := range strings.Split(dockerfile, "\n") {
		if arg, ok := strings.CutPrefix(strings.TrimSpace(line), "ARG "); ok {
			if k, known := keys[strings.TrimSpace(arg)]; known {
				out[strings.TrimSpace(arg)] = k
			}
		}
	}
	return out
}

func scratchRemoveImages(ctx context.Context, env *Env, refs []string) {
	removed := 0
	for _, ref := range refs {
		_, err := env.Engine.API.ImageRemove(ctx, ref, client.ImageRemoveOptions{PruneChildren: true})
		switch {
		case err == nil:
			removed++
		case !engine.IsNotFound(err):
			env.Logf("scratch: remove per-run image %s: %v", ref, err)
		}
	}
	if len(refs) > 0 {
		env.Logf("scratch: removed %d of the %d images that held this run's CA", removed, len(refs))
	}
}

// scratchAwaitLog waits until the container has logged want.
func scratchAwaitLog(ctx context.Context, c *run.Container, want string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		logs, err := scratchLogs(ctx, c)
		if err == nil && strings.Contains(logs, want) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no %q in its log after %s (log: %q, err: %v)", want, limit, logs, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func scratchLogs(ctx context.Context, c *run.Container) (string, error) {
	stdout, stderr, err := c.Logs(ctx)
	return stdout + stderr, err
}

// scratchCell runs one step.
type scratchCell struct {
	v        ScratchVariant
	img      scratchImage
	base     images.Image
	bin      scratchBuilt
	baseline images.Image
	deb      scratchDebian
	network  string
}

// scratchCheck is one JSON line of the program (fixtures/scratch/app).
type scratchCheck struct {
	Check   string  `json:"check"`
	OK      bool    `json:"ok"`
	MS      float64 `json:"ms"`
	Error   string  `json:"error"`
	UID     *int    `json:"uid"`
	GID     *int    `json:"gid"`
	Name    string  `json:"name"`
	Home    string  `json:"home"`
	Status  int     `json:"status"`
	Zone    string  `json:"zone"`
	Abbrev  string  `json:"abbrev"`
	OffsetS *int    `json:"offset_s"`
}

func (c scratchCell) args() []string {
	var a []string
	if c.v.HTTPS {
		a = append(a, "-url", ScratchURL)
	}
	if c.v.TZ {
		a = append(a, "-tz", ScratchZone)
	}
	return a
}

func (c scratchCell) run(ctx context.Context, env *Env) (record.Record, error) {
	r := record.Record{Lab: "scratch", Variant: c.v.Name, Tries: 1}
	Stamp(&r, c.base)
	r.Image = c.img.im.Evidence()
	cctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	res, err := run.Once(cctx, env.Engine, run.Spec{Image: c.img.im.Ref, Cmd: c.args(), Network: c.network, Lab: "scratch"})
	if err != nil {
		return r, err
	}
	checks := scratchParse(res.Stdout)
	outcome, evidence := scratchClassify(res, checks)
	r.Outcome, r.Evidence = outcome, evidence
	if outcome == ScratchWorks {
		r.OK = 1
	} else {
		r.Failed = 1
	}
	if done, ok := checks["done"]; ok {
		r.Timings([]float64{done.MS})
	}
	r.Detail = c.detail(res, checks)

	r.Set("case", c.v.Case)
	r.Set("dockerfile", c.img.dockerf)
	r.Set("args", strings.Join(c.args(), " "))
	r.Set("binary", string(c.v.Binary))
	r.Set("binary_bytes", len(c.bin.bin))
	r.Set("static", c.bin.static)
	r.Set("interpreter", c.bin.interp)
	r.Set("image_bytes", c.img.im.SizeBytes)
	r.Set("adds", c.v.Adds)
	r.Set("adds_bytes", c.img.im.SizeBytes-c.baseline.SizeBytes)
	r.Set("container_started", res.Started)
	r.Set("exit_code", res.ExitCode)
	r.Set("start_error", res.StartError)
	r.Set("container_ms", float64(res.Duration.Microseconds())/1000)
	if u, ok := checks["user"]; ok {
		r.Set("uid", u.UID)
		r.Set("gid", u.GID)
		r.Set("user_name", u.Name)
		r.Set("user_error", u.Error)
		r.Set("home", u.Home)
	}
	if h, ok := checks["https"]; ok {
		r.Set("url", ScratchURL)
		r.Set("http_status", h.Status)
		r.Set("https_ms", h.MS)
		r.Set("https_error", h.Error)
	}
	if z, ok := checks["tz"]; ok {
		r.Set("zone", z.Zone)
		r.Set("zone_abbrev", z.Abbrev)
		r.Set("zone_offset_s", z.OffsetS)
		r.Set("tz_error", z.Error)
	}
	if c.v.Bundle {
		r.Set("bundle_debian_certs", c.deb.bundleCerts)
		r.Set("bundle_bytes", len(c.deb.bundle))
	}
	if c.v.Dockerfile == "zoneinfo.Dockerfile" {
		r.Set("zoneinfo_file_bytes", c.deb.zoneinfoBytes)
		r.Set("zone_file_bytes", c.deb.zoneFileBytes)
	}
	return r, nil
}

func (c scratchCell) detail(res run.Result, checks map[string]scratchCheck) string {
	var parts []string
	if !res.Started {
		parts = append(parts, "the engine did not start the container")
	} else if len(checks) == 0 {
		parts = append(parts, fmt.Sprintf("the program never ran (exit code %d)", res.ExitCode))
		if c.bin.interp != "" {
			parts = append(parts, "the kernel found no "+c.bin.interp+", the loader the binary names")
		}
	}
	if u, ok := checks["user"]; ok && u.UID != nil && u.GID != nil {
		name := u.Name
		if name == "" {
			name = "no name"
		}
		parts = append(parts, fmt.Sprintf("uid %d gid %d (%s)", *u.UID, *u.GID, name))
	}
	if h, ok := checks["https"]; ok {
		if h.OK {
			parts = append(parts, fmt.Sprintf("HTTPS %d from %s", h.Status, ScratchHost))
		} else {
			parts = append(parts, "HTTPS failed")
		}
	}
	if z, ok := checks["tz"]; ok {
		if z.OK && z.OffsetS != nil {
			parts = append(parts, fmt.Sprintf("%s is %s (%+d s)", z.Zone, z.Abbrev, *z.OffsetS))
		} else {
			parts = append(parts, z.Zone+" did not load")
		}
	}
	if c.v.Adds != "" {
		parts = append(parts, fmt.Sprintf("%s adds %d bytes", c.v.Adds, c.img.im.SizeBytes-c.baseline.SizeBytes))
	}
	return c.v.Case + ": " + strings.Join(parts, "; ")
}

// scratchParse reads the program's JSON lines by check name.
func scratchParse(stdout string) map[string]scratchCheck {
	out := map[string]scratchCheck{}
	for _, line := range strings.Split(stdout, "\n") {
		var c scratchCheck
		if json.Unmarshal([]byte(strings.TrimSpace(line)), &c) == nil && c.Check != "" {
			out[c.Check] = c
		}
	}
	return out
}

// ScratchClassify names what a step's container run shows and the evidence
// for it (see scratchClassify).
func ScratchClassify(res run.Result) (outcome, evidence string) {
	return scratchClassify(res, scratchParse(res.Stdout))
}

// scratchClassify names what happened. The order is the order of the
// program's life: the engine starts it, the kernel execs it, then its checks.
func scratchClassify(res run.Result, checks map[string]scratchCheck) (outcome, evidence string) {
	if !res.Started {
		if strings.Contains(res.StartError, "unable to find user") {
			return ScratchUnknownUser, res.StartError
		}
		if strings.Contains(res.StartError, "no such file or directory") {
			return ScratchExecNotFound, res.StartError
		}
		return ScratchUnexpected, res.StartError
	}
	exit := fmt.Sprintf("exit code %d", res.ExitCode)
	if len(checks) == 0 {
		text := scratchFirstLine(res.Stderr + "\n" + res.Stdout)
		if strings.Contains(text, "exec ") && strings.Contains(text, "no such file or directory") {
			return ScratchExecNotFound, text + " (" + exit + ")"
		}
		return ScratchUnexpected, text + " (" + exit + ")"
	}
	if h, ok := checks["https"]; ok && !h.OK {
		if strings.Contains(h.Error, "x509: certificate signed by unknown authority") ||
			strings.Contains(h.Error, "x509: failed to load system roots") {
			return ScratchX509Unknown, h.Error + " (" + exit + ")"
		}
		return ScratchUnexpected, h.Error + " (" + exit + ")"
	}
	if z, ok := checks["tz"]; ok && !z.OK {
		if strings.Contains(z.Error, "unknown time zone") {
			return ScratchUnknownZone, z.Error + " (" + exit + ")"
		}
		return ScratchUnexpected, z.Error + " (" + exit + ")"
	}
	if d, ok := checks["done"]; res.ExitCode == 0 && ok && d.OK {
		return ScratchWorks, exit
	}
	return ScratchUnexpected, scratchFirstLine(res.Stderr) + " (" + exit + ")"
}

func scratchFirstLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			return l
		}
	}
	return "(no output)"
}

func scratchProgress(i, n int, v ScratchVariant, r record.Record) string {
	verdict := "as expected"
	if r.Outcome != v.Want {
		verdict = "UNEXPECTED, the table says " + v.Want
	}
	return fmt.Sprintf("step %d/%d %s [%s, %s]: %s, %s\n    %s\n    evidence: %s",
		i+1, n, v.Name, v.Base, v.Dockerfile, r.Outcome, verdict, r.Detail, r.Evidence)
}

// scratchOrdered prints cells' lines in walkthrough order as they complete:
// cells run side by side, a reader follows the steps.
type scratchOrdered struct {
	env   *Env
	mu    sync.Mutex
	next  int
	lines []*string
}

func (o *scratchOrdered) done(i int, line string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.lines[i] = &line
	for o.next < len(o.lines) && o.lines[o.next] != nil {
		o.env.Logf("%s", *o.lines[o.next])
		o.next++
	}
}
