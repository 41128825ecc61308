package dns

import (
	"context"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/baselab/baselab/fixtures/probes"
	"github.com/baselab/baselab/harness/engine"
	"github.com/baselab/baselab/harness/gobuild"
	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/harness/rootfs"
	"github.com/baselab/baselab/labs/lab"
)

// resolverOf says which stub resolver a catalog base brings to the DNS lab:
// the libc's for the C probe, Go's own for the static Go probe.
var resolverOf = map[images.Key]string{
	images.Alpine:           "musl",
	images.Alpine317:        "musl",
	images.Slim:             "glibc",
	images.Full:             "glibc",
	images.DistrolessBase:   "glibc",
	images.PythonSlim:       "glibc",
	images.PythonAlpine:     "musl",
	images.DistrolessStatic: "go",
	images.Scratch:          "go",
}

// probeImage builds the lookup probe into a base: gai compiled in the
// builder against the base's libc (gcc for glibc, musl-gcc for musl), or
// golookup compiled on the host with CGO_ENABLED=0 for bases without a libc.
// libcOf is the libc version a base's cells are predicted for: the catalog's
// label, which TestCatalogLibcAgreesWithTheImage holds to what the image
// itself prints. Cells are laid out (--list, --short) before any image
// exists, so the prediction cannot wait for the image.
func libcOf(base images.Key) string {
	s, err := images.Lookup(base)
	if err != nil {
		return ""
	}
	return s.StandinLibc
}

func probeImage(ctx context.Context, env *lab.Env, base images.Key) (images.Image, error) {
	return probeImageWith(ctx, env, base, "", "")
}

// probeImageWith is probeImage with Dockerfile lines run in the final
// stage (run, a shell command; the base needs a shell) and a name suffix
// for the variant: the hosts cells' glibc image without /etc/nsswitch.conf.
func probeImageWith(ctx context.Context, env *lab.Env, base images.Key, suffix, run string) (images.Image, error) {
	resolver, ok := resolverOf[base]
	if !ok {
		return images.Image{}, fmt.Errorf("the dns lab has no probe for base %q (known: alpine, alpine-3.17, slim, full, distroless-base, distroless-static, scratch, python-slim, python-alpine)", base)
	}
	if resolver == "go" {
		bin, err := gobuild.Source(ctx, probes.Sources, "golookup", gobuild.Options{})
		if err != nil {
			return images.Image{}, err
		}
		return env.Catalog.Derive(ctx, images.Derived{
			Name: "dns-probe-" + string(base) + suffix, Lab: "dns",
			Dockerfile: "ARG RUNTIME\nFROM ${RUNTIME}\nLABEL org.baselab.project=baselab\n" + runLine(run) +
				"COPY golookup /usr/local/bin/probe\nENTRYPOINT [\"/usr/local/bin/probe\"]\n",
			Files: map[string][]byte{"golookup": bin},
			Bases: map[string]images.Key{"RUNTIME": base}, Like: "RUNTIME",
		})
	}
	bins, err := cProbes(ctx, env)
	if err != nil {
		return images.Image{}, err
	}
	return env.Catalog.Derive(ctx, images.Derived{
		Name: "dns-probe-" + string(base) + suffix, Lab: "dns",
		Dockerfile: "ARG RUNTIME\nFROM ${RUNTIME}\nLABEL org.baselab.project=baselab\n" + runLine(run) +
			"COPY probe /usr/local/bin/probe\nENTRYPOINT [\"/usr/local/bin/probe\"]\n",
		Files: map[string][]byte{"probe": bins[resolver]},
		Bases: map[string]images.Key{"RUNTIME": base}, Like: "RUNTIME",
	})
}

// cProbes compiles gai.c in the builder once for each libc — gcc against
// glibc, musl-gcc against musl — and returns the two binaries by resolver;
// each C probe image then copies its binary onto its base. It used to be
// compiled in a builder stage of each probe image: the same binary four
// times over (alpine and alpine-3.17 get the same musl-gcc output, slim and
// distroless-base the same gcc output), and on an empty engine four builds
// on the builder's image took 70 s side by side, on the dns lab's path.
// The binaries are in the probe images' hashes (Files), so a change to
// gai.c or to the builder still rebuilds them.
func cProbes(ctx context.Context, env *lab.Env) (map[string][]byte, error) {
	src, err := fs.ReadFile(probes.Sources, "gai/gai.c")
	if err != nil {
		return nil, err
	}
	im, err := env.Catalog.Derive(ctx, images.Derived{
		Name: "dns-probe-cc", Lab: "dns",
		Dockerfile: "ARG BUILDER\nARG SCRATCH\nFROM ${BUILDER} AS build\nLABEL org.baselab.project=baselab\n" +
			"COPY gai.c /src/gai.c\nRUN mkdir -p /out && gcc -O2 -Wall -Wextra -Werror -o /out/glibc /src/gai.c" +
			" && musl-gcc -O2 -Wall -Wextra -Werror -o /out/musl /src/gai.c\n" +
			"FROM ${SCRATCH}\nLABEL org.baselab.project=baselab\nCOPY --from=build /out/ /out/\n",
		Files: map[string][]byte{"gai.c": src},
		Bases: map[string]images.Key{"BUILDER": images.Builder, "SCRATCH": images.Scratch},
	})
	if err != nil {
		return nil, err
	}
	tree, err := rootfs.Read(ctx, env.Engine, im.Ref, rootfs.Options{Keep: func(p string) bool { return strings.HasPrefix(p, "/out/") },
		Labels: map[string]string{engine.LabelLab: "dns"}})
	if err != nil {
		return nil, fmt.Errorf("read the compiled probes: %w", err)
	}
	out := map[string][]byte{}
	for _, r := range []string{"glibc", "musl"} {
		b, ok := tree.Content("/out/" + r)
		if !ok || len(b) == 0 {
			return nil, fmt.Errorf("the builder compiled no /out/%s probe in %s", r, im.Ref)
		}
		out[r] = b
	}
	return out, nil
}

func runLine(cmd string) string {
	if cmd == "" {
		return ""
	}
	return "RUN " + cmd + "\n"
}

// fakerImage puts a static baselab into a scratch image: `baselab dnsfaker`
// then runs on a lab network at an address the lab containers can name.
func fakerImage(ctx context.Context, env *lab.Env) (images.Image, error) {
	bin, err := gobuild.Baselab(ctx)
	if err != nil {
		return images.Image{}, fmt.Errorf("build dnsfaker binary: %w", err)
	}
	return env.Catalog.Derive(ctx, images.Derived{
		Name: "dnsfaker", Lab: "dns",
		Dockerfile: "ARG SCRATCH\nFROM ${SCRATCH}\nLABEL org.baselab.project=baselab\n" +
			"COPY baselab /baselab\nENTRYPOINT [\"/baselab\", \"dnsfaker\"]\n",
		Files: map[string][]byte{"baselab": bin},
		Bases: map[string]images.Key{"SCRATCH": images.Scratch},
	})
}

// ProbeImage builds (or finds) the lookup probe's image on base, as the lab
// runs it: what `baselab doctor` is held to in its proof.
func ProbeImage(ctx context.Context, env *lab.Env, base images.Key) (images.Image, error) {
	return probeImage(ctx, env, base)
}

// ProbeBases are the bases the lab has a probe for.
func ProbeBases() []images.Key {
	out := make([]images.Key, 0, len(resolverOf))
	for k := range resolverOf {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// imageKeys are the catalog keys Run resolves for the cells env wants: each
// cell's base (a user's image is not a catalog key), builder when a probe is
// compiled in C for a libc, and scratch, which dnsfaker's image is built on.
func (c Config) imageKeys(env *lab.Env) []images.Key {
	var keys []images.Key
	add := func(b images.Key) {
		if keys == nil {
			keys = []images.Key{images.Scratch}
		}
		if !slices.Contains(keys, b) {
			keys = append(keys, b)
		}
		if resolverOf[b] != "go" && !slices.Contains(keys, images.Builder) {
			keys = append(keys, images.Builder)
		}
	}
	for _, cl := range c.cells() {
		if !cl.user && env.Want(cl.variant) {
			add(cl.base)
		}
	}
	for _, lc := range c.loads() {
		if env.Want(lc.variant) {
			add(lc.base)
		}
	}
	return keys
}
