package main

import (
	"strings"

	"github.com/baselab/baselab/labs/lint"
	"github.com/spf13/cobra"
)

func newLintCmd() *cobra.Command {
	var c lint.Command
	cmd := &cobra.Command{
		Use:   "lint [flags] DOCKERFILE... | -",
		Short: "Read a Dockerfile and flag what the labs show breaking, each finding backed by a lab",
		Long: `lint reads Dockerfiles with BuildKit's own parser and flags two kinds of
problem. What the labs reproduce: a glibc build copied into a musl stage
(the wheel lab's ModuleNotFoundError, Error relocating, segfault, and
"exec ...: no such file or directory"), a cgo binary on scratch, a scratch
image with no CA bundle, zoneinfo or /etc/passwd for its USER (the scratch
lab), a resolv.conf "fix" written at build time that musl ignores and the
engine replaces anyway (the dns lab). And the course's advice: tags and
digests, build tools and compilers in the final image, root, unpinned
packages. 'baselab lint --rules' lists the rules.

Each finding names the lab that reproduces it; with --results DIR (a
'baselab run' output folder) it also prints the record that shows it:
lab/variant, outcome, evidence, image@digest.

How it reads the file:
  - ARGs in FROM are substituted: defaults, then --build-arg. A FROM whose
    ARG has no value gets a note naming the --build-arg that would let it
    judge the stage. A --build-arg value may be a catalog key
    ('baselab fixtures list'), the way the labs pass their bases.
  - The image judged is the last stage (or --target) with the stages it is
    built FROM; COPY --from a stage, an index or an image is followed.
  - --context DIR reads the files COPY takes from the build context: is the
    program static, which loader does it name, how was a Go binary built.
  - "# baselab-ignore: BL011, BL012" directly above an instruction silences
    those rules there (above FROM for a whole-stage finding); --ignore ID
    silences one everywhere.

Output: text for a person (path:line: severity ID: ..., then why and the
records), --format json, --format sarif (SARIF 2.1.0, for code-scanning
uploads), and --junit FILE beside any of them (one case per rule; a rule
with an error finding fails).

Exit status: 0 no error finding (warnings and infos may be printed); 1 an
error finding; 2 a Dockerfile BuildKit refuses (one line: path:line:
message, with the parser's line) or a bad flag.`,
		Example: `  baselab lint Dockerfile
  baselab lint --rules
  baselab lint --build-arg BASE=python:3.11-alpine Dockerfile        # judge FROM ${BASE}
  baselab lint --context . Dockerfile                                 # also read the programs it copies
  baselab lint --results results/latest Dockerfile                    # each finding with the lab record behind it
  baselab lint --format sarif Dockerfile > baselab.sarif              # for a code-scanning upload
  baselab lint --junit lint.xml --ignore BL012 Dockerfile             # CI: JUnit beside the text, no pin advice
  cat Dockerfile | baselab lint -                                     # standard input
  baselab lint --build-arg PYSLIM=python-slim --build-arg PYALPINE=python-alpine \
      labs/wheel/dockerfiles/multistage.Dockerfile                    # a lab's own Dockerfile: BL003, exit 1`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return exitWith(c.Run(args, cmd.InOrStdin(), cmd.OutOrStdout(), cmd.ErrOrStderr()))
		},
	}
	f := cmd.Flags()
	f.StringVar(&c.Format, "format", "text", "report format: "+strings.Join(lint.Formats, ", "))
	f.StringVar(&c.JUnit, "junit", "", "also write JUnit XML to this file, for CI")
	f.StringArrayVar(&c.Ignore, "ignore", nil, "rule id not to report (repeatable, or comma-separated)")
	f.StringArrayVar(&c.BuildArgs, "build-arg", nil, "KEY=VALUE for an ARG, as docker build takes it (repeatable); KEY alone takes the environment's value")
	f.StringVar(&c.Target, "target", "", "judge this stage's image instead of the last stage's")
	f.StringVar(&c.Context, "context", "", "build context folder: read the files COPY takes from it")
	f.StringVar(&c.Results, "results", "", "a results folder (or results.jsonl): print the lab record behind each finding")
	f.BoolVar(&c.Rules, "rules", false, "list the rules and exit")
	return cmd
}
