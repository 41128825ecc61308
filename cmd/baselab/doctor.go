package main

import (
	"github.com/baselab/baselab/labs/doctor"
	"github.com/spf13/cobra"
)

func newDoctorCmd() *cobra.Command {
	var c doctor.Command
	cmd := &cobra.Command{
		Use:   "doctor [flags] IMAGE...",
		Short: "Read an image's files and config and predict the failures the labs reproduce, file by file",
		Long: `doctor reads an image the engine has — its files through a created, never
started container (so scratch and distroless work), its config (Entrypoint,
Cmd, User, Env) — and says which failures are waiting in it, each with the
file, the evidence, the error text it will print, and the lab that
reproduces it:

  missing-loader           an ELF program whose PT_INTERP is not there: exec ...: no such file or directory
  missing-library          a DT_NEEDED library in none of the loader's paths
  missing-symbol           a symbol or version (GLIBC_2.38) the image's C library does not define
  same-name-other-meaning  glibc's strerror_r or basename bound to musl's: may crash
  python-tag               an extension module no CPython in the image loads; a manylinux wheel on musl
  ca-bundle                TLS (Go crypto/tls, libssl) and no CA bundle: x509: certificate signed by unknown authority
  time-zones               TZ or time.LoadLocation and no zoneinfo: unknown time zone
  user                     User not in /etc/passwd: the engine refuses to start; a number with no entry runs in group 0
  interpreter              Entrypoint/Cmd or a #! naming a program the image lacks
  dns-config               RES_OPTIONS musl ignores; a glibc before 2.35 without /etc/nsswitch.conf

It never pulls, and runs nothing unless --confirm is given: then each
finding is provoked in a container of the image (the program exec'd, the
module imported, the container started; the scratch lab's program,
bind-mounted, makes the HTTPS call to the lab's server, loads a zone and
reports its ids) and marked confirmed, not confirmed, or not run (why).
The DNS findings need your lookup command: with --probe CMD ({name} is the
name to look up) a RES_OPTIONS finding runs CMD in the image under the DNS
lab's race fault (confirmed when it waits musl's 2.5 s resend, as musl's
source predicts) and under ok (the control: fast); a nsswitch finding
(glibc before 2.35 without /etc/nsswitch.conf: DNS before /etc/hosts)
runs CMD with the name in /etc/hosts and NXDOMAIN from DNS (confirmed
when every run asks DNS, in the server's log); without --probe they say
"not run" and how.

Exit status: 0 no error finding (warnings may be printed); 1 an error
finding; 2 a bad flag (--probe without {name} or without --confirm); 3 an
image doctor cannot judge (not in the engine, not Linux, nothing in it that
runs, an unreadable layer) or no engine.`,
		Example: `  baselab doctor myapp:alpine
  baselab doctor --json myapp:alpine > doctor.json
  baselab doctor --confirm myapp:alpine                 # and run each predicted failure
  baselab doctor --confirm --probe 'python3 -S -c "import socket,sys; socket.getaddrinfo(sys.argv[1], 443)" {name}' myapp:alpine   # the DNS findings too
  baselab doctor --junit doctor.xml myapp:alpine myapp:slim`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return exitWith(c.Run(cmd.Context(), args, cmd.OutOrStdout(), cmd.ErrOrStderr()))
		},
	}
	f := cmd.Flags()
	f.BoolVar(&c.JSON, "json", false, "write the findings as JSON")
	f.StringVar(&c.JUnit, "junit", "", "also write JUnit XML to this file (one case per check), for CI")
	f.BoolVar(&c.Confirm, "confirm", false, "run each finding's face in a container of the image (exec, import, start, HTTPS call, zone load, ids) and say whether it showed")
	f.StringVar(&c.Probe, "probe", "", "with --confirm: your lookup command, {name} for the name; the DNS findings run it under the DNS lab's faults, timed inside the container")
	return cmd
}
