package dns

import (
	"context"
	"fmt"
	"io/fs"
	"slices"

	"github.com/baselab/baselab/fixtures/probes"
	"github.com/baselab/baselab/harness/gobuild"
	"github.com/baselab/baselab/harness/images"
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
	src, err := fs.ReadFile(probes.Sources, "gai/gai.c")
	if err != nil {
		return images.Image{}, err
	}
	cc := "gcc"
	if resolver == "musl" {
		cc = "musl-gcc"
	}
	return env.Catalog.Derive(ctx, images.Derived{
		Name: "dns-probe-" + string(base) + suffix, Lab: "dns",
		Dockerfile: "ARG BUILDER\nARG RUNTIME\nFROM ${BUILDER} AS build\nLABEL org.baselab.project=baselab\n" +
			"COPY gai.c /src/gai.c\nRUN mkdir -p /out && " + cc + " -O2 -Wall -Wextra -Werror -o /out/probe /src/gai.c\n" +
			"FROM ${RUNTIME}\nLABEL org.baselab.project=baselab\n" + runLine(run) + "COPY --from=build /out/probe /usr/local/bin/probe\n" +
			"ENTRYPOINT [\"/usr/local/bin/probe\"]\n",
		Files: map[string][]byte{"gai.c": src},
		Bases: map[string]images.Key{"BUILDER": images.Builder, "RUNTIME": base}, Like: "RUNTIME",
	})
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
