// Command baselab reproduces, measures and records the failures that come
// with a container base-image choice: Alpine (musl), Debian slim (glibc),
// distroless and scratch. See `baselab --help`.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
	tclog "github.com/testcontainers/testcontainers-go/log"
)

func main() {
	// (engine.Connect turns testcontainers' reaper off unless told
	// otherwise: it cannot be pulled without a registry.)
	// baselab prints its own progress, a line per step; testcontainers'
	// per-container lines would bury it.
	tclog.SetDefault(tclog.NewNoopLogger())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root := newRootCmd()
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "baselab:", err)
		os.Exit(exitCode(err))
	}
}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "baselab",
		Short: "Reproduce and measure what a container base image choice breaks",
		Long: `baselab runs real containers on Alpine (musl), Debian slim (glibc),
distroless and scratch bases next to a fake DNS server, reproduces the
failures a base image choice brings (the Alpine DNS delay, glibc-built Python
wheels on musl, scratch images without CA certificates, tzdata or passwd),
measures them, and writes the evidence to results.jsonl and a report.

Images come from a catalog (see 'baselab fixtures list'). Without a registry,
every base is built here from Debian packages as a labelled stand-in.

Environment:
  BASELAB_IMAGES=auto|registry|local   where images come from (default auto)
  BASELAB_DEBIAN_MIRROR=URL            Debian mirror for debootstrap
  BASELAB_DISTROLESS_REPO=PATH         registry path of the real distroless images
  DOCKER_HOST                          the Docker engine to use`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usage(err) })
	root.AddCommand(newFixturesCmd(), newRunCmd(), newCleanCmd())
	addMoreCommands(root)
	return root
}
