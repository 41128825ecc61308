package scratch

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/baselab/baselab/harness/engine"
	"github.com/baselab/baselab/harness/gobuild"
	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/harness/run"
	"github.com/baselab/baselab/labs/lab"
	tc "github.com/testcontainers/testcontainers-go"
	tcnetwork "github.com/testcontainers/testcontainers-go/network"
)

// BundlePath is where Debian's ca-certificates (and distroless) keep the CA
// bundle: the first file Go's crypto/x509 looks for on Linux.
const BundlePath = bundlePath

// Server is the lab's HTTPS server (programs/httpsd), answering as Host on
// an internal network of its own with a certificate from a CA made for the
// run: a client trusts it exactly when its bundle holds that CA.
type Server struct {
	// Network is the network a client must join to reach Host.
	Network string
	c       *run.Container
	nw      *tc.DockerNetwork
}

// startServer creates the network and starts the server image with the
// run's certificate. On error the partial server is returned for Close.
func startServer(ctx context.Context, env *lab.Env, labName string, im images.Image, ca authority) (*Server, error) {
	// A user-defined network gives the server its alias through the
	// engine's embedded DNS server, which is all a client needs of DNS;
	// internal, so no client reaches beyond it. Labelled for the run's sweep.
	nw, err := tcnetwork.New(ctx, tcnetwork.WithInternal(), tcnetwork.WithLabels(env.Engine.Labels(map[string]string{engine.LabelLab: labName})))
	if err != nil {
		return nil, fmt.Errorf("create lab network: %w", err)
	}
	s := &Server{Network: nw.Name, nw: nw}
	s.c, err = run.Start(ctx, env.Engine, run.Spec{
		Image: im.Ref, Network: nw.Name, Aliases: []string{Host}, Lab: labName,
		Env: map[string]string{"LAB_TLS_CERT": string(ca.certPEM), "LAB_TLS_KEY": string(ca.keyPEM)},
		// It listens on 443, below 1024: the one capability it keeps; it
		// writes nothing.
		Privileges: run.Privileges{CapAdd: []string{"NET_BIND_SERVICE"}, ReadOnly: true},
	})
	if err != nil {
		return s, fmt.Errorf("start the HTTPS server: %w", err)
	}
	if err := s.c.WaitLog(ctx, "httpsd: listening", 30*time.Second); err != nil {
		return s, fmt.Errorf("HTTPS server: %w", err)
	}
	return s, nil
}

// StartServer builds the server and a CA for this run and starts it, for a
// grader that points a learner's program at it; it returns the CA's
// certificate (PEM) to add to the program's bundle. labName labels what it
// creates. Close it when done.
func StartServer(ctx context.Context, env *lab.Env, labName string) (*Server, []byte, error) {
	bin, err := gobuild.Source(ctx, sources, "programs/httpsd", gobuild.Options{})
	if err != nil {
		return nil, nil, fmt.Errorf("build the HTTPS server: %w", err)
	}
	im, err := env.Catalog.Derive(ctx, images.Derived{Name: "scratch-httpsd", Dockerfile: httpsdDockerfile(),
		Files: map[string][]byte{"httpsd": bin}, Lab: "scratch", Bases: bases(httpsdDockerfile())})
	if err != nil {
		return nil, nil, fmt.Errorf("build the HTTPS server image: %w", err)
	}
	ca, err := newCA(Host, env.Engine.RunID, time.Now())
	if err != nil {
		return nil, nil, err
	}
	s, err := startServer(ctx, env, labName, im, ca)
	return s, ca.caPEM, err
}

// httpsdDockerfile is the server image's recipe, as the lab builds it.
func httpsdDockerfile() string {
	b, err := sources.ReadFile("dockerfiles/httpsd.Dockerfile")
	if err != nil {
		panic("scratch: dockerfiles/httpsd.Dockerfile is embedded: " + err.Error())
	}
	return string(b)
}

// Requests counts what the server's log shows: requests served and TLS
// handshakes that failed (a client that did not trust the certificate).
func (s *Server) Requests(ctx context.Context) (gets, failedHandshakes int, err error) {
	stdout, stderr, err := s.c.Logs(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("read the HTTPS server's log: %w", err)
	}
	logs := stdout + stderr
	return strings.Count(logs, "httpsd: GET"), strings.Count(logs, "TLS handshake error"), nil
}

// Close removes the server, then its network.
func (s *Server) Close(ctx context.Context, env *lab.Env) {
	if s == nil {
		return
	}
	if s.c != nil {
		_ = s.c.Terminate(ctx)
	}
	if s.nw != nil {
		if err := s.nw.Remove(ctx); err != nil {
			env.Logf("scratch: remove network %s: %v", s.Network, err)
		}
	}
}
