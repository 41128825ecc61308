package size

import (
	"context"
	"embed"
	"fmt"

	"github.com/baselab/baselab/harness/gobuild"
	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/labs/lab"
)

// apps holds the lab's two apps: app/server (a static Go HTTP server) and
// app/app.py (the same server in Python's standard library).
//
//go:embed app
var apps embed.FS

// ServerBinary builds app/server on the host, static.
func ServerBinary(ctx context.Context) ([]byte, error) {
	bin, err := gobuild.Source(ctx, apps, "app/server", gobuild.Options{})
	if err != nil {
		return nil, fmt.Errorf("build size server: %w", err)
	}
	return bin, nil
}

// Dockerfiles of the app images: one COPY, so an app adds exactly one layer.
const (
	goDockerfile = `ARG BASE
FROM ${BASE}
COPY server /server
EXPOSE 8080
ENTRYPOINT ["/server"]
`
	pythonDockerfile = `ARG BASE
FROM ${BASE}
COPY app.py /app/app.py
EXPOSE 8080
ENTRYPOINT ["python3", "/app/app.py"]
`
)

// AppImage builds (or finds) the app image of v.
func AppImage(ctx context.Context, env *lab.Env, v Variant, bin []byte) (images.Image, error) {
	d := images.Derived{Name: "size-" + v.App + "-" + string(v.Base), Bases: map[string]images.Key{"BASE": v.Base}, Lab: "size"}
	switch v.App {
	case Go:
		d.Dockerfile, d.Files = goDockerfile, map[string][]byte{"server": bin}
	case Python:
		app, err := apps.ReadFile("app/app.py")
		if err != nil {
			return images.Image{}, fmt.Errorf("read app.py: %w", err)
		}
		d.Dockerfile, d.Files = pythonDockerfile, map[string][]byte{"app.py": app}
	default:
		return images.Image{}, fmt.Errorf("no app %q", v.App)
	}
	return env.Catalog.Derive(ctx, d)
}
