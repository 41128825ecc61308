package scratch

import "github.com/baselab/baselab/labs/lab"

// fields are the fields a step's record carries beyond the common ones. The
// check fields (uid … tz_error) are there only when the program ran and
// printed that check; the bundle and zoneinfo measures only on the steps
// that copy them.
var fields = []lab.Field{
	{Name: "case", Kind: lab.Str, Meaning: "what the step shows, as a sentence"},
	{Name: "dockerfile", Kind: lab.Str, Meaning: "the step's Dockerfile, in labs/scratch/dockerfiles"},
	{Name: "args", Kind: lab.Str, Meaning: "the program's arguments (-url, -tz), space-separated"},
	{Name: "binary", Kind: lab.Str, Meaning: "how the program was built: static, cgo or static+tzdata"},
	{Name: "binary_bytes", Kind: lab.Num, Meaning: "the program's size, in bytes"},
	{Name: "static", Kind: lab.Bool, Meaning: "the program has no ELF interpreter"},
	{Name: "interpreter", Kind: lab.Str, Meaning: "the program's ELF interpreter (PT_INTERP); empty when static"},
	{Name: "image_bytes", Kind: lab.Num, Meaning: "the step's image size, in bytes"},
	{Name: "adds", Kind: lab.Str, Meaning: "what the image adds to the program alone on scratch"},
	{Name: "adds_bytes", Kind: lab.Num, Meaning: "image bytes minus the program alone on scratch"},
	{Name: "container_started", Kind: lab.Bool, Meaning: "the engine started the container"},
	{Name: "exit_code", Kind: lab.Num, Meaning: "the container's exit code (-1: not started)"},
	{Name: "start_error", Kind: lab.Str, Meaning: "the engine's error when it refused to start the container"},
	{Name: "container_ms", Kind: lab.Num, Meaning: "container create to exit, in ms"},
	{Name: "uid", Kind: lab.Num, Meaning: "the uid the program ran as"},
	{Name: "gid", Kind: lab.Num, Meaning: "the gid the program ran as"},
	{Name: "user_name", Kind: lab.Str, Meaning: "the user's name from /etc/passwd; empty when none names it"},
	{Name: "user_error", Kind: lab.Str, Meaning: "os/user's error looking the user up"},
	{Name: "home", Kind: lab.Str, Meaning: "the user's home directory"},
	{Name: "url", Kind: lab.Str, Meaning: "the URL the program fetched"},
	{Name: "http_status", Kind: lab.Num, Meaning: "the HTTPS response's status (0: no response)"},
	{Name: "https_ms", Kind: lab.Num, Meaning: "the HTTPS request's time, in ms"},
	{Name: "https_error", Kind: lab.Str, Meaning: "the HTTPS request's error"},
	{Name: "public_chain_verified", Kind: lab.Bool, Meaning: "a real public leaf and intermediate (programs/app/public-chain.pem) verified against the image's roots at a fixed instant, offline"},
	{Name: "public_chain_root", Kind: lab.Str, Meaning: "the root of the image's bundle the public chain verified to"},
	{Name: "public_chain_error", Kind: lab.Str, Meaning: "crypto/x509's error verifying the public chain"},
	{Name: "zone", Kind: lab.Str, Meaning: "the time zone the program loaded"},
	{Name: "zone_abbrev", Kind: lab.Str, Meaning: "the zone's abbreviation at the probe instant (EDT)"},
	{Name: "zone_offset_s", Kind: lab.Num, Meaning: "the zone's UTC offset at the probe instant, in seconds"},
	{Name: "tz_error", Kind: lab.Str, Meaning: "time.LoadLocation's error"},
	{Name: "bundle_bytes", Kind: lab.Num, Meaning: "Debian's CA bundle's size, before the run's CA is appended"},
	{Name: "bundle_debian_certs", Kind: lab.Num, Meaning: "certificates in Debian's CA bundle"},
	{Name: "zoneinfo_file_bytes", Kind: lab.Num, Meaning: "bytes of the regular files under Debian's /usr/share/zoneinfo"},
	{Name: "zone_file_bytes", Kind: lab.Num, Meaning: "bytes of the zone's file alone"},
}
