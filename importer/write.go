package importer

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/metiers/metiers/corpus"
)

// An import never leaves its output half written, and never deletes what
// it did not write. It writes the guides into a new directory beside the
// output, with a manifest listing the files it wrote, and only once all
// of them are on disk does that directory take the output's place (one
// atomic exchange where the system has it, renameat2 on Linux). An
// existing output is replaced only when it holds nothing but what a
// previous import listed in its manifest, unless forced; an import of no
// guide is refused.

// ManifestFile is the manifest an import writes into its output: the
// files it wrote. Hidden, so that the corpus walk passes it over.
const ManifestFile = ".metiers-import.json"

// ErrNoGuides means an import yields no guide to write.
var ErrNoGuides = errors.New("no guide to write")

// ErrForeignFiles means the output holds files an import did not write.
var ErrForeignFiles = errors.New("holds files this importer did not write")

// WriteOptions configures Write.
type WriteOptions struct {
	// Input names what was imported, for the manifest.
	Input string
	// Force replaces an output that holds files an import did not write:
	// they are deleted with it.
	Force bool
}

// manifest is what ManifestFile holds.
type manifest struct {
	Input   string    `json:"input"`
	Written time.Time `json:"written"`
	Files   []string  `json:"files"`
}

// WriteDir writes the guides into dir (see Write), not forced.
func WriteDir(dir string, ms []*corpus.Metier) error {
	return Write(dir, ms, WriteOptions{})
}

// Write writes one JSON file per guide, and the manifest, into a new
// directory that then replaces dir (created if needed). It refuses an
// empty import (ErrNoGuides), and a dir that holds files no import wrote
// (ErrForeignFiles) unless opts.Force. On any error dir is as it was.
func Write(dir string, ms []*corpus.Metier, opts WriteOptions) error {
	if len(ms) == 0 {
		return fmt.Errorf("importer: %w: %s is left as it was", ErrNoGuides, dir)
	}
	exists, err := replaceable(dir, opts.Force)
	if err != nil {
		return err
	}
	parent, base := filepath.Dir(dir), filepath.Base(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("importer: %w", err)
	}
	removeStale(parent, base)
	tmp, err := os.MkdirTemp(parent, tempPrefix(base))
	if err != nil {
		return fmt.Errorf("importer: %w", err)
	}
	done := false
	defer func() {
		if !done {
			os.RemoveAll(tmp)
		}
	}()
	if err := os.Chmod(tmp, 0o755); err != nil {
		return fmt.Errorf("importer: %w", err)
	}
	man := manifest{Input: opts.Input, Written: time.Now().UTC()}
	for _, m := range ms {
		b, err := json.MarshalIndent(m, "", "  ")
		if err != nil {
			return fmt.Errorf("importer: %s: %w", m.ID, err)
		}
		name := m.ID + ".json"
		if err := writeSync(filepath.Join(tmp, name), append(b, '\n')); err != nil {
			return fmt.Errorf("importer: %w", err)
		}
		man.Files = append(man.Files, name)
	}
	b, _ := json.MarshalIndent(man, "", "  ")
	if err := writeSync(filepath.Join(tmp, ManifestFile), append(b, '\n')); err != nil {
		return fmt.Errorf("importer: %w", err)
	}
	syncDir(tmp)
	if !exists {
		if err := os.Rename(tmp, dir); err != nil {
			return fmt.Errorf("importer: %w", err)
		}
		done = true
		syncDir(parent)
		return nil
	}
	if err := swap(tmp, dir); err != nil {
		return fmt.Errorf("importer: replace %s: %w", dir, err)
	}
	done = true // tmp now holds the previous output
	syncDir(parent)
	if err := os.RemoveAll(tmp); err != nil {
		return fmt.Errorf("importer: remove the previous output: %w", err)
	}
	return nil
}

// replaceable reports whether dir exists, and refuses it when it holds
// files a previous import did not list (unless force) or is no
// directory.
func replaceable(dir string, force bool) (bool, error) {
	st, err := os.Stat(dir)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("importer: %w", err)
	}
	if !st.IsDir() {
		return false, fmt.Errorf("importer: %s is not a directory", dir)
	}
	if force {
		return true, nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false, fmt.Errorf("importer: %w", err)
	}
	ours := map[string]bool{ManifestFile: true}
	if b, err := os.ReadFile(filepath.Join(dir, ManifestFile)); err == nil {
		var m manifest
		if json.Unmarshal(b, &m) == nil {
			for _, f := range m.Files {
				ours[f] = true
			}
		}
	}
	var foreign []string
	for _, e := range entries {
		if !ours[e.Name()] || e.IsDir() {
			foreign = append(foreign, e.Name())
		}
	}
	if len(foreign) == 0 {
		return true, nil
	}
	sort.Strings(foreign)
	shown := foreign[:min(3, len(foreign))]
	more := ""
	if len(foreign) > len(shown) {
		more = fmt.Sprintf(" and %d more", len(foreign)-len(shown))
	}
	return false, fmt.Errorf("importer: %s %w (%d: %s%s): choose another --out, move them away, or pass --force to replace the directory and delete them",
		dir, ErrForeignFiles, len(foreign), strings.Join(shown, ", "), more)
}

// tempPrefix names the directories an import of dir writes into: hidden,
// so that a corpus walk of the parent passes them over.
func tempPrefix(base string) string { return "." + base + ".import-" }

// staleTemp is how old an import's temporary directory must be for a
// later import to take it for a crashed one's.
const staleTemp = time.Hour

// removeStale removes the temporary directories of imports of base that
// crashed (killed, or the machine down) before they could clean up.
func removeStale(parent, base string) {
	entries, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), tempPrefix(base)) {
			continue
		}
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > staleTemp {
			os.RemoveAll(filepath.Join(parent, e.Name()))
		}
	}
}

// writeSync writes a file and flushes it to disk.
func writeSync(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// syncDir flushes a directory's entries to disk.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// swap exchanges the directories a and b: after it, b holds what a held
// and a what b held. Atomic where the system can exchange two names;
// elsewhere b is out of place for the time of two renames.
func swap(a, b string) error {
	if err := exchange(a, b); err == nil {
		return nil
	}
	old := a + ".previous"
	if err := os.Rename(b, old); err != nil {
		return err
	}
	if err := os.Rename(a, b); err != nil {
		os.Rename(old, b)
		return err
	}
	return os.Rename(old, a)
}
