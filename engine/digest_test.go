package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/metiers/metiers/corpus"
	"github.com/metiers/metiers/corpusgen"
	"github.com/metiers/metiers/recommend"
	"github.com/metiers/metiers/search"
)

// answers is what a replica tells readers about a set of queries and
// guides: hits (ids, scores, order), totals, facets, suggestions,
// similar guides and quiz matches.
type answers struct {
	Searches map[string][]search.Hit
	Totals   map[string]uint64
	Facets   map[string]any
	Suggest  map[string][]search.Suggestion
	Similar  map[string][]recommend.Similar
	Quiz     map[string]*recommend.MatchResult
}

// searchAnswers is a's searches alone: what a generation derived by
// changes applied on their own answers as a rebuild does before its
// settle. The rest waits for it: the « similaires » and the quiz keep
// the build's corpus-wide weights, and the suggestions are bleve's BM25
// over the title fields, whose mean length bleve takes from the size of
// the field's dictionary, which still counts the terms of a deleted or
// replaced document until its segment is merged.
func (a answers) searchAnswers() answers {
	return answers{Searches: a.Searches, Totals: a.Totals, Facets: a.Facets}
}

// probeQuizzes are readers' quizzes: answers drawn from the quiz's
// questions (deterministically), with and without a free text.
func probeQuizzes(q *recommend.Quiz) map[string]recommend.MatchRequest {
	out := map[string]recommend.MatchRequest{}
	for k, text := range []string{"", "soigner des patients à l'hôpital", "coder les actes médicaux"} {
		for seed := range 2 {
			ans := map[string]int{}
			for i, qu := range q.Questions {
				if (i+seed)%3 != 2 {
					ans[qu.ID] = 1 + (i*7+seed*3)%5
				}
			}
			out[fmt.Sprintf("quiz%d-%d", k, seed)] = recommend.MatchRequest{Answers: ans, Text: text, Size: 20}
		}
	}
	return out
}

var probeQueries = []string{"medecin", "codeuse", "l'INAMI", "mutuelle", "secretaire medicale", "infirmier", "soins patients", "méd", "codeur medical variante", "hopital"}

func collect(t testing.TB, e *Engine) (string, answers) {
	t.Helper()
	g, err := e.Acquire()
	if err != nil {
		t.Fatal(err)
	}
	defer g.Release()
	ctx := context.Background()
	a := answers{map[string][]search.Hit{}, map[string]uint64{}, map[string]any{}, map[string][]search.Suggestion{}, map[string][]recommend.Similar{}, map[string]*recommend.MatchResult{}}
	for _, q := range probeQueries {
		for page := 1; page <= 2; page++ {
			res, err := g.Searcher.Search(ctx, search.Request{Query: q, Page: page, Size: 10})
			if err != nil {
				t.Fatalf("search %q: %v", q, err)
			}
			key := q + "#" + string(rune('0'+page))
			a.Searches[key], a.Totals[key], a.Facets[key] = res.Hits, res.Total, res.Facets
		}
		sug, err := g.Searcher.Suggest(ctx, q, 8)
		if err != nil {
			t.Fatalf("suggest %q: %v", q, err)
		}
		a.Suggest[q] = sug
	}
	for _, m := range g.Corpus.Metiers {
		sim, err := g.Recommender.Similar(m.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		a.Similar[m.ID] = sim
	}
	for k, req := range probeQuizzes(g.Recommender.Quiz()) {
		res, err := g.Recommender.Match(ctx, req)
		if err != nil {
			t.Fatalf("quiz %s: %v", k, err)
		}
		a.Quiz[k] = res
	}
	return g.Name, a
}

// TestSameCorpusSameAnswers: replicas that build the same corpus, in
// memory or on disk, fresh or reopened, carry the same generation name
// and give the same answers, to the score.
func TestSameCorpusSameAnswers(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	corpusDir := filepath.Join(dir, "corpus")
	base, _ := corpus.Load(corpus.Sample())
	ms, err := corpusgen.Generate(base.Metiers, 80, 3)
	if err != nil {
		t.Fatal(err)
	}
	if err := corpusgen.WriteDir(corpusDir, ms, false); err != nil {
		t.Fatal(err)
	}
	a := start(t, options(corpusDir, ""))
	nameA, ansA := collect(t, a)
	diskDir := filepath.Join(dir, "index")
	b := start(t, options(corpusDir, diskDir))
	nameB, ansB := collect(t, b)
	if nameA == "" || nameA != nameB {
		t.Fatalf("generation names %q (memory) and %q (disk), want one non-empty name", nameA, nameB)
	}
	if !reflect.DeepEqual(ansA, ansB) {
		diff(t, ansA, ansB)
	}
	b.Close()
	c := start(t, options(corpusDir, diskDir))
	if g, _ := c.Acquire(); g != nil {
		if !g.Reused {
			t.Error("the second start on the same index directory rebuilt it")
		}
		g.Release()
	}
	nameC, ansC := collect(t, c)
	if nameC != nameA || !reflect.DeepEqual(ansA, ansC) {
		t.Errorf("reopened from disk: name %q, want %q", nameC, nameA)
		diff(t, ansA, ansC)
	}

	// A hidden file (an atomic write under way) changes nothing; a
	// changed guide or other settings change the name.
	if err := os.WriteFile(filepath.Join(corpusDir, ".x.json.tmp-1"), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if n := startName(t, options(corpusDir, "")); n != nameA {
		t.Errorf("a hidden file changed the name: %q, want %q", n, nameA)
	}
	opts := options(corpusDir, "")
	opts.Weights = recommend.Weights{Criteria: 0.5, Text: 0.5, Curated: 0.5}
	if n := startName(t, opts); n == nameA {
		t.Error("other weights kept the name")
	}
	if err := os.Remove(filepath.Join(corpusDir, ms[0].ID+".json")); err != nil {
		t.Fatal(err)
	}
	if n := startName(t, options(corpusDir, "")); n == nameA {
		t.Error("a removed guide kept the name")
	}
}

func startName(t *testing.T, opts Options) string {
	t.Helper()
	e := start(t, opts)
	defer e.Close()
	g, err := e.Acquire()
	if err != nil {
		t.Fatal(err)
	}
	defer g.Release()
	return g.Name
}

// diff reports the first answers that differ.
func diff(t testing.TB, a, b answers) {
	t.Helper()
	for k := range a.Searches {
		if !reflect.DeepEqual(a.Searches[k], b.Searches[k]) || a.Totals[k] != b.Totals[k] {
			t.Errorf("search %s: %d hits %v\nvs %d hits %v", k, a.Totals[k], a.Searches[k], b.Totals[k], b.Searches[k])
		}
	}
	for k := range a.Facets {
		if !reflect.DeepEqual(a.Facets[k], b.Facets[k]) {
			t.Errorf("facets of %s: %v\nvs %v", k, a.Facets[k], b.Facets[k])
		}
	}
	for k := range a.Quiz {
		if !reflect.DeepEqual(a.Quiz[k], b.Quiz[k]) {
			t.Errorf("quiz %s: %+v\nvs %+v", k, a.Quiz[k], b.Quiz[k])
		}
	}
	for k := range a.Suggest {
		if !reflect.DeepEqual(a.Suggest[k], b.Suggest[k]) {
			t.Errorf("suggest %s: %v\nvs %v", k, a.Suggest[k], b.Suggest[k])
		}
	}
	n := 0
	for k := range a.Similar {
		if !reflect.DeepEqual(a.Similar[k], b.Similar[k]) && n < 3 {
			n++
			t.Errorf("similar %s: %v\nvs %v", k, a.Similar[k], b.Similar[k])
		}
	}
}

// The fingerprint's bytes are "settings S\n" then "hex-sum name\n" per
// file in name order: generations on disk and other replicas name
// theirs so, whichever way the lines are written.
func TestDigestFormat(t *testing.T) {
	t.Parallel()
	s := fileSums{}
	for i := range 50 {
		s[fmt.Sprintf("guide-%02d.json", (i*17)%50)] = sha256.Sum256([]byte{byte(i)})
	}
	names := slices.Sorted(maps.Keys(s))
	h := sha256.New()
	fmt.Fprintf(h, "settings %s\n", "abc")
	for _, n := range names {
		sum := s[n]
		fmt.Fprintf(h, "%s %s\n", hex.EncodeToString(sum[:]), n)
	}
	if got, want := s.digest("abc"), hex.EncodeToString(h.Sum(nil)); got != want {
		t.Errorf("digest %s, want %s", got, want)
	}
}
