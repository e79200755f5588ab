package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"

	"github.com/metiers/metiers/corpus"
	"github.com/metiers/metiers/index"
)

// A generation is named by a digest of what shapes its answers: the
// corpus files (name and content) and the settings (mapping version,
// synonyms, taxonomy, weights). Replicas that build the same corpus with
// the same settings carry the same name, whichever built first or how:
// by a full build, by reopening the index on disk or by applying guides
// one at a time. The digest is a list of per-file digests hashed once
// more, so that one file's change costs one file's hash, not the corpus'.

// fileSums maps a guide file (slash path inside the corpus) to the
// SHA-256 of its content.
type fileSums map[string][sha256.Size]byte

// nameLen is how many hex digits of the digest name a generation.
const nameLen = 16

// sumFiles hashes every guide file Load would read (see
// corpus.SumFiles): hidden files and directories (an atomic write's
// temporary), editors' files and files that cannot be read are left out.
func sumFiles(fsys fs.FS) (fileSums, error) {
	return corpus.SumFiles(context.Background(), fsys)
}

// settingsDigest hashes the settings that shape a generation's answers.
func settingsDigest(opts Options) string {
	h := sha256.New()
	fmt.Fprintf(h, "mapping %s\n", index.MappingVersion)
	syn, _ := json.Marshal(opts.Synonyms)
	tax, _ := json.Marshal(opts.Taxonomy)
	w, _ := json.Marshal(opts.Weights)
	fmt.Fprintf(h, "%s\n%s\n%s\n", syn, tax, w)
	if opts.Referential != nil {
		fmt.Fprintf(h, "referential %s\n", opts.Referential.Digest)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// digest combines the settings and the files' sums into the
// generation's fingerprint (hex SHA-256).
func (s fileSums) digest(settings string) string {
	names := make([]string, 0, len(s))
	for n := range s {
		names = append(names, n)
	}
	sort.Strings(names)
	h := sha256.New()
	fmt.Fprintf(h, "settings %s\n", settings)
	// Each line is "hex-sum name\n", written through one buffer: at
	// 10,000 files a Fprintf per line was most of a change's digest.
	var line []byte
	for _, n := range names {
		sum := s[n]
		line = hex.AppendEncode(line[:0], sum[:])
		line = append(line, ' ')
		line = append(line, n...)
		line = append(line, '\n')
		h.Write(line)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// with returns a copy of s where file name has the given content (nil:
// the file is gone).
func (s fileSums) with(name string, data []byte) fileSums {
	out := make(fileSums, len(s)+1)
	for n, v := range s {
		out[n] = v
	}
	name = path.Clean(name)
	if data == nil {
		delete(out, name)
	} else {
		out[name] = sha256.Sum256(data)
	}
	return out
}

// generationName is the short form of a fingerprint that names a
// generation (in /readyz and the X-Metiers-Generation header).
func generationName(fingerprint string) string {
	if len(fingerprint) > nameLen {
		return fingerprint[:nameLen]
	}
	return fingerprint
}
