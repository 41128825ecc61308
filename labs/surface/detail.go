package surface

import (
	"fmt"
	"sort"
	"strings"

	"github.com/baselab/baselab/harness/images"
)

// class is the attack-surface class of what was read.
func class(f Facts) string {
	switch {
	case f.Entries == 0:
		return Empty
	case len(f.Shells) == 0:
		return NoShell
	case len(f.Managers) == 0:
		return Shell
	}
	return ShellPM
}

func names(ps []Program) []string {
	out := []string{}
	for _, p := range ps {
		out = append(out, p.Label())
	}
	return out
}

// isRoot reads an image's User the way the engine does: empty means root;
// so do "0" and "root", with or without a group.
func isRoot(user string) bool {
	u, _, _ := strings.Cut(user, ":")
	return u == "" || u == "0" || u == "root"
}

// detail is the line a person reads.
func detail(im images.Image, f Facts, cves Scan, sbom string) string {
	var b strings.Builder
	b.WriteString(im.Describe() + ": ")
	if f.DB == DBNone {
		b.WriteString("no package database")
	} else {
		fmt.Fprintf(&b, "%d packages (%s)", len(f.Packages), f.DB)
	}
	fmt.Fprintf(&b, ", %d files", f.Files)
	if f.Local > 0 {
		fmt.Fprintf(&b, " (%d under /usr/local, in no package database)", f.Local)
	}
	if len(f.Removable) > 0 {
		kinds := make([]string, 0, len(f.Removable))
		for k := range f.Removable {
			kinds = append(kinds, k)
		}
		sort.Strings(kinds)
		var parts []string
		for _, k := range kinds {
			parts = append(parts, k+" "+images.Bytes(f.Removable[k]))
		}
		b.WriteString("; removable: " + strings.Join(parts, ", "))
	}
	shells := "no shell"
	if len(f.Shells) > 0 {
		shells = "shells " + strings.Join(names(f.Shells), ", ")
	}
	pms := "no package manager"
	if len(f.Managers) > 0 {
		pms = "package managers " + strings.Join(names(f.Managers), ", ")
	}
	fmt.Fprintf(&b, "; %s; %s; %d setuid, %d setgid; %d world-writable (%d without the sticky bit)",
		shells, pms, len(f.Setuid), len(f.Setgid), len(f.Writable), len(f.Unsticky))
	user := "root (User unset)"
	if f.User != "" {
		user = f.User
		if f.RootsUser {
			user += " (root)"
		}
	}
	b.WriteString("; runs as " + user)
	if cves.Count != nil {
		fmt.Fprintf(&b, "; %d CVEs (%s)", *cves.Count, cves.Scanner)
	} else {
		b.WriteString("; CVEs not counted: " + cves.Why)
	}
	if sbom != "" {
		b.WriteString("; SBOM " + sbom)
	} else {
		b.WriteString("; no SBOM written (no output folder)")
	}
	return b.String()
}

// evidence lists where each fact was read.
func evidence(f Facts) string {
	var parts []string
	for _, s := range f.Shells {
		parts = append(parts, s.Path+" -> "+s.Target)
	}
	for _, m := range f.Managers {
		parts = append(parts, m.Path+" -> "+m.Target)
	}
	if len(f.Setuid) > 0 {
		parts = append(parts, "setuid "+strings.Join(f.Setuid, " "))
	}
	if len(f.Writable) > 0 {
		parts = append(parts, "o+w "+strings.Join(f.Writable, " "))
	}
	if len(parts) == 0 {
		return "image export holds none of the shells, package managers, setuid files or world-writable paths looked for"
	}
	return strings.Join(parts, "; ")
}
