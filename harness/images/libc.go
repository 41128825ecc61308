package images

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/baselab/baselab/harness/run"
)

// The two C libraries answer "which version are you" when run as programs:
// musl's dynamic loader, called by its own name with no arguments, prints
// "musl libc (x86_64)\nVersion 1.2.5" (ldso/dynlink.c, __dls3); glibc's
// libc.so.6 prints "GNU C Library (...) stable release version 2.36."
// (csu/version.c). Asking the image itself is what keeps a record's libc
// from being the catalog's belief about the image.
var (
	muslLoader  = "/lib/ld-musl-x86_64.so.1"
	glibcLib    = "/lib/x86_64-linux-gnu/libc.so.6" // Debian's multiarch path, which usrmerge also serves from /usr/lib
	muslVersion = regexp.MustCompile(`(?m)^Version (\d+\.\d+\.\d+)`)
	glibcVer    = regexp.MustCompile(`release version (\d+\.\d+)`)
)

// ReadLibc runs ref's C library and returns "musl-X.Y.Z", "glibc-X.Y", or
// "none" when the image has neither (scratch, distroless/static).
func (c *Catalog) ReadLibc(ctx context.Context, ref string) (string, error) {
	im, err := c.once("libc:"+ref, func() (Image, error) {
		libc, err := c.readLibc(ctx, ref)
		return Image{Libc: libc}, err
	})
	return im.Libc, err
}

// readLibc asks glibc first: a Debian image with musl-tools (builder) has
// musl's loader too, but its programs are glibc's.
func (c *Catalog) readLibc(ctx context.Context, ref string) (string, error) {
	out, ok, err := c.runLibc(ctx, ref, glibcLib)
	if err != nil {
		return "", err
	}
	if ok {
		if m := glibcVer.FindStringSubmatch(out); m != nil {
			return "glibc-" + m[1], nil
		}
		return "", fmt.Errorf("read libc of %s: %s ran but printed no version: %s", ref, glibcLib, run.FirstLine(out))
	}
	out, ok, err = c.runLibc(ctx, ref, muslLoader)
	if err != nil {
		return "", err
	}
	if ok {
		if m := muslVersion.FindStringSubmatch(out); m != nil {
			return "musl-" + m[1], nil
		}
		return "", fmt.Errorf("read libc of %s: %s ran but printed no version: %s", ref, muslLoader, run.FirstLine(out))
	}
	return "none", nil
}

// runLibc runs prog as the entrypoint of ref; ok is false when the image has
// no such file (the runtime could not exec it).
func (c *Catalog) runLibc(ctx context.Context, ref, prog string) (string, bool, error) {
	res, err := run.Once(ctx, c.eng, run.Spec{Image: ref, Entrypoint: []string{prog}, Cmd: []string{}})
	if err != nil {
		return "", false, fmt.Errorf("read libc of %s: %w", ref, err)
	}
	text := res.Stdout + res.Stderr
	if !res.Started || run.ExecNotFound(text) {
		return "", false, nil
	}
	return text, true, nil
}

// withLibc replaces the catalog's libc label by the one read from the image,
// and says so when they disagree (a suite moved on under its default).
func (c *Catalog) withLibc(ctx context.Context, im Image) (Image, error) {
	if !im.Built || im.Ref == "" {
		return im, nil
	}
	libc, err := c.ReadLibc(ctx, im.Ref)
	if err != nil {
		return im, err
	}
	if im.Libc != "" && im.Libc != libc && !strings.HasPrefix(string(im.Key), "lab-") {
		fmt.Fprintf(c.progress, "%s: the catalog says %s, the image says %s: the record takes the image's word\n", im.Key, im.Libc, libc)
	}
	im.Libc = libc
	return im, nil
}
