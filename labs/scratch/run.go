package scratch

import (
	"context"
	"fmt"
	"time"

	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/harness/record"
	"github.com/baselab/baselab/labs/lab"
)

func runLab(ctx context.Context, env *lab.Env) ([]record.Record, error) {
	// Nothing here is slow: --short skips no step.
	vs := lab.Select(env, "scratch", table, func(v Variant) string { return v.Name }, nil)
	if len(vs) == 0 {
		return nil, nil
	}
	env.Logf("scratch: building the program on the host: static (CGO_ENABLED=0), cgo (CGO_ENABLED=1), static with -tags timetzdata; and the HTTPS server")
	bins, srvBin, err := buildPrograms(ctx)
	if err != nil {
		return nil, err
	}
	for _, o := range buildOptions {
		b := bins[o.kind]
		env.Logf("scratch: program %-13s %8d bytes, %s", o.kind, len(b.bin), b.elf.Describe())
	}
	env.Logf("scratch: time/tzdata adds %d bytes to the static binary", len(bins[TzdataBinary].bin)-len(bins[StaticBinary].bin))

	resolved, err := env.Catalog.EnsureAll(ctx, images.Scratch, images.DistrolessStatic)
	if err != nil {
		return nil, fmt.Errorf("resolve bases: %w", err)
	}
	baseOf := map[images.Key]images.Image{resolved[0].Key: resolved[0], resolved[1].Key: resolved[1]}
	deb, err := readDebian(ctx, env.Engine, baseOf[images.DistrolessStatic].Ref)
	if err != nil {
		return nil, err
	}
	env.Logf("scratch: Debian's files (from %s): CA bundle %d bytes, %d certificates; zoneinfo %d bytes (%s alone: %d)",
		baseOf[images.DistrolessStatic].Ref, len(deb.bundle), deb.bundleCerts, deb.zoneinfoBytes, Zone, deb.zoneFileBytes)

	ca, err := newCA(Host, env.Engine.RunID, time.Now())
	if err != nil {
		return nil, err
	}
	bundle := append(append([]byte{}, deb.bundle...), ca.caPEM...)
	env.Logf("scratch: made the run's CA (%s) and a certificate for %s; the fixed images' bundle is Debian's + this CA (%d bytes)",
		ca.subject, Host, len(bundle))

	imgs, err := buildImages(ctx, env, vs, bins, srvBin, bundle)
	defer removeImages(context.WithoutCancel(ctx), env, imgs.perRun)
	if err != nil {
		return nil, err
	}
	env.Logf("scratch: the program alone on scratch is %d bytes; each fix below says what it adds to that", imgs.baseline.SizeBytes)

	srv, err := startServer(ctx, env, "scratch", imgs.server, ca)
	// Removed before the network (Close's order); the run's sweep is
	// behind a failure to.
	defer srv.Close(context.WithoutCancel(ctx), env)
	if err != nil {
		return nil, err
	}
	nw := srv.Network
	env.Logf("scratch: HTTPS server up on network %s as %s", nw, Host)

	rs, err := lab.RunCells(ctx, env, vs, 4, func(ctx context.Context, i int, v Variant) (record.Record, error) {
		c := cell{v: v, img: imgs.steps[v.Name], base: baseOf[v.Base], prog: bins[v.Binary],
			baseline: imgs.baseline, deb: deb, network: nw}
		r, err := c.run(ctx, env)
		if err != nil {
			return r, fmt.Errorf("step %d/%d %s: %w", i+1, len(vs), v.Name, err)
		}
		return r, nil
	}, func(i int, v Variant, r record.Record) string { return progress(i, len(vs), v, r) })
	if gets, failed, lerr := srv.Requests(context.WithoutCancel(ctx)); lerr == nil {
		env.Logf("scratch: the server saw %d requests and %d failed handshakes", gets, failed)
	}
	return rs, err
}

// progress is a step's line: cells run side by side, a reader follows the
// steps in walkthrough order and sees at once whether the table held.
func progress(i, n int, v Variant, r record.Record) string {
	verdict := "as expected"
	if r.Outcome != v.Want {
		verdict = "UNEXPECTED, the table says " + v.Want
	}
	return fmt.Sprintf("step %d/%d %s [%s, %s]: %s, %s\n    %s\n    evidence: %s",
		i+1, n, v.Name, v.Base, v.Dockerfile, r.Outcome, verdict, r.Detail, r.Evidence)
}
