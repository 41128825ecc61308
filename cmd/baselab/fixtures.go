package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/baselab/baselab/harness/engine"
	"github.com/baselab/baselab/harness/images"
	"github.com/spf13/cobra"
)

func newFixturesCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "fixtures",
		Short: "Build and list the base images the labs run on",
		Long: `The image catalog names each base the way the course does. A key resolves to
the real registry image when one can be had, or to an offline stand-in built
here from Debian packages (BASELAB_IMAGES=auto|registry|local).

Stand-ins are tagged baselab/<key>:<hash of their inputs>: a change under
fixtures/ rebuilds exactly what it touches, an unchanged tree builds nothing.`,
	}
	cmd.AddCommand(newFixturesBuildCmd(), newFixturesListCmd())
	return cmd
}

func newFixturesBuildCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "build [KEY...]",
		Short: "Build (or find) the images for KEYs, all keys when none are given",
		Example: `  baselab fixtures build                 # every base, offline stand-ins where needed
  baselab fixtures build alpine slim     # just these two (and what they are built on)
  BASELAB_IMAGES=local baselab fixtures build   # never pull`,
		RunE: func(cmd *cobra.Command, args []string) error {
			keys, err := images.ParseKeys(args)
			if err != nil {
				return err
			}
			eng, cat, err := connect(cmd)
			if err != nil {
				return err
			}
			defer eng.Close()
			start := time.Now()
			ims, err := cat.EnsureAll(cmd.Context(), keys...)
			if err != nil {
				return err
			}
			for _, im := range ims {
				fmt.Fprintf(cmd.OutOrStdout(), "%-18s %s\n", im.Key, im.Ref)
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "%d images ready in %s\n", len(ims), time.Since(start).Round(10*time.Millisecond))
			return nil
		},
	}
}

func newFixturesListCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List every catalog key with its image, size, libc and whether it is built",
		RunE: func(cmd *cobra.Command, args []string) error {
			eng, cat, err := connect(cmd)
			if err != nil {
				return err
			}
			defer eng.Close()
			ims, err := cat.List(cmd.Context())
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				for _, im := range ims {
					if err := enc.Encode(im); err != nil {
						return err
					}
				}
				return nil
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "KEY\tSIZE\tLIBC\tSTAND-IN FOR\tREF")
			for _, im := range ims {
				size := "not built"
				if im.Built {
					size = fmt.Sprintf("%.1f MB", float64(im.SizeBytes)/1e6)
				}
				sf := "-"
				if im.Standin {
					sf = im.StandinFor
					if sf == "" {
						sf = "(none: built here only)"
					}
				}
				ref := im.Ref
				if ref == "" {
					ref = "(depends on images not built yet)"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", im.Key, size, im.Libc, sf, ref)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "one JSON object per key: key, ref, id, size_bytes, libc, standin, standin_for, built")
	return cmd
}

// connect opens the engine and the catalog, with build progress on stderr.
func connect(cmd *cobra.Command) (*engine.Engine, *images.Catalog, error) {
	eng, err := engine.Connect(cmd.Context())
	if err != nil {
		return nil, nil, err
	}
	cat, err := images.New(eng, images.Options{Progress: os.Stderr})
	if err != nil {
		eng.Close()
		return nil, nil, err
	}
	return eng, cat, nil
}

func newCleanCmd() *cobra.Command {
	var keepImages bool
	cmd := &cobra.Command{
		Use:   "clean",
		Short: "Remove every container, network and image baselab created (by label), nothing else",
		Long: `clean removes what carries the label org.baselab.project=baselab: lab
containers, lab networks, and (unless --keep-images) the stand-ins and lab
images. The engine may be shared: nothing without the label is touched.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			eng, err := engine.Connect(cmd.Context())
			if err != nil {
				return err
			}
			defer eng.Close()
			s, err := eng.Clean(cmd.Context(), engine.CleanOptions{Images: !keepImages})
			what := []string{fmt.Sprintf("%d containers", s.Containers), fmt.Sprintf("%d networks", s.Networks)}
			if !keepImages {
				what = append(what, fmt.Sprintf("%d images", s.Images))
			}
			fmt.Fprintf(cmd.OutOrStdout(), "removed %s\n", strings.Join(what, ", "))
			return err
		},
	}
	cmd.Flags().BoolVar(&keepImages, "keep-images", false, "keep built images (rebuilding all stand-ins takes minutes)")
	return cmd
}
