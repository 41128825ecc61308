package images

import "time"

// Image is a key resolved to an image in the engine.
type Image struct {
	Key Key `json:"key"`
	// Ref is what to hand to the engine: a registry reference or a
	// baselab/<key>:<inputs-hash> tag.
	Ref string `json:"ref"`
	// ID is the image's content ID (sha256:...).
	ID string `json:"id"`
	// Digest is the registry digest (repo@sha256:...) of a pulled image;
	// empty for stand-ins, whose identity is ID.
	Digest    string `json:"digest,omitempty"`
	SizeBytes int64  `json:"size_bytes"`
	Libc      string `json:"libc"`
	Standin   bool   `json:"standin"`
	// StandinFor names the registry image a stand-in replaces.
	StandinFor string `json:"standin_for,omitempty"`
	// StandinLacks are the properties of the registry image a stand-in
	// does not reproduce (Spec.StandinLacks): claims on them are not judged
	// offline.
	StandinLacks []Property `json:"standin_lacks,omitempty"`
	// Built reports that the image is in the engine now.
	Built   bool      `json:"built"`
	Created time.Time `json:"created,omitzero"`
}

// Evidence is the image reference a result should record: ref@digest for
// registry images, ref@id for stand-ins.
func (im Image) Evidence() string {
	if im.Digest != "" {
		return im.Digest
	}
	return im.Ref + "@" + im.ID
}
