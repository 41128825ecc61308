package scratch

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/harness/record"
	"github.com/baselab/baselab/harness/run"
	"github.com/baselab/baselab/labs/lab"
)

// cell is one step, with what the run built for it.
type cell struct {
	v        Variant
	img      stepImage
	base     images.Image
	prog     program
	baseline images.Image
	deb      debian
	network  string
}

func (c cell) args() []string {
	var a []string
	if c.v.HTTPS {
		a = append(a, "-url", URL)
	}
	if c.v.Chain {
		a = append(a, "-public-chain")
	}
	if c.v.TZ {
		a = append(a, "-tz", Zone)
	}
	return a
}

func (c cell) run(ctx context.Context, env *lab.Env) (record.Record, error) {
	started := time.Now().UTC()
	cctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	res, err := run.Once(cctx, env.Engine, run.Spec{Image: c.img.im.Ref, Cmd: c.args(), Network: c.network, Lab: "scratch"})
	if err != nil {
		return record.Record{Lab: "scratch", Variant: c.v.Name}, err
	}
	return c.record(res, started), nil
}

// record is what a step's container run shows, with what the step measured.
func (c cell) record(res run.Result, started time.Time) record.Record {
	r := record.Record{Lab: "scratch", Variant: c.v.Name, Tries: 1, Started: started}
	lab.Stamp(&r, c.base)
	r.Image = c.img.im.Evidence()
	checks := parse(res.Stdout)
	r.Outcome, r.Evidence = classify(res, checks)
	if r.Outcome == lab.Works {
		r.OK = 1
	} else {
		r.Failed = 1
	}
	if done, ok := checks["done"]; ok {
		r.Timings([]float64{done.MS})
	}
	r.Detail = c.detail(res, checks)

	r.Set("case", c.v.Case)
	r.Set("dockerfile", c.img.dockerfile)
	r.Set("args", strings.Join(c.args(), " "))
	r.Set("binary", string(c.v.Binary))
	r.Set("binary_bytes", len(c.prog.bin))
	r.Set("static", c.prog.elf.Static())
	r.Set("interpreter", c.prog.elf.Interp)
	r.Set("image_bytes", c.img.im.SizeBytes)
	r.Set("adds", c.v.Adds)
	r.Set("adds_bytes", c.img.im.SizeBytes-c.baseline.SizeBytes)
	r.Set("container_started", res.Started)
	r.Set("exit_code", res.ExitCode)
	r.Set("start_error", res.StartError)
	r.Set("container_ms", float64(res.Duration.Microseconds())/1000)
	if u, ok := checks["user"]; ok {
		r.Set("uid", orNull(u.UID))
		r.Set("gid", orNull(u.GID))
		r.Set("user_name", u.Name)
		r.Set("user_error", u.Error)
		r.Set("home", u.Home)
	}
	if h, ok := checks["https"]; ok {
		r.Set("url", URL)
		r.Set("http_status", h.Status)
		r.Set("https_ms", h.MS)
		r.Set("https_error", h.Error)
	}
	if ch, ok := checks["chain"]; ok {
		r.Set("public_chain_verified", ch.OK)
		r.Set("public_chain_root", ch.Root)
		r.Set("public_chain_error", ch.Error)
	}
	if z, ok := checks["tz"]; ok {
		r.Set("zone", z.Zone)
		r.Set("zone_abbrev", z.Abbrev)
		r.Set("zone_offset_s", orNull(z.OffsetS))
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
	return r
}

// orNull is a number the program may not have printed: JSON null then, as
// before, but a plain int otherwise so that the record's getters read it.
func orNull(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

func (c cell) detail(res run.Result, checks map[string]Check) string {
	var parts []string
	if !res.Started {
		parts = append(parts, "the engine did not start the container")
	} else if len(checks) == 0 {
		parts = append(parts, fmt.Sprintf("the program never ran (exit code %d)", res.ExitCode))
		if c.prog.elf.Interp != "" {
			parts = append(parts, "the kernel found no "+c.prog.elf.Interp+", the loader the binary names")
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
			parts = append(parts, fmt.Sprintf("HTTPS %d from %s", h.Status, Host))
		} else {
			parts = append(parts, "HTTPS failed")
		}
	}
	if ch, ok := checks["chain"]; ok {
		if ch.OK {
			parts = append(parts, "the public chain verifies to "+ch.Root+" from the image's bundle")
		} else {
			parts = append(parts, "the public chain does not verify from the image's roots")
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
