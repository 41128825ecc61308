package images

import (
	"fmt"
	"os"
	"strings"

	"github.com/distribution/reference"
)

// EnvRegistryMirror names a registry that serves Docker Hub's images under
// their usual paths (a pull-through mirror, or a team's own copy), as in
// 127.0.0.1:5000. Registry images are then pulled from it; the image's
// reference and digest name it, so every record says which mirror.
const EnvRegistryMirror = "BASELAB_REGISTRY_MIRROR"

// throughMirror rewrites a Docker Hub reference to the mirror's ("" leaves
// it alone): debian:bookworm-slim becomes MIRROR/library/debian:bookworm-slim.
// References to other registries (the distroless path) are left alone: a
// Docker Hub mirror does not serve them.
func throughMirror(ref, mirror string) (string, error) {
	if mirror == "" {
		return ref, nil
	}
	mirror = strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(mirror, "https://"), "http://"), "/")
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return "", fmt.Errorf("parse image reference %s: %w", ref, err)
	}
	if reference.Domain(named) != "docker.io" {
		return ref, nil
	}
	out := mirror + "/" + reference.Path(named)
	if t, ok := named.(reference.Tagged); ok {
		out += ":" + t.Tag()
	}
	if d, ok := named.(reference.Digested); ok {
		out += "@" + d.Digest().String()
	}
	return out, nil
}

func mirrorFromEnv() string { return os.Getenv(EnvRegistryMirror) }
