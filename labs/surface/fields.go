package surface

import (
	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/labs/lab"
)

// Fields are the fields a surface record carries beyond the common ones.
var Fields = []lab.Field{
	{Name: "packages", Kind: lab.Num, Meaning: "packages the image's own package database lists as installed", Measures: images.PropPackageDB},
	{Name: "shells", Kind: lab.List, Meaning: "shells found in the bin folders, busybox applets marked as such"},
	{Name: "package_manager", Kind: lab.List, Meaning: "package managers found in the bin folders (apt, dpkg, apk, pip ...)", Measures: images.PropPackageManager},
	{Name: "setuid", Kind: lab.List, Meaning: "regular files with the setuid bit"},
	{Name: "world_writable", Kind: lab.List, Meaning: "entries anyone may write, symlinks excluded"},
	{Name: "files", Kind: lab.Num, Meaning: "regular files in the image (/dev not counted)", Measures: images.PropSize},
	{Name: "user", Kind: lab.Str, Meaning: "the image config's User (empty: root)"},
	{Name: "cves", Kind: lab.Num, Meaning: "CVEs trivy or grype counts with a database already on disk (null: no scanner, and the detail says why)", Measures: images.PropPackageDB},
	{Name: "package_db", Kind: lab.Str, Meaning: "the package database the image carries: dpkg, dpkg-status.d, apk, a mix joined with +, or none", Measures: images.PropPackageDB},
	{Name: "setgid", Kind: lab.List, Meaning: "regular files with the setgid bit"},
	{Name: "world_writable_nonsticky", Kind: lab.List, Meaning: "world_writable entries without the sticky bit"},
	{Name: "entries", Kind: lab.Num, Meaning: "every entry of the file system: files, folders, links (/dev not counted)", Measures: images.PropSize},
	{Name: "local_files", Kind: lab.Num, Meaning: "regular files under /usr/local, which no package database owns"},
	{Name: "removable_bytes", Kind: lab.Num, Meaning: "bytes a running image does not need (download caches, package lists, bytecode caches, static libraries)", Measures: images.PropSize},
	{Name: "removable", Kind: lab.List, Meaning: "removable_bytes by kind (apt-cache, apt-lists, apk-cache, pip-cache, pycache, static-libs)", Measures: images.PropSize},
	{Name: "runs_as_root", Kind: lab.Bool, Meaning: "the image's User is root (unset, 0 or root)"},
	{Name: "cves_by_severity", Kind: lab.List, Meaning: "the CVE count by severity (only when a scanner counted)", Measures: images.PropPackageDB},
	{Name: "cve_scanner", Kind: lab.Str, Meaning: "the scanner that counted (name and path), or none"},
	{Name: "sbom", Kind: lab.Str, Meaning: "path of the SPDX 2.3 JSON SBOM written for the image (null: no output folder)"},
}
