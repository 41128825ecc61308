package dns

import (
	"context"
	"fmt"
	"net/netip"
	"strings"

	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/harness/run"
)

// The hosts preset (--options hosts): the cell's name is in /etc/hosts
// with one address and in DNS with others. Which one a lookup returns is
// the lookup order, and each resolver takes it from somewhere else: glibc
// from /etc/nsswitch.conf (or its built-in default without one), musl
// from nowhere (files first, always), Go from nsswitch.conf read by
// itself.
const hostsPreset = "hosts"

// hostsPrefix is the TEST-NET-2 block (RFC 5737) the lab's /etc/hosts
// maps names into; dnsfaker answers from TEST-NET-1 and 2001:db8::/32, so
// an address says where it came from.
var hostsPrefix = netip.MustParsePrefix("198.51.100.0/24")

// The nsswitch.conf a hosts cell's container has: the image's own
// ("image": Debian's "hosts: files dns" on slim, distroless-base and
// distroless-static; none on alpine and scratch), none at all
// ("missing": slim with the file removed), or one bind-mounted that puts
// DNS first ("dns-first": "hosts: dns files").
const (
	nssImage    = "image"
	nssMissing  = "missing"
	nssDNSFirst = "dns-first"
)

const dnsFirstNSS = "hosts: dns files\n"

func isHostsBox(options string) bool { return strings.HasPrefix(options, hostsPreset+":") }

// hostsModes are the nsswitch.conf modes a base's hosts cells run. missing
// needs a shell in the base to remove the file, and differs from image
// only where the image has one: glibc bases with a shell. Go's scratch
// has no nsswitch.conf, so its image cell is the missing case.
func hostsModes(b images.Key) []string {
	switch b {
	case images.Slim, images.Full, images.PythonSlim:
		return []string{nssImage, nssMissing, nssDNSFirst}
	}
	return []string{nssImage, nssDNSFirst}
}

// imageHasNSS says whether a base's own image has /etc/nsswitch.conf with
// "hosts: files dns" (checked on the stand-ins: Debian's base-files and
// the distroless layouts carry it; alpine's and scratch's do not).
func imageHasNSS(b images.Key) bool {
	switch b {
	case images.Slim, images.Full, images.PythonSlim, images.DistrolessBase, images.DistrolessStatic:
		return true
	}
	return false
}

// predictHosts is where each resolver's source says the address comes
// from: "hosts" (the /etc/hosts line, IPv4 only: a-only, no query) or
// "dns" (both families from the server, one A and one AAAA query).
func predictHosts(resolver string, b images.Key, nss string) (string, []nsAlt, string) {
	files := []nsAlt{{Result: "a-only", Servers: nil}}
	dns := []nsAlt{{Result: "both", Servers: []int{1}}}
	switch resolver {
	case "musl":
		return "hosts", files, "musl src/network/lookup_name.c __lookup_name: name_from_hosts before name_from_dns_search, always; musl has no NSS and never reads nsswitch.conf"
	case "glibc":
		switch {
		case nss == nssDNSFirst:
			return "dns", dns, "glibc nss: \"hosts: dns files\" asks nss_dns first, and its answer ends the lookup"
		case nss == nssMissing || !imageHasNSS(b):
			return "hosts", files, "glibc 2.36 nss/nss_database.c: without nsswitch.conf the hosts default is nss_database_default_dns, \"files dns\" (since 2.35, bug 28700; before it \"dns [!UNAVAIL=return] files\", nss/hosts-lookup.c to 2.32 and nss_database.c in 2.33-2.34, put DNS first)"
		}
		return "hosts", files, "the image's nsswitch.conf says \"hosts: files dns\": nss_files answers from /etc/hosts"
	case "go":
		switch {
		case nss == nssDNSFirst:
			return "dns", dns, "Go net/conf.go hostLookupOrder: nsswitch.conf \"hosts: dns files\" is hostLookupDNSFiles; the DNS answer ends the lookup"
		case !imageHasNSS(b):
			return "hosts", files, "Go net/conf.go hostLookupOrder: no /etc/nsswitch.conf (fs.ErrNotExist) is hostLookupFilesDNS: /etc/hosts first"
		}
		return "hosts", files, "Go net/conf.go hostLookupOrder: \"hosts: files dns\" is hostLookupFilesDNS: /etc/hosts first"
	}
	return "", nil, "no prediction from source: measured only"
}

// hostsAddr is the /etc/hosts address of cell name n: 198.51.100.x, x
// from the name's number.
func hostsAddr(n int) netip.Addr {
	return netip.AddrFrom4([4]byte{198, 51, 100, byte(1 + n%254)})
}

// writeHostsFiles writes the hosts cells' /etc/hosts (every hosts cell's
// name, one shared file) and the dns-first nsswitch.conf.
func (rg *rig) writeHostsFiles(cells []cell) error {
	var b strings.Builder
	b.WriteString("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n")
	n := 0
	for _, c := range cells {
		if c.preset != nil && c.preset.nss != "" {
			n++
			fmt.Fprintf(&b, "%s\t%s\n", hostsAddr(n), c.name)
		}
	}
	if n == 0 {
		return nil
	}
	var err error
	if rg.hostsPath, err = writeTemp(rg.dir, "hosts", b.String()); err != nil {
		return err
	}
	rg.nssPath, err = writeTemp(rg.dir, "nsswitch-dns-first.conf", dnsFirstNSS)
	return err
}

// writeUserHosts writes the /etc/hosts of --image --in-hosts: every
// user cell's name, each with its own 198.51.100.x address, as
// writeHostsFiles does for the hosts preset. The control's names and the
// preflight's are left out: they measure the command against DNS.
func writeUserHosts(dir string, cells []cell) (string, error) {
	var b strings.Builder
	b.WriteString("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n")
	n := 0
	for _, c := range cells {
		if c.inHosts {
			n++
			fmt.Fprintf(&b, "%s\t%s\n", hostsAddr(n), c.name)
		}
	}
	return writeTemp(dir, "hosts-image", b.String())
}

// presetBox is what a preset box adds to a probe container: the lab's
// /etc/hosts, the dns-first nsswitch.conf, or the image without
// nsswitch.conf.
func (rg *rig) presetBox(base images.Key, options string) ([]run.Bind, images.Image, bool) {
	if !isHostsBox(options) {
		return nil, images.Image{}, false
	}
	binds := []run.Bind{{Host: rg.hostsPath, Container: "/etc/hosts"}}
	im := rg.probe[base]
	switch strings.TrimPrefix(options, hostsPreset+":") {
	case nssDNSFirst:
		binds = append(binds, run.Bind{Host: rg.nssPath, Container: "/etc/nsswitch.conf"})
	case nssMissing:
		im = *rg.noNSS[base]
	}
	return binds, im, true
}

// presetBuilds are the builds the hosts cells add: the probe image
// without /etc/nsswitch.conf for each base with a missing cell.
func (rg *rig) presetBuilds(ctx context.Context, cells []cell) []func() error {
	rg.noNSS = map[images.Key]*images.Image{}
	var out []func() error
	for _, c := range cells {
		if c.preset == nil || c.preset.nss != nssMissing || rg.noNSS[c.base] != nil {
			continue
		}
		im, b := &images.Image{}, c.base
		rg.noNSS[b] = im
		out = append(out, func() (err error) {
			*im, err = probeImageWith(ctx, rg.env, b, "-no-nsswitch", "rm /etc/nsswitch.conf")
			return err
		})
	}
	return out
}

// hostsLine is the nsswitch.conf hosts line a hosts cell runs with.
func hostsLine(b images.Key, nss string) string {
	switch {
	case nss == nssDNSFirst:
		return strings.TrimSpace(dnsFirstNSS)
	case nss == nssMissing || !imageHasNSS(b):
		return "(no /etc/nsswitch.conf)"
	}
	return "hosts: files dns"
}

// addrSource says where addresses came from: hosts, dns, or mixed.
func addrSource(addrs []string) string {
	src := ""
	for _, a := range addrs {
		ip, err := netip.ParseAddr(a)
		s := "dns"
		if err == nil && hostsPrefix.Contains(ip) {
			s = "hosts"
		}
		if src != "" && src != s {
			return "mixed"
		}
		src = s
	}
	return src
}
