// Package faults holds the fault-injection suite: it boots the real
// metiers binary and breaks what an operator breaks — a disk that fills
// during a reindex, SIGTERM and SIGKILL during a build, a corpus holding
// a dangling link, an editor's lock file, a FIFO or an unreadable file,
// an import of nothing over good output, a restart on a corpus that no
// longer builds — and checks each time that the server stays up, serves
// the last good generation with every guide, and says what failed.
//
// The package has no code of its own: everything is in its tests. Tests
// that need root (a tmpfs, dropping privileges) skip, saying why,
// without it; CI runs them as root. They are built with the faults tag,
// which make test always sets (go test -tags faults ./faults): half a
// minute of builds in processes of their own on two cores, kept out of
// a plain go test ./... so that it stays quick.
package faults
