package main

import (
	"fmt"
	"strings"

	"github.com/baselab/baselab/harness/record"
	"github.com/baselab/baselab/labs/claims"
	"github.com/baselab/baselab/labs/recommend"
	"github.com/spf13/cobra"
)

func newRecommendCmd() *cobra.Command {
	var in recommend.Input
	var results string
	cmd := &cobra.Command{
		Use:   "recommend --lang LANG [--native-deps] [--need-shell] [--https] [--size-priority low|medium|high] [--regulatory]",
		Short: "Choose a base image (course exercise 5), each reason backed by a lab result",
		Long: `recommend walks the course's decision tree (exercise 5; Q5 "How do you
choose a base image") and prints a base image with its reasons. Each reason
cites a claim of the course claims file ('baselab claims course') and the lab
cell that verifies or refutes it; with --results DIR it also prints what that
cell measured.

The questions, in order:

 1. Language. A static binary (Go, Rust, C without --native-deps) needs no
    libc: scratch or distroless/static can run it (lab scratch:
    static-binary). Go's own resolver is not hit by the parallel-query DNS
    delay (lab dns: distroless-static/race).
 2. Native dependencies. Pre-built binaries are built for glibc; on Alpine's
    musl they are not found, fail to relocate or segfault (lab wheel), and a
    glibc program cannot even exec (lab wheel: glibc program on alpine).
    → slim, or distroless (glibc underneath).
 3. Operations. --need-shell rules out scratch and distroless (lab surface:
    shells). --regulatory prefers distroless: no shell, no package manager, a
    package database scanners can read, a non-root user.
 4. Size. --size-priority high picks the smallest that works: scratch for a
    static binary (copy the CA bundle for --https: lab scratch: no-ca-bundle),
    Alpine for pure interpreted code — with the DNS caveat the labs measured:
    musl stalls 2.5 s per lookup when a parallel query is lost, and
    "options single-request" does not help on musl (lab dns:
    alpine/race/single-request).

Otherwise slim: the course's default for production.`,
		Example: `  baselab recommend --lang go --https --size-priority high --regulatory   # scenario 4 → scratch + CA bundle
  baselab recommend --lang python --native-deps                          # scenario 1 → python:3.11-slim
  baselab recommend --lang node --size-priority high                     # scenario 2 → node:20-alpine (read the caveats)
  baselab recommend --lang java --need-shell                             # scenario 3 → eclipse-temurin:21-jre
  baselab recommend --lang php --native-deps                             # scenario 5 → php:8.3-apache
  baselab recommend --lang node --size-priority high --results results/latest`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if in.Lang == "" {
				return fmt.Errorf("--lang is required: one of %s", strings.Join(recommend.Langs, ", "))
			}
			r, err := recommend.Recommend(in)
			if err != nil {
				return err
			}
			course, err := recommend.Course()
			if err != nil {
				return err
			}
			var vs []claims.Verdict
			if results != "" {
				rs, err := record.Read(results)
				if err != nil {
					return err
				}
				vs = claims.Evaluate(course, rs)
			}
			recommend.Write(cmd.OutOrStdout(), r, course, vs)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&in.Lang, "lang", "", "language or runtime: "+strings.Join(recommend.Langs, ", "))
	f.BoolVar(&in.NativeDeps, "native-deps", false, "compiled extensions or C libraries (numpy, bcrypt, PHP extensions, cgo)")
	f.BoolVar(&in.NeedShell, "need-shell", false, "people exec into production containers to debug")
	f.BoolVar(&in.HTTPS, "https", false, "the workload makes HTTPS calls (needs CA certificates)")
	f.StringVar(&in.Size, "size-priority", "medium", "how much image size matters: low, medium or high (bare flag: high)")
	f.Lookup("size-priority").NoOptDefVal = "high"
	f.BoolVar(&in.Regulatory, "regulatory", false, "audits want a minimal, scannable surface: few packages, no shell, non-root")
	f.StringVar(&results, "results", "", "a results folder: print what each cited lab cell measured")
	return cmd
}
