package scratch

import (
	"context"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/baselab/baselab/harness/engine"
	"github.com/baselab/baselab/harness/gobuild"
	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/harness/run"
	"github.com/baselab/baselab/labs/lab"
	tcnetwork "github.com/testcontainers/testcontainers-go/network"
)

// BundlePath is where Debian's ca-certificates (and distroless) keep the CA
// bundle: the first file Go's crypto/x509 looks for on Linux.
const BundlePath = bundlePath

// Server is the lab's HTTPS server, up on an internal network of its own
// under the alias Host, with a certificate from the run's private CA.
type Server struct {
	// Network is the network a client container joins to reach URL.
	Network string
	// CAPEM is the run's CA: what an image's bundle must hold to trust URL.
	CAPEM []byte
	// CASubject names it, for the log.
	CASubject string
	srv       *run.Container
	close     func()
}

// Logs is what the server printed: a line per request and per failed handshake.
func (s *Server) Logs(ctx context.Context) (stdout, stderr string, err error) { return s.srv.Logs(ctx) }

// Requests counts what the server's log shows: requests served and TLS
// handshakes that failed (a client that did not trust the certificate).
func (s *Server) Requests(ctx context.Context) (gets, failedHandshakes int, err error) {
	stdout, stderr, err := s.Logs(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("read the HTTPS server's log: %w", err)
	}
	logs := stdout + stderr
	return strings.Count(logs, "httpsd: GET"), strings.Count(logs, "TLS handshake error"), nil
}

// Close removes the server, then its network; nil-safe.
func (s *Server) Close() {
	if s != nil && s.close != nil {
		s.close()
	}
}

// startServer creates the lab network and starts the server image on it
// with ca's certificate. On error what was created is already removed.
func startServer(ctx context.Context, env *lab.Env, image string, ca authority, labName string) (*Server, error) {
	// A user-defined network gives the server its alias through the engine's
	// embedded DNS server, which is all this lab needs of DNS; internal, so
	// no client reaches beyond it. It is labelled for the run's sweep.
	lnw, err := tcnetwork.New(ctx, tcnetwork.WithInternal(), tcnetwork.WithLabels(env.Engine.Labels(map[string]string{engine.LabelLab: labName})))
	if err != nil {
		return nil, fmt.Errorf("create lab network: %w", err)
	}
	nw := lnw.Name
	removeNetwork := func() {
		if err := lnw.Remove(context.WithoutCancel(ctx)); err != nil {
			env.Logf("%s: remove network %s: %v", labName, nw, err)
		}
	}
	srv, err := run.Start(ctx, env.Engine, run.Spec{
		Image: image, Network: nw, Aliases: []string{Host}, Lab: labName,
		Env: map[string]string{"LAB_TLS_CERT": string(ca.certPEM), "LAB_TLS_KEY": string(ca.keyPEM)},
		// It listens on 443, below 1024: the one capability it keeps; it
		// writes nothing.
		Privileges: run.Privileges{CapAdd: []string{"NET_BIND_SERVICE"}, ReadOnly: true},
	})
	// The server is removed before the network; the run's sweep is behind
	// a failure to.
	s := &Server{Network: nw, CAPEM: ca.caPEM, CASubject: ca.subject, srv: srv, close: func() {
		_ = srv.Terminate(context.WithoutCancel(ctx))
		removeNetwork()
	}}
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("start the HTTPS server: %w", err)
	}
	if err := srv.WaitLog(ctx, "httpsd: listening", 30*time.Second); err != nil {
		s.Close()
		return nil, fmt.Errorf("HTTPS server: %w", err)
	}
	return s, nil
}

// StartServer builds the server's image (the lab's, the same every run),
// makes a CA for the run and starts the server: what `baselab doctor
// --confirm` and the exercise grader make an image's HTTPS call to; CAPEM
// is what a client's bundle must hold. labName labels what it creates.
func StartServer(ctx context.Context, env *lab.Env, labName string) (*Server, error) {
	bin, err := gobuild.Source(ctx, sources, "programs/httpsd", gobuild.Options{})
	if err != nil {
		return nil, fmt.Errorf("build the HTTPS server: %w", err)
	}
	im, err := serverImage(ctx, env, bin)
	if err != nil {
		return nil, err
	}
	ca, err := newCA(Host, env.Engine.RunID, time.Now())
	if err != nil {
		return nil, err
	}
	return startServer(ctx, env, im.Ref, ca, labName)
}

// serverImage derives the server's image, as buildImages does.
func serverImage(ctx context.Context, env *lab.Env, bin []byte) (images.Image, error) {
	df, err := fs.ReadFile(sources, "dockerfiles/httpsd.Dockerfile")
	if err != nil {
		return images.Image{}, fmt.Errorf("read httpsd.Dockerfile: %w", err)
	}
	im, err := env.Catalog.Derive(ctx, images.Derived{Name: "scratch-httpsd", Dockerfile: string(df),
		Files: map[string][]byte{"httpsd": bin}, Lab: "scratch", Bases: bases(string(df))})
	if err != nil {
		return images.Image{}, fmt.Errorf("build the httpsd image: %w", err)
	}
	return im, nil
}

// Program is the lab's program built static (CGO_ENABLED=0): it needs
// nothing from an image but the files its checks read, so bind-mounted
// into any Linux image it reports the user the image runs as, makes the
// HTTPS call trusting the image's bundle (-url) and loads a zone from the
// image's zoneinfo (-tz). Its lines are read with ParseChecks.
func Program(ctx context.Context) ([]byte, error) {
	p, err := buildProgram(ctx, StaticBinary, gobuild.Options{})
	return p.bin, err
}
