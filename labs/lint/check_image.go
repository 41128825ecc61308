package lint

import (
	"fmt"
	"path"
	"strconv"
	"strings"
)

// provides reports whether the final chain puts a file in the image that
// match accepts (by source or destination path), or copies a whole tree to
// "/" (whose contents the linter cannot see: it then assumes the best).
func (c *checker) provides(match func(string) bool) bool {
	for _, s := range c.final.chain() {
		for _, cp := range s.facts.copies {
			if path.Clean(cp.dest) == "/" {
				return true
			}
			if match(cp.dest) {
				return true
			}
			for _, src := range cp.srcs {
				if match(src) {
					// COPY /etc/ssl/certs/ /x/: the bundle lands where the
					// program may not look, but it is there to point at.
					return true
				}
				if strings.HasSuffix(cp.dest, "/") && match(path.Join(cp.dest, path.Base(src))) {
					return true
				}
			}
		}
	}
	return false
}

// env is the final stage's ENV value of key.
func (c *checker) env(key string) (string, bool) {
	v, ok := c.final.env[key]
	return v, ok
}

func isCABundle(p string) bool {
	return strings.Contains(p, "ca-certificates") || strings.Contains(p, "/etc/ssl/") || strings.Contains(p, "/etc/pki/") ||
		strings.HasSuffix(p, ".crt") || strings.HasSuffix(p, ".pem")
}

func isZoneinfo(p string) bool { return strings.Contains(p, "zoneinfo") }

func isPasswd(p string) bool { return path.Base(path.Clean("/"+p)) == "passwd" }

func isGroup(p string) bool { return path.Base(path.Clean("/"+p)) == "group" }

// embedsTzdata: a program copied into the final chain carries the zone
// database (a Go build with -tags timetzdata, seen in the stage that built
// it or in the binary's build settings).
func (c *checker) embedsTzdata() bool {
	for _, s := range c.final.chain() {
		for _, cp := range s.facts.copies {
			if src := cp.fromStage; src != nil {
				for _, st := range src.chain() {
					for _, g := range st.facts.gos {
						if g.tzdata {
							return true
						}
					}
				}
			}
			for _, cf := range cp.context {
				if strings.Contains(cf.goSettings["-tags"], "timetzdata") {
					return true
				}
			}
		}
	}
	return false
}

// checkScratchFiles: BL007, BL008 (scratch) and BL013 (distroless).
func (c *checker) checkScratchFiles() {
	s := c.final
	_, certEnv := c.env("SSL_CERT_FILE")
	if _, ok := c.env("SSL_CERT_DIR"); ok {
		certEnv = true
	}
	switch s.base.Kind {
	case KindScratch:
		if !certEnv && !c.provides(isCABundle) {
			c.add(NoCABundle, fromAt(s), s, fmt.Sprintf("%s: no CA bundle is copied in; HTTPS from this image fails with x509: certificate signed by unknown authority",
				describe(s)), nil)
		}
		_, zoneEnv := c.env("ZONEINFO")
		if !zoneEnv && !c.provides(isZoneinfo) && !c.embedsTzdata() {
			c.add(NoZoneinfo, fromAt(s), s, fmt.Sprintf("%s: no /usr/share/zoneinfo and no program built with -tags timetzdata; loading a named zone fails",
				describe(s)), nil)
		}
	case KindStatic, KindDistroless:
		if !certEnv && !c.provides(isCABundle) {
			c.add(StockCABundle, fromAt(s), s, fmt.Sprintf("%s keeps its stock CA bundle: Debian's public CAs, not an organisation's own",
				describe(s)), nil)
		}
	}
}

// lastUser is the USER the final image runs as ("" if none is set) and
// the instruction that set it.
func (c *checker) lastUser() (userOp, bool) {
	var u userOp
	found := false
	for _, s := range c.final.chain() {
		for _, op := range s.facts.users {
			u, found = op, true
		}
	}
	return u, found
}

func numeric(s string) bool {
	_, err := strconv.Atoi(s)
	return err == nil
}

// checkUser: BL009 (a name the image cannot resolve) and BL011 (root).
func (c *checker) checkUser() {
	s := c.final
	u, set := c.lastUser()
	name, group, _ := strings.Cut(u.user, ":")
	if !set || name == "root" || name == "0" || name == "" {
		if s.base.NonRoot && !set {
			return
		}
		a, msg := fromAt(s), fmt.Sprintf("%s sets no USER: the container runs as root (uid 0)", describe(s))
		if set {
			a, msg = u.at, fmt.Sprintf("USER %s: the container runs as root", u.user)
		} else if s.base.Catalog == "" && s.base.Kind != KindScratch {
			msg += ", unless its base sets a user"
		}
		c.add(RunsAsRoot, a, s, msg, surfaceCite(c.final.base))
		return
	}
	switch s.base.Kind {
	case KindScratch:
		if !numeric(name) && !c.provides(isPasswd) {
			c.add(UserNoPasswd, u.at, s, fmt.Sprintf("USER %s on %s: there is no /etc/passwd to find %s in; the container will not start",
				u.user, describe(s), name), nil)
		} else if group != "" && !numeric(group) && !c.provides(isGroup) {
			c.add(UserNoPasswd, u.at, s, fmt.Sprintf("USER %s on %s: there is no /etc/group to find group %s in; the container will not start",
				u.user, describe(s), group), nil)
		}
	case KindStatic, KindDistroless:
		if !numeric(name) && !distrolessUsers[name] && !c.provides(isPasswd) {
			c.add(UserNoPasswd, u.at, s, fmt.Sprintf("USER %s on %s: distroless's /etc/passwd has root, nobody and nonroot only; the container will not start",
				u.user, describe(s)), nil)
		}
	}
}

// checkDNS: BL010, resolver options that never take effect.
func (c *checker) checkDNS() {
	for _, s := range c.final.chain() {
		for _, r := range s.facts.resolv {
			env := strings.HasPrefix(r.how, "ENV ")
			if env && s.base.Libc != Musl {
				continue // glibc reads RES_OPTIONS: that one works
			}
			opts := strings.Join(uniq(r.options), ", ")
			var msg string
			var cites []Ref
			switch {
			case env:
				msg = fmt.Sprintf("ENV RES_OPTIONS=%s on musl, %s: musl has no RES_OPTIONS", c.final.env["RES_OPTIONS"], describe(s))
			case s.base.Libc == Musl:
				msg = fmt.Sprintf("%s is written into /etc/resolv.conf on musl, %s: musl ignores it, and the engine replaces the file when the container starts", opts, describe(s))
			default:
				msg = fmt.Sprintf("%s is written into /etc/resolv.conf at build time: the engine replaces the file when the container starts; pass it at run time (--dns-option)", opts)
			}
			for _, o := range uniq(r.options) {
				if s.base.Libc == Musl || env {
					cites = append(cites, Ref{"dns", "alpine/race/" + o + "/none"})
				} else {
					cites = append(cites, Ref{"dns", "slim/race/" + o + "/none"})
				}
			}
			if s.base.Libc == Musl || env {
				cites = append(cites, Ref{"dns", "alpine/race/none/none"})
			} else {
				cites = append(cites, Ref{"dns", "slim/race/none/none"})
			}
			c.add(DNSNoop, r.at, s, msg, cites)
		}
	}
}

func uniq(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// checkPins: BL012, in the stages whose packages ship.
func (c *checker) checkPins() {
	for _, s := range c.final.chain() {
		for _, p := range s.facts.pkgs {
			if len(p.unpinned) == 0 {
				continue
			}
			verb := "apk add"
			if p.manager == "apt" {
				verb = "apt-get install"
			}
			c.add(Unpinned, p.at, s, fmt.Sprintf("%s %s: no version pinned", verb, strings.Join(p.unpinned, " ")), surfaceCite(c.final.base))
		}
	}
}
