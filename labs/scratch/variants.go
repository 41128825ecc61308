package scratch

import (
	"slices"

	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/labs/lab"
)

// Binary is how the program under test is built.
type Binary string

const (
	StaticBinary Binary = "static"        // CGO_ENABLED=0
	CgoBinary    Binary = "cgo"           // CGO_ENABLED=1: linked against glibc, with its loader as interpreter
	TzdataBinary Binary = "static+tzdata" // CGO_ENABLED=0 -tags timetzdata: the tz database embedded
)

// Variant is one step of the walkthrough, with what it must show.
type Variant struct {
	Name string
	// Case says what the step shows, as a sentence.
	Case string
	Base images.Key
	// Dockerfile is in dockerfiles/.
	Dockerfile string
	Binary     Binary
	// HTTPS and TZ are the checks the program is asked for (it always
	// reports its user).
	HTTPS, TZ bool
	// Chain asks the program to verify a real public chain (embedded in
	// it) against the image's roots, offline: whether the image's bundle
	// trusts the public CAs, which the lab's private-CA server cannot say.
	Chain bool
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

// Variants returns the walkthrough, in order: the lab's table.
func Variants() []Variant { return slices.Clone(table) }

// names lists the steps for `baselab run scratch --list` and --variant.
func names() []string {
	out := make([]string, len(table))
	for i, v := range table {
		out[i] = v.Name
	}
	return out
}

var table = []Variant{
	{Name: "dynamic-binary", Case: "a cgo binary on scratch cannot exec: its ELF interpreter is not there",
		Base: images.Scratch, Dockerfile: "app-only.Dockerfile", Binary: CgoBinary,
		// runc 1.1's init reports a failed execve(2) as "exec <path>: <errno>";
		// the kernel's ENOENT names the missing interpreter's absence, not /app's.
		Want: lab.ExecNotFound, WantEvidence: "exec /app: no such file or directory"},
	{Name: "static-binary", Case: "a static binary on scratch runs, as root without a name",
		Base: images.Scratch, Dockerfile: "app-only.Dockerfile", Binary: StaticBinary,
		Want: lab.Works, WantUID: 0, WantGID: 0, WantName: ""},
	{Name: "no-ca-bundle", Case: "HTTPS from scratch fails: there is no CA bundle to trust",
		Base: images.Scratch, Dockerfile: "app-only.Dockerfile", Binary: StaticBinary, HTTPS: true, Chain: true,
		// crypto/x509: an empty pool (no file is not an error, root_unix.go)
		// gives UnknownAuthorityError, not "failed to load system roots".
		Want: X509Unknown, WantEvidence: "x509: certificate signed by unknown authority"},
	{Name: "ca-bundle-copied", Case: "HTTPS from scratch works with Debian's bundle plus the lab CA copied in",
		Base: images.Scratch, Dockerfile: "ca-bundle.Dockerfile", Binary: StaticBinary, HTTPS: true, Chain: true, Bundle: true,
		Adds: "CA bundle", Want: lab.Works, WantUID: 0, WantGID: 0},
	{Name: "no-zoneinfo", Case: "loading a named time zone on scratch fails: there is no zoneinfo",
		Base: images.Scratch, Dockerfile: "app-only.Dockerfile", Binary: StaticBinary, TZ: true,
		// time/zoneinfo_read.go: errors.New("unknown time zone " + name)
		Want: UnknownZone, WantEvidence: "unknown time zone " + Zone},
	{Name: "zoneinfo-copied", Case: "the time zone loads once Debian's zoneinfo is copied in",
		Base: images.Scratch, Dockerfile: "zoneinfo.Dockerfile", Binary: StaticBinary, TZ: true,
		Adds: "/usr/share/zoneinfo", Want: lab.Works, WantUID: 0, WantGID: 0},
	{Name: "tzdata-embedded", Case: "the time zone loads from the binary built with time/tzdata",
		Base: images.Scratch, Dockerfile: "app-only.Dockerfile", Binary: TzdataBinary, TZ: true,
		Adds: "time/tzdata in the binary", Want: lab.Works, WantUID: 0, WantGID: 0},
	{Name: "user-by-name-no-passwd", Case: "USER nobody on scratch: the engine refuses to start the container",
		Base: images.Scratch, Dockerfile: "user-name.Dockerfile", Binary: StaticBinary,
		// moby/sys/user GetExecUser: "unable to find user %s: %v" with
		// ErrNoPasswdEntries, reported by the daemon at start.
		Want: UnknownUser, WantEvidence: "unable to find user nobody: no matching entries in passwd file"},
	{Name: "user-numeric", Case: "USER 65534 on scratch runs, without a name and in group 0",
		Base: images.Scratch, Dockerfile: "user-numeric.Dockerfile", Binary: StaticBinary,
		// GetExecUser keeps the default gid (0) when no passwd entry gives one.
		Want: lab.Works, WantUID: 65534, WantGID: 0, WantName: ""},
	{Name: "user-by-name-with-passwd", Case: "USER nobody runs once /etc/passwd has nobody",
		Base: images.Scratch, Dockerfile: "passwd.Dockerfile", Binary: StaticBinary,
		Adds: "/etc/passwd, /etc/group", Want: lab.Works, WantUID: 65534, WantGID: 65534, WantName: "nobody"},
	{Name: "exercise-4", Case: "scratch with the bundle, zoneinfo and passwd does all three as nobody",
		Base: images.Scratch, Dockerfile: "exercise-4.Dockerfile", Binary: StaticBinary, HTTPS: true, Chain: true, TZ: true, Bundle: true,
		Adds: "CA bundle, zoneinfo, passwd", Want: lab.Works, WantUID: 65534, WantGID: 65534, WantName: "nobody"},
	{Name: "distroless-static-private-ca-not-added", Case: "distroless/static trusts Debian's public CAs, not an organisation's own",
		Base: images.DistrolessStatic, Dockerfile: "distroless-stock.Dockerfile", Binary: StaticBinary, HTTPS: true, Chain: true, TZ: true,
		Adds: "distroless/static", Want: X509Unknown, WantEvidence: "x509: certificate signed by unknown authority"},
	{Name: "distroless-static", Case: "distroless/static does all three as nonroot once the private CA is added",
		Base: images.DistrolessStatic, Dockerfile: "distroless.Dockerfile", Binary: StaticBinary, HTTPS: true, Chain: true, TZ: true, Bundle: true,
		Adds: "distroless/static, CA bundle", Want: lab.Works, WantUID: 65532, WantGID: 65532, WantName: "nonroot"},
}
