package engine

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestRemovedSurvivesRestarts: a guide deleted from the corpus stays
// known as removed (410) across a reindex, a restart that reopens the
// generation, and a restart that rebuilds because the corpus changed
// while the server was down; a guide put back is no longer removed.
func TestRemovedSurvivesRestarts(t *testing.T) {
	t.Parallel()
	corpusDir, indexDir := t.TempDir(), t.TempDir()
	writeCorpus(t, corpusDir, 2)
	gone := filepath.Join(corpusDir, "codeur-medical.txt")
	page, err := os.ReadFile(gone)
	if err != nil {
		t.Fatal(err)
	}
	e := start(t, options(corpusDir, indexDir))
	if err := os.Remove(gone); err != nil {
		t.Fatal(err)
	}
	if _, err := e.ReindexNow(context.Background()); err != nil {
		t.Fatal(err)
	}
	if g := current(t, e); !g.Removed("codeur-medical") || g.Removed("medecin-conseil-mutuelle-assurance") {
		t.Fatalf("after the reindex: removed(codeur-medical)=%v removed(medecin-conseil)=%v", g.Removed("codeur-medical"), g.Removed("medecin-conseil-mutuelle-assurance"))
	}
	e.Close()

	reopened := start(t, options(corpusDir, indexDir))
	if g := current(t, reopened); !g.Reused || !g.Removed("codeur-medical") {
		t.Errorf("restart with the same corpus: reused=%v removed=%v, want the generation reopened, the guide still removed", g.Reused, g.Removed("codeur-medical"))
	}
	reopened.Close()

	// Another guide goes while the server is down: the start rebuilds
	// and knows both.
	if err := os.Remove(filepath.Join(corpusDir, "medecin-conseil.txt")); err != nil {
		t.Fatal(err)
	}
	rebuilt := start(t, options(corpusDir, indexDir))
	if g := current(t, rebuilt); g.Reused || !g.Removed("codeur-medical") || !g.Removed("medecin-conseil-mutuelle-assurance") {
		t.Errorf("restart after a change: reused=%v removed codeur=%v medecin=%v, want a build that knows both", g.Reused, g.Removed("codeur-medical"), g.Removed("medecin-conseil-mutuelle-assurance"))
	}
	// Back in the corpus: served again, not removed any more, and a
	// restart agrees.
	if err := os.WriteFile(gone, page, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := rebuilt.ReindexNow(context.Background()); err != nil {
		t.Fatal(err)
	}
	if g := current(t, rebuilt); g.Metier("codeur-medical") == nil || g.Removed("codeur-medical") || !g.Removed("medecin-conseil-mutuelle-assurance") {
		t.Errorf("guide put back: served=%v removed=%v", g.Metier("codeur-medical") != nil, g.Removed("codeur-medical"))
	}
	rebuilt.Close()
	last := start(t, options(corpusDir, indexDir))
	if g := current(t, last); g.Removed("codeur-medical") || !g.Removed("medecin-conseil-mutuelle-assurance") {
		t.Errorf("last restart: removed codeur=%v medecin=%v", g.Removed("codeur-medical"), g.Removed("medecin-conseil-mutuelle-assurance"))
	}
}

// TestModifiedIsTheFileTime: a guide's date is its file's modification
// time, kept by a restart, and a guide put on its own is dated when it
// was applied while the others keep theirs.
func TestModifiedIsTheFileTime(t *testing.T) {
	t.Parallel()
	corpusDir, indexDir := t.TempDir(), t.TempDir()
	writeCorpus(t, corpusDir, 1)
	when := time.Date(2024, 6, 25, 9, 0, 0, 0, time.UTC)
	if err := os.Chtimes(filepath.Join(corpusDir, "codeur-medical.txt"), when, when); err != nil {
		t.Fatal(err)
	}
	e := start(t, options(corpusDir, indexDir))
	g := current(t, e)
	if got := g.Modified("codeur-medical"); !got.Equal(when) {
		t.Errorf("codeur-medical modified %v, want its file's %v", got, when)
	}
	if got := g.Modified("medecin-conseil-mutuelle-assurance"); got.Equal(when) || got.IsZero() {
		t.Errorf("medecin-conseil modified %v", got)
	}
	before := time.Now().Add(-time.Second)
	if _, err := e.Put(context.Background(), "astronaute", []byte(`{"title": "Astronaute", "tagline": "Part dans l'espace", "missions": ["Piloter"]}`)); err != nil {
		t.Fatal(err)
	}
	g = current(t, e)
	if got := g.Modified("astronaute"); got.Before(before) {
		t.Errorf("a guide put now is dated %v", got)
	}
	if got := g.Modified("codeur-medical"); !got.Equal(when) {
		t.Errorf("after a put, codeur-medical modified %v, want %v", got, when)
	}
	e.Close()
	again := start(t, options(corpusDir, indexDir))
	if got := current(t, again).Modified("codeur-medical"); !got.Equal(when) {
		t.Errorf("after a restart, codeur-medical modified %v, want %v", got, when)
	}
}
