package lint

import "slices"

// Severity is how bad a finding is: an error is a failure a lab reproduces
// every time; a warning a failure under a condition the Dockerfile cannot
// show, or a cost a lab measures; info is advice.
type Severity string

const (
	SevError   Severity = "error"
	SevWarning Severity = "warning"
	SevInfo    Severity = "info"
)

// Rule is one check: what it flags, and the lab that shows why.
type Rule struct {
	ID       string
	Severity Severity
	// Title says in a line what is wrong.
	Title string
	// Lab is the lab that reproduces the failure or measures the cost.
	Lab string
	// Why is what that lab shows, and the fix.
	Why string
	// Predicts are the lab outcomes the rule predicts for an image built
	// from a flagged Dockerfile; empty for a rule about a cost, not a
	// failure. When is the condition under which the failure shows:
	// "" always, WhenHTTPS if the program makes HTTPS requests, WhenZone
	// if it loads a named time zone.
	Predicts []string
	When     string
	// Records are the lab cells that show it (path.Match patterns on the
	// lab's variant names); a finding may name its own.
	Records []Ref
}

// Conditions a failure depends on that a Dockerfile does not show.
const (
	WhenHTTPS = "https"
	WhenZone  = "tz"
)

// Ref names a lab cell.
type Ref struct {
	Lab     string `json:"lab"`
	Variant string `json:"variant"`
}

// The rules' ids.
const (
	UntaggedBase  = "BL001"
	NoDigest      = "BL002"
	GlibcIntoMusl = "BL003"
	MuslSourceBld = "BL004"
	BuildTools    = "BL005"
	CgoNoLibc     = "BL006"
	NoCABundle    = "BL007"
	NoZoneinfo    = "BL008"
	UserNoPasswd  = "BL009"
	DNSNoop       = "BL010"
	RunsAsRoot    = "BL011"
	Unpinned      = "BL012"
	StockCABundle = "BL013"
)

// The wheel lab's variants the rules cite.
const (
	wheelSitePackages = "site-packages copied from a glibc stage into python-alpine is not found"
	wheelRelocate     = "fortified glibc abi3 wheel forced onto python-alpine fails to relocate"
	wheelSegfault     = "glibc abi3 wheel forced onto python-alpine loads and segfaults when called"
	wheelProgram      = "glibc program on alpine is not found although it is there"
	wheelMuslFix      = "fix: the same sdist built on musl works on python-alpine"
)

var rules = []Rule{
	{ID: UntaggedBase, Severity: SevWarning, Lab: "dns",
		Title: "base image has no tag or uses :latest",
		Why: "An untagged or :latest base is whatever was published last, and its C library comes with it. " +
			"The dns lab's tcponly cells record musl 1.2.3 (Alpine 3.17 and before) taking an empty truncated UDP answer " +
			"as final (EAI_NONAME) where musl 1.2.5 (Alpine 3.20) retries over TCP and returns 48 addresses. The same FROM line gives another " +
			"resolver depending on the day it is built. Pin major.minor (alpine:3.20, python:3.11-slim) and move it on purpose.",
		Records: []Ref{{"dns", "alpine-3.17/tcponly/none/none"}, {"dns", "alpine/tcponly/none/none"}}},
	{ID: NoDigest, Severity: SevInfo, Lab: "surface",
		Title: "base image is not pinned by digest",
		Why: "A tag is rebuilt in place (point releases, security fixes), so what is behind it changes. The surface lab " +
			"reads packages, shells and setuid files out of each image and records it as ref@digest: a result holds " +
			"for that digest only. Add @sha256:... to build what was tested, and let a bot (Renovate, Dependabot) move it.",
		Records: []Ref{{"surface", "*"}}},
	{ID: GlibcIntoMusl, Severity: SevError, Lab: "wheel",
		Title: "a musl stage receives glibc-built binaries",
		Why: "The wheel lab reproduces every face of this: a glibc-built CPython extension copied into python-alpine is " +
			"not found (ModuleNotFoundError: musl's CPython never loads *-linux-gnu.so), fails to load (ImportError: " +
			"Error relocating ...: __snprintf_chk: symbol not found), or loads and segfaults when called (exit 139); " +
			"a glibc program fails with \"exec ...: no such file or directory\" although it is there (its ELF " +
			"interpreter /lib64/ld-linux-x86-64.so.2 is not). pip on musl refuses manylinux wheels by itself: they arrive " +
			"by copying a glibc stage or by forcing --platform. Install on the musl stage (pip picks musllinux wheels " +
			"or builds the sdist), build programs with musl, or keep a glibc base (slim).",
		Predicts: []string{"module-not-found", "import-error", "segfault", "exec-not-found"},
		Records:  []Ref{{"wheel", wheelSitePackages}, {"wheel", wheelRelocate}, {"wheel", wheelSegfault}, {"wheel", wheelProgram}}},
	{ID: MuslSourceBld, Severity: SevWarning, Lab: "wheel",
		Title: "pip builds from source on a musl final stage and the compiler stays in the image",
		Why: "The course's mistake 3. A package with no musllinux wheel compiles on Alpine, so a compiler is installed " +
			"for it, and it ships. Building from the sdist on musl is the right fix for correctness (the wheel lab's " +
			"musl build works where the glibc wheels failed), but the lab builds in an image of its own and installs " +
			"only the wheel. Build wheels in a build stage (pip wheel -w /wheels) and pip install --no-index " +
			"--find-links /wheels in the final one, remove the compiler in the same RUN, or use python-slim, where " +
			"manylinux wheels install as they are.",
		Records: []Ref{{"wheel", wheelMuslFix}, {"size", "base/builder"}}},
	{ID: BuildTools, Severity: SevWarning, Lab: "size",
		Title: "build tools in the final stage",
		Why: "Compilers are needed to build, not to run. The size lab measures its builder image (slim + build-essential, " +
			"musl-tools, python3-dev) at 507.3 MB against slim's 73.1 MB, and the surface lab counts 181 packages in " +
			"it against slim's 88. Removing them in a later RUN does not give the bytes back: they stay in the layer " +
			"that installed them. Build in a stage of its own and COPY --from it only what runs, or install and remove " +
			"in one RUN (apk add --virtual .build-deps ... && ... && apk del .build-deps).",
		Records: []Ref{{"size", "base/builder"}, {"surface", "builder"}}},
	{ID: CgoNoLibc, Severity: SevError, Lab: "scratch",
		Title: "a dynamically linked program goes into an image with no C library",
		Why: "Unless CGO_ENABLED=0, a program that uses net or os/user is linked against the C library whenever " +
			"go build finds a C compiler (golang's Debian images have gcc), and names /lib64/ld-linux-x86-64.so.2 as " +
			"its ELF interpreter. " +
			"scratch and distroless/static have no loader: the scratch lab's dynamic-binary step fails with " +
			"\"exec /app: no such file or directory\" although /app is there. Build with CGO_ENABLED=0.",
		Predicts: []string{"exec-not-found"},
		Records:  []Ref{{"scratch", "dynamic-binary"}}},
	{ID: NoCABundle, Severity: SevWarning, Lab: "scratch",
		Title: "scratch final stage has no CA bundle",
		Why: "If the program makes HTTPS requests, they fail: Go takes missing bundle files as an empty pool, so the " +
			"scratch lab's no-ca-bundle step fails with \"x509: certificate signed by unknown authority\", the same " +
			"error a wrong CA gives. COPY --from a stage that ran update-ca-certificates: " +
			"/etc/ssl/certs/ca-certificates.crt (217 kB in the lab, with the organisation's CA appended).",
		Predicts: []string{"x509-unknown-authority"}, When: WhenHTTPS,
		Records: []Ref{{"scratch", "no-ca-bundle"}}},
	{ID: NoZoneinfo, Severity: SevWarning, Lab: "scratch",
		Title: "scratch final stage has no time zone database",
		Why: "If the program loads a named zone, it fails: the scratch lab's no-zoneinfo step fails with " +
			"\"unknown time zone America/New_York\". Copy /usr/share/zoneinfo from a stage with tzdata (644,505 bytes " +
			"in the lab), or build Go with -tags timetzdata or import _ \"time/tzdata\" (405,504 bytes, no path to get wrong).",
		Predicts: []string{"unknown-time-zone"}, When: WhenZone,
		Records: []Ref{{"scratch", "no-zoneinfo"}}},
	{ID: UserNoPasswd, Severity: SevError, Lab: "scratch",
		Title: "USER names a user the image's /etc/passwd does not have",
		Why: "The engine looks a user name up in the image's /etc/passwd when it starts the container. scratch has none, " +
			"so the scratch lab's user-by-name-no-passwd step never starts: \"unable to find user nobody: no matching " +
			"entries in passwd file\"; distroless's passwd has root, nobody and nonroot only. COPY /etc/passwd and " +
			"/etc/group from a stage that has the user, or give numbers with a group: USER 65534:65534 (a bare " +
			"USER 65534 starts, but in group 0).",
		Predicts: []string{"unknown-user"},
		Records:  []Ref{{"scratch", "user-by-name-no-passwd"}}},
	{ID: DNSNoop, Severity: SevWarning, Lab: "dns",
		Title: "a resolv.conf option set at build time does nothing",
		Why: "The engine replaces /etc/resolv.conf when the container starts, so a line written at build time never " +
			"reaches the resolver; and musl's parser (resolvconf.c) reads only ndots:, attempts: and timeout:, so " +
			"single-request, single-request-reopen and use-vc do nothing on Alpine, and it has no RES_OPTIONS. The dns lab measures alpine under the lost-query fault " +
			"at 2585 ms with single-request and 2578 ms without. On glibc the options work once they reach the file " +
			"(slim: 134 ms with single-request, 5125 ms without): set them at run time (docker run --dns-option, " +
			"Kubernetes dnsConfig.options). On musl only a shorter retry helps (options timeout:1 attempts:2: 625 ms); " +
			"the real fix is the server or the path that loses the query.",
		Records: []Ref{{"dns", "alpine/race/single-request/none"}, {"dns", "alpine/race/none/none"}}},
	{ID: RunsAsRoot, Severity: SevWarning, Lab: "surface",
		Title: "the final stage runs as root",
		Why: "Without USER the process is uid 0, however small the image: the surface lab finds every base, scratch " +
			"and distroless included, running as root unless the Dockerfile says otherwise. A shell-less image still " +
			"hands root to whatever gets in. Add USER with a uid:gid the image knows (distroless has nonroot, 65532).",
		Records: []Ref{{"surface", "*"}}},
	{ID: Unpinned, Severity: SevInfo, Lab: "surface",
		Title: "packages installed without version pins",
		Why: "The course: pin versions, update on purpose. apk add / apt-get install take whatever the index holds on " +
			"build day, so two builds of one Dockerfile differ; the surface lab's package list (and SBOM) is of one " +
			"build. Pin (apk add name=version-rN or name~major.minor, apt-get install name=version) and let a bot move the pins, " +
			"or ignore this rule where floating is the policy.",
		Records: []Ref{{"surface", "*"}}},
	{ID: StockCABundle, Severity: SevInfo, Lab: "scratch",
		Title: "distroless final stage trusts public CAs only",
		Why: "distroless brings Debian's public CA bundle. A service that calls an organisation's own CA fails exactly " +
			"as scratch without a bundle: the scratch lab's distroless-static-private-ca-not-added step fails with " +
			"\"x509: certificate signed by unknown authority\" while its zone and user work. If the program calls " +
			"private services, COPY a bundle with the organisation's CA to /etc/ssl/certs/ca-certificates.crt.",
		Predicts: []string{"x509-unknown-authority"}, When: WhenHTTPS,
		Records: []Ref{{"scratch", "distroless-static-private-ca-not-added"}}},
}

// Rules returns every rule, in id order.
func Rules() []Rule { return slices.Clone(rules) }

// RuleByID returns a rule.
func RuleByID(id string) (Rule, bool) {
	for _, r := range rules {
		if r.ID == id {
			return r, true
		}
	}
	return Rule{}, false
}
