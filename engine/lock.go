package engine

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gofrs/flock"
)

// Several processes may share an index directory: a server, and `metiers
// reindex` run beside it. Each process holds a shared lock on the
// generations it is building or serving (a lock file in the generation's
// directory, flock(2), released by the kernel if the process dies), and
// prune removes a generation only when it can take that lock exclusively:
// nobody's index is deleted under them, and a build under way in another
// process (no meta.json yet) is not mistaken for an interrupted one.

// lockFile is the name of a generation's lock file.
const lockFile = ".lock"

// holdGeneration takes a shared lock on a generation directory; the lock
// is held until released. It fails when the generation is being removed.
func holdGeneration(dir string) (*flock.Flock, error) {
	l := flock.New(filepath.Join(dir, lockFile))
	ok, err := l.TryRLock()
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	if !ok {
		return nil, fmt.Errorf("lock %s: the generation is being removed", dir)
	}
	return l, nil
}

// removeUnused removes a generation directory unless a process holds it.
// It reports whether it removed it.
func removeUnused(dir string) (bool, error) {
	l := flock.New(filepath.Join(dir, lockFile))
	ok, err := l.TryLock()
	if err != nil {
		return false, fmt.Errorf("lock %s: %w", dir, err)
	}
	if !ok {
		return false, nil // built or served by some process
	}
	defer l.Unlock()
	if err := os.RemoveAll(dir); err != nil {
		return false, err
	}
	return true, nil
}

// staleTemp is how old a CURRENT.tmp-* file must be for prune to take it
// for the leftover of a crashed process rather than a write under way.
const staleTemp = 10 * time.Minute

// removeStaleTemps removes CURRENT.tmp-* files left by crashed writers.
func removeStaleTemps(root string) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), currentFile+".tmp") {
			continue
		}
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > staleTemp {
			os.Remove(filepath.Join(root, e.Name()))
		}
	}
}
