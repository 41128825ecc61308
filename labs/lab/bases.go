package lab

import (
	"fmt"

	"github.com/baselab/baselab/harness/images"
)

// Keys parses a lab's --bases flag: catalog keys, every key when empty.
func Keys(bases []string) ([]images.Key, error) {
	keys, err := images.ParseKeys(bases)
	if err != nil {
		return nil, fmt.Errorf("--bases: %w", err)
	}
	return keys, nil
}

// VariantNames lists the names of a lab's variants, for Lab.Variants.
func VariantNames[V any](vs []V, name func(V) string) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = name(v)
	}
	return out
}
