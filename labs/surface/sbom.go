package surface

// The surface lab's SBOM: an SPDX 2.3 JSON document per image, listing the
// packages its databases name, each with a package URL.

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/baselab/baselab/harness/images"
)

// SBOM is the SPDX 2.3 JSON document of an image's packages.
func SBOM(im images.Image, f Facts, created time.Time) ([]byte, error) {
	b, err := json.MarshalIndent(spdx(im, f, created), "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode SBOM of %s: %w", im.Key, err)
	}
	return append(b, '\n'), nil
}

// writeSBOM writes <dir>/<key>.spdx.json.
func writeSBOM(dir string, im images.Image, f Facts, created time.Time) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("create SBOM folder: %w", err)
	}
	b, err := SBOM(im, f, created)
	if err != nil {
		return "", err
	}
	p := filepath.Join(dir, string(im.Key)+".spdx.json")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		return "", fmt.Errorf("write SBOM: %w", err)
	}
	return p, nil
}

// SPDX 2.3 JSON, the fields baselab writes. Field names follow the SPDX
// 2.3 JSON schema.
type spdxDoc struct {
	SPDXVersion       string         `json:"spdxVersion"`
	DataLicense       string         `json:"dataLicense"`
	SPDXID            string         `json:"SPDXID"`
	Name              string         `json:"name"`
	DocumentNamespace string         `json:"documentNamespace"`
	CreationInfo      spdxCreation   `json:"creationInfo"`
	Comment           string         `json:"comment,omitempty"`
	DocumentDescribes []string       `json:"documentDescribes"`
	Packages          []spdxPackage  `json:"packages"`
	Relationships     []spdxRelation `json:"relationships"`
}

type spdxCreation struct {
	Created  string   `json:"created"`
	Creators []string `json:"creators"`
	Comment  string   `json:"comment,omitempty"`
}

type spdxPackage struct {
	Name                  string       `json:"name"`
	SPDXID                string       `json:"SPDXID"`
	VersionInfo           string       `json:"versionInfo,omitempty"`
	Supplier              string       `json:"supplier,omitempty"`
	DownloadLocation      string       `json:"downloadLocation"`
	FilesAnalyzed         bool         `json:"filesAnalyzed"`
	SourceInfo            string       `json:"sourceInfo,omitempty"`
	LicenseConcluded      string       `json:"licenseConcluded"`
	LicenseDeclared       string       `json:"licenseDeclared"`
	CopyrightText         string       `json:"copyrightText"`
	PrimaryPackagePurpose string       `json:"primaryPackagePurpose,omitempty"`
	Comment               string       `json:"comment,omitempty"`
	ExternalRefs          []spdxExtRef `json:"externalRefs,omitempty"`
}

type spdxExtRef struct {
	ReferenceCategory string `json:"referenceCategory"`
	ReferenceType     string `json:"referenceType"`
	ReferenceLocator  string `json:"referenceLocator"`
}

type spdxRelation struct {
	Element string `json:"spdxElementId"`
	Type    string `json:"relationshipType"`
	Related string `json:"relatedSpdxElement"`
}

// spdx describes an image and the packages its databases list. Files
// that no database owns (CPython under /usr/local on python-alpine, a copied
// binary on scratch) are not in it — as in any SBOM built this way — and the
// document's comment says how many there are.
func spdx(im images.Image, f Facts, created time.Time) spdxDoc {
	const noassert = "NOASSERTION"
	repo, _, _ := strings.Cut(im.Ref, ":")
	imageID := "SPDXRef-Image"
	what := "the image " + im.Ref
	if im.Standin && im.StandinFor != "" {
		what = fmt.Sprintf("%s, baselab's offline stand-in for %s built from Debian packages (libc %s)", im.Ref, im.StandinFor, im.Libc)
	}
	comment := fmt.Sprintf("Packages of %s, read from its package database (%s).", what, f.DB)
	if f.Local > 0 {
		comment += fmt.Sprintf(" %d regular files under /usr/local belong to no package database and are not listed.", f.Local)
	}
	doc := spdxDoc{
		SPDXVersion: "SPDX-2.3", DataLicense: "CC0-1.0", SPDXID: "SPDXRef-DOCUMENT",
		Name:              im.Ref,
		DocumentNamespace: "https://example.org/baselab/spdx/" + url.PathEscape(string(im.Key)) + "/" + strings.TrimPrefix(im.ID, "sha256:"),
		CreationInfo: spdxCreation{Created: created.UTC().Format("2006-01-02T15:04:05Z"),
			Creators: []string{"Tool: baselab-surface"}},
		Comment:           comment,
		DocumentDescribes: []string{imageID},
		Packages: []spdxPackage{{Name: repo, SPDXID: imageID, VersionInfo: im.ID, DownloadLocation: noassert,
			LicenseConcluded: noassert, LicenseDeclared: noassert, CopyrightText: noassert,
			PrimaryPackagePurpose: "CONTAINER", Comment: what}},
		Relationships: []spdxRelation{{Element: "SPDXRef-DOCUMENT", Type: "DESCRIBES", Related: imageID}},
	}
	for i, p := range f.Packages {
		id := fmt.Sprintf("SPDXRef-Package-%s-%s-%d", spdxSafe(p.DB), spdxSafe(p.Name), i+1)
		sp := spdxPackage{Name: p.Name, SPDXID: id, VersionInfo: p.Version, Supplier: supplier(p.Supplier),
			DownloadLocation: noassert, LicenseConcluded: noassert, LicenseDeclared: noassert, CopyrightText: noassert,
			PrimaryPackagePurpose: "LIBRARY", Comment: "listed in the image's " + p.DB + " database"}
		if p.License != "" {
			sp.LicenseDeclared = p.License
		}
		if p.Source != "" {
			sp.SourceInfo = "built from source package " + p.Source
		}
		if purl := packageURL(p, f.OS); purl != "" {
			sp.ExternalRefs = []spdxExtRef{{ReferenceCategory: "PACKAGE-MANAGER", ReferenceType: "purl", ReferenceLocator: purl}}
		}
		doc.Packages = append(doc.Packages, sp)
		doc.Relationships = append(doc.Relationships, spdxRelation{Element: imageID, Type: "CONTAINS", Related: id})
	}
	return doc
}

// spdxSafe keeps an SPDX identifier within [A-Za-z0-9.-].
func spdxSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' {
			return r
		}
		return '-'
	}, s)
}

// supplier turns "Name <address>" into SPDX's "Organization: Name (address)".
func supplier(m string) string {
	if m == "" {
		return "NOASSERTION"
	}
	m = strings.NewReplacer("<", "(", ">", ")").Replace(m)
	return "Organization: " + strings.TrimSpace(m)
}

// packageURL is a package URL: pkg:deb/<os-id>/<name>@<version>?arch=...&distro=...
// or pkg:apk/<os-id>/... The namespace is the image's own os-release ID, so
// the alpine stand-in's Debian-built musl is not passed off as Alpine's.
func packageURL(p Package, osr OSRelease) string {
	typ := "deb"
	if p.DB == DBApk {
		typ = "apk"
	}
	ns := osr.ID
	if ns == "" {
		return ""
	}
	esc := func(s string) string { return strings.ReplaceAll(url.PathEscape(s), "+", "%2B") }
	s := fmt.Sprintf("pkg:%s/%s/%s", typ, esc(ns), esc(p.Name))
	if p.Version != "" {
		s += "@" + esc(p.Version)
	}
	var q []string
	if p.Arch != "" {
		q = append(q, "arch="+url.QueryEscape(p.Arch))
	}
	if osr.VersionID != "" {
		q = append(q, "distro="+url.QueryEscape(ns+"-"+osr.VersionID))
	}
	if len(q) > 0 {
		s += "?" + strings.Join(q, "&")
	}
	return s
}
