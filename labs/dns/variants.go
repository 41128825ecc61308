package dns

import (
	"fmt"
	"slices"
	"strings"

	"github.com/baselab/baselab/harness/images"
)

// cell is one resolver × fault × options × flags combination.
type cell struct {
	base     images.Key
	resolver string
	fault    string
	options  string // "" for none
	flags    string
	name     string // the query name, unique per cell, so one server serves all cells
	variant  string
	expect   expect
	user     bool // a user's image and probe
	inHosts  bool // its name is in the container's /etc/hosts (Config.InHosts)
	control  bool // added by controlCells: no record, controlTriesFor lookups
	// form is a search cell's way of naming the host: short, dotted or
	// fqdn (see search.go); "" for the other cells.
	form string
	// preset is a nameservers or hosts cell's layout and prediction
	// (nameservers.go, hosts.go); nil for the other cells.
	preset *preset
}

// loadCell is race with a probability below one and N concurrent
// clients: the intermittent, load-dependent version of the story.
type loadCell struct {
	base     images.Key
	resolver string
	clients  int
	name     string
	variant  string
}

// sizeFault is a fault about an answer too big for UDP, added with issue 14.
func sizeFault(f string) bool {
	return f == "tcponly" || f == "cname" || strings.HasPrefix(f, "cname:")
}

func optionsSlug(o string) string {
	if o == "" {
		return "none"
	}
	if strings.HasPrefix(o, filePrefix) {
		return "file"
	}
	return strings.ReplaceAll(o, " ", "+")
}

// cells lays out the matrix. A cell's query name is its place in the whole
// matrix, so that selecting cells does not rename them.
func (c Config) cells() []cell {
	var out []cell
	bases := c.Bases
	if c.Image != "" {
		bases = []string{c.Image}
	}
	n := 0
	for _, b := range bases {
		for _, f := range c.Faults {
			for _, o := range c.Options {
				if o == "none" {
					o = ""
				}
				if isSearch(o) || isPreset(o) {
					// Search cells have their own faults and forms;
					// they are laid out once per options line, below.
					continue
				}
				if o != "" && c.Image == "" && alpineAnswersFor(b, bases) {
					// musl 1.2.3 and 1.2.5 read resolv.conf with the same
					// code (src/network/resolvconf.c __get_resolv_conf is
					// identical at both tags): the options are crossed
					// once, on alpine. Fewer cells at once keep the
					// matrix's timings clear of scheduling on two cores.
					continue
				}
				if o != "" && sizeFault(f) {
					// How a resolver takes a big answer is not a
					// retry option: only use-vc changes it, and only
					// on glibc, which retries over TCP anyway.
					continue
				}
				for _, fl := range c.Flags {
					if fl != "none" && (o != "" || c.Image != "") {
						// The hints decide which queries leave; the
						// options how they are retried. Crossing them
						// adds cells, not knowledge. A user's command
						// brings its own hints.
						continue
					}
					n++
					cl := cell{base: images.Key(b), fault: f, options: o, flags: fl, user: c.Image != "",
						name: fmt.Sprintf("c%03d.dns.test", n)}
					if cl.user {
						cl.resolver = "user"
						cl.variant = fmt.Sprintf("image/%s/%s", f, optionsSlug(o))
						if c.InHosts {
							// The order is the image's nsswitch.conf's:
							// measured only (Config.InHosts).
							cl.inHosts = true
							cl.variant += "/in-hosts"
						} else if r := libcResolver(c.Libc); r != "" {
							cl.resolver = r
							cl.expect = userExpect(predict(r, c.Libc, f, o, fl))
						}
					} else {
						cl.resolver = resolverOf[cl.base]
						cl.variant = fmt.Sprintf("%s/%s/%s/%s", b, f, optionsSlug(o), fl)
						cl.expect = predict(cl.resolver, libcOf(cl.base), f, o, fl)
					}
					out = append(out, cl)
				}
			}
		}
		out = append(out, c.presetCells(b, bases, &n)...)
		searchOpts := slices.Clone(c.Options)
		if c.ResolvConf != "" {
			searchOpts = append(searchOpts, filePrefix+c.ResolvConf)
		}
		for _, o := range searchOpts {
			if !isSearch(o) || c.Image != "" {
				continue
			}
			for _, f := range c.SearchFaults {
				for _, form := range searchForms {
					n++
					cl := cell{base: images.Key(b), fault: f, options: o, form: form, resolver: resolverOf[images.Key(b)],
						name: fmt.Sprintf("c%03d.dns.test", n)}
					cl.variant = fmt.Sprintf("%s/%s/%s/%s", b, f, optionsSlug(o), form)
					cl.expect = predictSearch(cl.resolver, libcOf(cl.base), cl)
					out = append(out, cl)
				}
			}
		}
	}
	return out
}

// loads lays out the under-load cells: none for a user's image, whose
// command is not a long-lived client.
func (c Config) loads() []loadCell {
	if !c.Load || c.Image != "" {
		return nil
	}
	var out []loadCell
	for _, b := range c.Bases {
		if alpineAnswersFor(b, c.Bases) {
			// Under load a musl lookup is res_msend's retry loop, the
			// same at 1.2.3 and 1.2.5 for answers that fit in UDP (1.2.4
			// added only the TCP retry after truncation): the load cells
			// run once, on alpine. Every load cell runs at once, and
			// another 41 clients on two cores put the lab's own CPU load
			// into the Go resolver's tail (measured: 2 of 320 Go lookups
			// past 1 s with alpine-3.17's cells beside them, none without).
			continue
		}
		for _, n := range c.Clients {
			out = append(out, loadCell{base: images.Key(b), resolver: resolverOf[images.Key(b)], clients: n,
				name: fmt.Sprintf("load-%s-c%d.dns.test", b, n), variant: fmt.Sprintf("load/%s/c%d", b, n)})
		}
	}
	return out
}

// alpineAnswersFor reports whether base b is alpine-3.17 in a run that has
// alpine too, where the cells whose code is the same at musl 1.2.3 and 1.2.5
// (resolv.conf parsing, the retry loop under load) run once, on alpine.
func alpineAnswersFor(b string, bases []string) bool {
	return images.Key(b) == images.Alpine317 && slices.Contains(bases, string(images.Alpine))
}
