package engine

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/metiers/metiers/corpus"
	"github.com/metiers/metiers/corpusgen"
)

// TestIncrementalMatchesRebuild publishes, replaces, moves, deletes and
// re-adds guides one at a time, each applied on its own, then builds the
// same corpus from scratch. The generation applied on its own has the
// rebuild's name and answers every search as it does (hits, scores,
// order, totals, facets, suggestions); its « similaires » and quiz keep
// the corpus-wide weights of the build it derives from (rarity, idf)
// until its settle, after which every answer is the rebuild's, to the
// score. A replica restarted on the index directory does the same.
func TestIncrementalMatchesRebuild(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	corpusDir := filepath.Join(dir, "corpus")
	base, _ := corpus.Load(corpus.Sample())
	ms, err := corpusgen.Generate(base.Metiers, 60, 5)
	if err != nil {
		t.Fatal(err)
	}
	if err := corpusgen.WriteDir(corpusDir, ms, false); err != nil {
		t.Fatal(err)
	}
	writeCorpus(t, corpusDir, 0) // and the sample's text pages
	opts := func(sub string) Options {
		o := options(corpusDir, filepath.Join(dir, sub))
		o.Settle = -1 // settled by the test, when it says
		return o
	}
	e := start(t, opts("index"))
	ctx := context.Background()
	page := base.Metiers[0]
	edited := *ms[3]
	edited.Tagline = "Une accroche réécrite par la rédaction"
	edited.Missions = append([]string{"Coordonner les plombiers et les zingueurs"}, edited.Missions...)
	body := func(m any) []byte {
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	gone := *ms[10]
	gone.Source = ""
	steps := []struct {
		what string
		run  func() (Published, error)
	}{
		{"put a new guide", func() (Published, error) {
			return e.Put(ctx, "plombier-zingueur", []byte(`{"title": "Plombier zingueur", "tagline": "Installe les canalisations et les toitures en zinc", "missions": ["Poser une gouttière"], "salary": {"min": 2100, "max": 3200}}`))
		}},
		{"replace a guide", func() (Published, error) { edited.Source = ""; return e.Put(ctx, edited.ID, body(edited)) }},
		{"replace a page's guide", func() (Published, error) {
			return e.Put(ctx, page.ID, []byte(`{"title": "`+page.Title+`", "tagline": "Page devenue fiche structurée", "missions": ["Coder les actes médicaux"]}`))
		}},
		{"delete a guide", func() (Published, error) { return e.Delete(ctx, gone.ID) }},
		{"put another", func() (Published, error) {
			return e.Put(ctx, "astronaute", []byte(`{"title": "Astronaute", "tagline": "Part dans l'espace", "missions": ["Piloter", "Mener des expériences"]}`))
		}},
		{"re-add the deleted guide", func() (Published, error) { return e.Put(ctx, gone.ID, body(gone)) }},
		{"delete a guide put earlier", func() (Published, error) { return e.Delete(ctx, "plombier-zingueur") }},
		{"replace it again", func() (Published, error) {
			edited.Tagline = "Une accroche réécrite deux fois"
			return e.Put(ctx, edited.ID, body(edited))
		}},
	}
	for _, s := range steps {
		p, err := s.run()
		if err != nil {
			t.Fatalf("%s: %v", s.what, err)
		}
		if p.Applied != "incremental" {
			t.Errorf("%s: applied by %q, want incremental", s.what, p.Applied)
		}
	}
	converges(t, e, opts("rebuilt"))

	// A replica restarted on the same index directory reopens the last
	// generation and still applies a guide on its own.
	e.background.Wait() // the last change stored
	again := start(t, opts("index"))
	if g, err := again.Acquire(); err != nil || !g.Reused {
		t.Fatalf("restart: %v, reused %v; want the generation reopened", err, g != nil && g.Reused)
	} else {
		g.Release()
	}
	p, err := again.Put(ctx, "couvreur", []byte(`{"title": "Couvreur", "tagline": "Pose et répare les toitures"}`))
	if err != nil || p.Applied != "incremental" {
		t.Errorf("a put after a restart: %+v, %v; want applied incremental", p, err)
	}
	converges(t, again, opts("rebuilt-again"))
}

// converges checks that e, serving guides applied on their own, answers
// as a build of the same files from scratch (with opts): every search
// at once, everything once settled.
func converges(t *testing.T, e *Engine, opts Options) {
	t.Helper()
	nameInc, ansInc := collect(t, e)
	fresh := start(t, opts)
	nameFull, ansFull := collect(t, fresh)
	if nameInc != nameFull {
		t.Errorf("incremental generation %q, rebuilt %q: the files' digests differ", nameInc, nameFull)
	}
	if !reflect.DeepEqual(ansInc.searchAnswers(), ansFull.searchAnswers()) {
		t.Error("before the settle, the searches differ from a rebuild's:")
		diff(t, ansInc.searchAnswers(), ansFull.searchAnswers())
	}
	rows := 0
	for id, row := range ansFull.Similar {
		if !reflect.DeepEqual(ansInc.Similar[id], row) {
			rows++
		}
	}
	t.Logf("before the settle: %d of %d « similaires » rows differ from a rebuild's (the build's rarity and idf)", rows, len(ansFull.Similar))
	if g := current(t, e); !g.derived {
		t.Fatalf("generation %s is not marked as derived by changes applied on their own", g.Name)
	}
	if err := e.settle(context.Background()); err != nil {
		t.Fatalf("settle: %v", err)
	}
	g := current(t, e)
	if g.derived {
		t.Fatal("settled, the generation served is still the one derived")
	}
	if segs := g.Index.StatsMap()["index"].(map[string]any)["num_root_filesegments"]; segs != uint64(1) {
		t.Errorf("settled index has %v segments, want 1", segs)
	}
	nameSet, ansSet := collect(t, e)
	if nameSet != nameFull {
		t.Errorf("settled generation %q, rebuilt %q", nameSet, nameFull)
	}
	if !reflect.DeepEqual(ansSet, ansFull) {
		t.Error("settled, the answers differ from a rebuild's:")
		diff(t, ansSet, ansFull)
	}
	gi, _ := e.Acquire()
	gf, _ := fresh.Acquire()
	defer gi.Release()
	defer gf.Release()
	ids := func(g *Generation) []string {
		var out []string
		for _, m := range g.Corpus.Metiers {
			out = append(out, m.ID)
		}
		return out
	}
	if !reflect.DeepEqual(ids(gi), ids(gf)) {
		t.Errorf("guide order:\n incremental %v\n rebuilt     %v", ids(gi), ids(gf))
	}
	for _, m := range gf.Corpus.Metiers {
		if !reflect.DeepEqual(gi.Metier(m.ID), m) {
			t.Errorf("guide %s differs:\n incremental %+v\n rebuilt     %+v", m.ID, gi.Metier(m.ID), m)
			break
		}
	}
}

// TestWatcherAppliesOneGuide: a replica watching the corpus applies
// another replica's published guide on its own (no reindex job), and
// both end on the same generation.
func TestWatcherAppliesOneGuide(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	corpusDir := filepath.Join(dir, "corpus")
	base, _ := corpus.Load(corpus.Sample())
	ms, _ := corpusgen.Generate(base.Metiers, 30, 9)
	if err := corpusgen.WriteDir(corpusDir, ms, false); err != nil {
		t.Fatal(err)
	}
	a := start(t, options(corpusDir, filepath.Join(dir, "a")))
	b := start(t, options(corpusDir, filepath.Join(dir, "b")))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Watch(ctx, 100*time.Millisecond) }()
	defer func() { cancel(); <-done }()
	name := func(e *Engine) string {
		g, err := e.Acquire()
		if err != nil {
			return ""
		}
		defer g.Release()
		return g.Name
	}
	for _, step := range []func() (Published, error){
		func() (Published, error) {
			return a.Put(context.Background(), "couvreur", []byte(`{"title": "Couvreur", "tagline": "Pose et répare les toitures"}`))
		},
		func() (Published, error) { return a.Delete(context.Background(), ms[2].ID) },
	} {
		p, err := step()
		if err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the watching replica on the publisher's generation", func() bool { return name(b) == p.Generation })
	}
	if j, ran := b.LastJob(); ran {
		t.Errorf("the watching replica rebuilt (job %+v), want each guide applied on its own", j)
	}
}

// TestStoreLeavesServedRemovedAlone stores a change's generation after a
// newer change has replaced it in service, as the storer does when
// changes come faster than a store (a second at 10,000 guides): the
// older generation, still read by whoever acquired it, keeps the guides
// it knows as removed, and does not take the newer one's guides for
// removed ones.
func TestStoreLeavesServedRemovedAlone(t *testing.T) {
	t.Parallel()
	opts := unsettledOptions(t)
	e := start(t, opts)
	ctx := context.Background()
	if _, err := e.Put(ctx, "couvreur", []byte(`{"title": "Couvreur", "tagline": "Pose et répare les toitures"}`)); err != nil {
		t.Fatal(err)
	}
	e.background.Wait()
	older, err := e.Acquire()
	if err != nil {
		t.Fatal(err)
	}
	defer older.Release()
	if _, err := e.Put(ctx, "astronaute", []byte(`{"title": "Astronaute", "tagline": "Part dans l'espace"}`)); err != nil {
		t.Fatal(err)
	}
	e.background.Wait()
	if err := e.store(older); err != nil {
		t.Fatal(err)
	}
	if older.Removed("astronaute") {
		t.Errorf("the older generation, stored after the newer was served, has the newer's guide for removed")
	}
}

// A change's generation that a reindex overtook before it was stored is
// not stored: no meta.json (so prune and lastGood treat it as a
// leftover) and CURRENT stays on the reindex's generation.
func TestStoreSkipsOvertakenGeneration(t *testing.T) {
	t.Parallel()
	opts := unsettledOptions(t)
	e := start(t, opts)
	ctx := context.Background()
	if _, err := e.Put(ctx, "couvreur", []byte(`{"title": "Couvreur", "tagline": "Pose et répare les toitures"}`)); err != nil {
		t.Fatal(err)
	}
	e.background.Wait()
	changed, err := e.Acquire()
	if err != nil {
		t.Fatal(err)
	}
	defer changed.Release()
	// As if its store had not run yet when the reindex committed.
	if err := os.Remove(filepath.Join(changed.Dir, metaFile)); err != nil {
		t.Fatal(err)
	}
	if job, err := e.ReindexNow(ctx); err != nil || job.Error != "" {
		t.Fatalf("reindex: %v %+v", err, job)
	}
	rebuilt := readCurrent(opts.IndexDir)
	if err := e.store(changed); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(changed.Dir, metaFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the overtaken generation was stored (meta.json: %v)", err)
	}
	if cur := readCurrent(opts.IndexDir); cur != rebuilt || cur == filepath.Base(changed.Dir) {
		t.Errorf("CURRENT %q after storing the overtaken generation, want the reindex's %q", cur, rebuilt)
	}
}

// A burst of changes is stored once, after it: the storer waits for
// storeQuiet without a change, a change meanwhile replaces the
// generation waiting (never stored), and Close stores the last one at
// once rather than after the wait.
func TestStoreWaitsForQuiet(t *testing.T) {
	t.Parallel()
	opts := unsettledOptions(t)
	opts.storeQuiet = time.Hour // only Close ends the wait
	e, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := e.Start(ctx); err != nil {
		t.Fatal(err)
	}
	built := readCurrent(opts.IndexDir)
	var dirs []string
	for _, id := range []string{"couvreur", "astronaute"} {
		p, err := e.Put(ctx, id, []byte(`{"title": "`+id+`", "tagline": "Une fiche publiée"}`))
		if err != nil || p.Applied != "incremental" {
			t.Fatalf("put %s: %v, applied %q", id, err, p.Applied)
		}
		g, err := e.Acquire()
		if err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, g.Dir)
		g.Release()
	}
	if cur := readCurrent(opts.IndexDir); cur != built {
		t.Errorf("CURRENT %q during the burst, want the build's %q until the quiet", cur, built)
	}
	closed := make(chan struct{})
	go func() { e.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(time.Minute):
		t.Fatal("Close waits for the storer's quiet")
	}
	if _, err := os.Stat(filepath.Join(dirs[0], metaFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the generation the second change replaced was stored (meta.json: %v)", err)
	}
	if _, err := os.Stat(filepath.Join(dirs[1], metaFile)); err != nil {
		t.Errorf("the last change's generation is not stored on Close: %v", err)
	}
	if cur := readCurrent(opts.IndexDir); cur != dirs[1] {
		t.Errorf("CURRENT %q after Close, want the last change's %q", cur, dirs[1])
	}
}

// unsettledOptions are the options of an engine on a corpus of its own
// that never settles (the tests of the storer).
func unsettledOptions(t *testing.T) Options {
	corpusDir := t.TempDir()
	writeCorpus(t, corpusDir, 0)
	opts := options(corpusDir, filepath.Join(t.TempDir(), "index"))
	opts.Settle = -1
	return opts
}
