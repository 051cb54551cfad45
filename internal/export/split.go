package export

import (
	"hash/fnv"
	"path/filepath"
	"strings"
)

// InTrain reports whether a pair with this prompt goes to the train part of
// a split with train share split and seed seed. Pairs with the same prompt
// always land in the same part.
func InTrain(prompt string, split float64, seed uint64) bool {
	h := fnv.New64a()
	var s [8]byte
	for i := range s {
		s[i] = byte(seed >> (8 * i))
	}
	h.Write(s[:])
	h.Write([]byte(prompt))
	return unit(mix(h.Sum64())) < split
}

// mix scrambles the bits of x (the finalizer of SplitMix64), so that close
// hashes spread over [0, 1).
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

func unit(x uint64) float64 { return float64(x>>11) / (1 << 53) }

// PartNames returns the file names of the train and test parts of name:
// "part" goes before the extensions .jsonl, .json and .gz, so data.jsonl.gz
// gives data.train.jsonl.gz and data.test.jsonl.gz.
func PartNames(name string) (train, test string) {
	dir, base := filepath.Split(name)
	ext := ""
	for _, e := range []string{".gz", ".jsonl", ".json"} {
		if strings.HasSuffix(base, e) && len(base) > len(e) {
			base, ext = strings.TrimSuffix(base, e), e+ext
		}
	}
	return dir + base + ".train" + ext, dir + base + ".test" + ext
}
