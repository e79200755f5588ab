package search

import (
	"hash/maphash"
	"math"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	bsearch "github.com/blevesearch/bleve/v2/search"

	"github.com/metiers/metiers/corpus"
	"github.com/metiers/metiers/index"
)

// Title-aware re-ranking. BM25 over the fields ranks a job title worded
// otherwise than the guide (« Coupeuse prêt-à-porter », « Conductrice de
// travaux second œuvre ») below guides that hold every word somewhere in
// their long texts, while the reader named the guide whose title the
// query contains (« coupeuse », « conductrice de travaux »). The first
// rerankDepth hits, with every guide one of whose titles the query
// contains, are ranked again by a linear score of:
//
//   - the engine's score over its best hit's (0 for a guide found by
//     its title alone);
//   - containment: the number of words (at most 3, over 3) of the
//     longest title form wholly in the query;
//   - the share of the query's words, each weighed by its rarity, found
//     in the guide's titles;
//   - the same share over the guide's whole text.
//
// The weights were fitted by coordinate ascent on MRR@10 over a third
// of the 5,420 ROME job titles that `make eval` does not ask, and
// measured on the 1,000 it asks (docs/relevance.md). A guide that holds no query word in
// the index but whose title the query contains joins the results, and
// is counted in the total and the facets.
const (
	rerankDepth   = 50
	scoreWeight   = 1.0
	containWeight = 3.0
	titleWeight   = 0.8
	textWeight    = 2.0
	// maxContainTerms bounds the query terms whose subsets are looked
	// up as title forms (2^10 lookups at most).
	maxContainTerms = 10
	// correctionHits is how many of the engine's first hits a
	// misspelt word's correction is looked for in.
	correctionHits = 1
)

// titleIndex holds, for the guides a Searcher was given, what the
// re-ranking reads: each title form by its terms, and each guide's
// title and whole-text terms, hashed (8 bytes a distinct term: 38 MB
// for 10,000 generated guides). Searcher.Warm hashes every guide on
// every core (6.6 s of one core for those 10,000); a searcher never
// warmed hashes a guide on its first appearance among a query's first
// hits.
type titleIndex struct {
	analyze func(string) []string
	seed    maphash.Seed
	guides  map[string]*corpus.Metier
	// forms maps the sorted, distinct terms of a title form, joined by
	// a space, to the guides that have it.
	forms map[string][]contained
	terms sync.Map // guide id → *guideTerms
}

// contained is a guide whose title form has n distinct terms.
type contained struct {
	id string
	n  int
}

// guideTerms are the hashed terms of a guide, sorted.
type guideTerms struct {
	title, text []uint64
}

// holds reports whether the guide's text holds every term.
func (g *guideTerms) holds(t *titleIndex, terms []string) bool {
	for _, term := range terms {
		if _, ok := slices.BinarySearch(g.text, t.hash(term)); !ok {
			return false
		}
	}
	return true
}

func newTitleIndex(guides map[string]*corpus.Metier, analyze func(string) []string) *titleIndex {
	t := &titleIndex{analyze: analyze, seed: maphash.MakeSeed(), guides: guides, forms: map[string][]contained{}}
	for id, m := range guides {
		seen := map[string]bool{}
		for _, f := range titleForms(m) {
			terms := distinct(analyze(f))
			if len(terms) == 0 {
				continue
			}
			key := strings.Join(terms, " ")
			if seen[key] {
				continue
			}
			seen[key] = true
			t.forms[key] = append(t.forms[key], contained{id: id, n: len(terms)})
		}
	}
	return t
}

func titleForms(m *corpus.Metier) []string {
	return append([]string{m.Title, m.TitleFeminine}, m.AltTitles...)
}

// distinct returns the terms sorted, without duplicates.
func distinct(terms []string) []string {
	out := slices.Clone(terms)
	sort.Strings(out)
	return slices.Compact(out)
}

func (t *titleIndex) hash(term string) uint64 { return maphash.String(t.seed, term) }

// of returns a guide's terms, or nil for a guide it does not hold.
func (t *titleIndex) of(id string) *guideTerms {
	if g, ok := t.terms.Load(id); ok {
		return g.(*guideTerms)
	}
	m := t.guides[id]
	if m == nil {
		return nil
	}
	hashes := func(text string) []uint64 {
		var out []uint64
		for _, term := range t.analyze(text) {
			out = append(out, t.hash(term))
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	title := hashes(strings.Join(titleForms(m), "\n"))
	// The whole text, as the text field holds it: the description alone
	// (tagline, introduction, conditions, missions) ranked « l'INAMI
	// nomenclature » below a guide that says less of it, and ONISEP
	// MRR@10 read 0.573 (0.576).
	text := hashes(index.Text(m))
	g := &guideTerms{title: title, text: text}
	t.terms.Store(id, g)
	return g
}

// warm hashes every guide's terms, on every core.
func (t *titleIndex) warm() {
	ids := make(chan string)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range ids {
				t.of(id)
			}
		}()
	}
	for id := range t.guides {
		ids <- id
	}
	close(ids)
	wg.Wait()
}

// containing returns the guides one of whose title forms the query's
// terms wholly contain, with the most terms of such a form.
func (t *titleIndex) containing(terms []string) map[string]int {
	terms = distinct(terms)
	if len(terms) > maxContainTerms {
		terms = terms[:maxContainTerms]
	}
	out := map[string]int{}
	sub := make([]string, 0, len(terms))
	for mask := 1; mask < 1<<len(terms); mask++ {
		sub = sub[:0]
		for i, term := range terms {
			if mask&(1<<i) != 0 {
				sub = append(sub, term)
			}
		}
		for _, c := range t.forms[strings.Join(sub, " ")] {
			out[c.id] = max(out[c.id], c.n)
		}
	}
	return out
}

// queryTerm is a term of the query with its weight (its rarity).
type queryTerm struct {
	hash uint64
	idf  float64
}

// queryTerms weighs the query's terms known to the index by their
// rarity, ln(1 + N/(1+df)); a term no guide holds (a typo) is left out,
// since every guide misses it alike.
func (s *Searcher) queryTerms(ws []word) []queryTerm {
	df, docs, err := s.docFreq()
	if err != nil || docs == 0 {
		return nil
	}
	var out []queryTerm
	seen := map[string]bool{}
	for _, w := range ws {
		if s.synonyms.hasAll(w.terms) {
			// The engine also finds its synonyms: the terms alone would
			// say less than it knows.
			continue
		}
		for _, term := range w.terms {
			if seen[term] || df[term] == 0 {
				continue
			}
			seen[term] = true
			out = append(out, queryTerm{hash: s.byTitle.hash(term), idf: math.Log(1 + float64(docs)/float64(1+df[term]))})
		}
	}
	return out
}

// rerankScore is a guide's score: engine is its engine score over the
// best hit's (0 when it is not a hit), n the terms of its longest title
// form the query contains.
func (s *Searcher) rerankScore(id string, engine float64, n int, qt []queryTerm) float64 {
	score := scoreWeight*engine + containWeight*float64(min(n, 3))/3
	g := s.byTitle.of(id)
	if g == nil || len(qt) == 0 {
		return score
	}
	var all, inTitle, inText float64
	for _, q := range qt {
		all += q.idf
		if _, ok := slices.BinarySearch(g.title, q.hash); ok {
			inTitle += q.idf
		}
		if _, ok := slices.BinarySearch(g.text, q.hash); ok {
			inText += q.idf
		}
	}
	return score + titleWeight*inTitle/all + textWeight*inText/all
}

// rerank orders the engine's hits (the first rerankDepth of them, with
// the contained guides that are not among them: late matches and
// extras) by rerankScore; the hits past rerankDepth follow in the
// engine's order. Each hit's score becomes its re-ranking score. cont
// maps the guides whose title the query contains to that title's terms;
// engine maps every hit's id to its match.
func (s *Searcher) rerank(ws []word, hits bsearch.DocumentMatchCollection, cont map[string]int, added []string, engine map[string]*bsearch.DocumentMatch) bsearch.DocumentMatchCollection {
	qt := s.queryTerms(ws)
	head := hits[:min(len(hits), rerankDepth)]
	ordered := make(bsearch.DocumentMatchCollection, 0, len(hits)+len(added))
	top := 1.0
	if len(head) > 0 && head[0].Score > 0 {
		top = head[0].Score
	}
	for _, h := range head {
		h.Score = s.rerankScore(h.ID, h.Score/top, cont[h.ID], qt)
		ordered = append(ordered, h)
	}
	inHead := make(map[string]bool, len(head)+len(added))
	for _, h := range head {
		inHead[h.ID] = true
	}
	// A contained guide fetched past the head keeps its match (and the
	// positions it was read with); its engine term is 0 all the same, as
	// on the pages that fetch no deeper than the head.
	for _, id := range added {
		if !inHead[id] {
			inHead[id] = true
			h := engine[id]
			if h == nil {
				h = &bsearch.DocumentMatch{ID: id}
			}
			h.Score = s.rerankScore(id, 0, cont[id], qt)
			ordered = append(ordered, h)
		}
	}
	sort.SliceStable(ordered, func(i, j int) bool {
		if ordered[i].Score != ordered[j].Score {
			return ordered[i].Score > ordered[j].Score
		}
		return ordered[i].ID < ordered[j].ID
	})
	for _, h := range hits[len(head):] {
		if inHead[h.ID] {
			continue // a late match, already ranked above
		}
		// In the engine's order, at or below every re-ranked hit (whose
		// engine term alone is at least as large).
		h.Score = scoreWeight * h.Score / top
		ordered = append(ordered, h)
	}
	return ordered
}

// containedOf returns the guides one of whose titles the query's words
// contain, with the terms of that title, or nil without a title index.
func (s *Searcher) containedOf(ws []word) map[string]int {
	if s.byTitle == nil {
		return nil
	}
	var terms []string
	for _, w := range ws {
		terms = append(terms, w.terms...)
	}
	return s.byTitle.containing(terms)
}

// wordCount is a word of the guides and the number of guides holding it.
type wordCount struct {
	word  string
	count int
}

// corrections returns the words of the guides (as written) within the
// typos its length allows of a word no guide holds, starting with the
// same letter, closest first.
func (s *Searcher) corrections(raw string) []string {
	if _, _, err := s.docFreq(); err != nil {
		return nil
	}
	n := utf8.RuneCountInString(raw)
	fz := fuzziness(n)
	if fz == 0 || raw == "" {
		return nil
	}
	first, size := utf8.DecodeRuneInString(raw)
	words := s.df.words
	type cand struct {
		word string
		dist int
	}
	var out []cand
	var buf []int
	for _, wc := range words[sort.Search(len(words), func(i int) bool { return words[i].word >= raw[:size] }):] {
		if r, _ := utf8.DecodeRuneInString(wc.word); r != first {
			break
		}
		if m := utf8.RuneCountInString(wc.word); m < n-fz || m > n+fz {
			continue
		}
		var d int
		var over bool
		d, over, buf = bsearch.LevenshteinDistanceMaxReuseSlice(raw, wc.word, fz, buf)
		if !over {
			out = append(out, cand{wc.word, d})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].dist < out[j].dist })
	found := make([]string, len(out))
	for i, c := range out {
		found[i] = c.word
	}
	return found
}

// rankingTerms are the terms of the query's words the re-ranking reads.
// A word no guide holds (a synonym aside) stands for the correction
// held by the best of the engine's hits, the engine having found them
// through it; the closest correction wins among those of one hit.
func (s *Searcher) rankingTerms(ws []word, hits bsearch.DocumentMatchCollection) []word {
	out := make([]word, 0, len(ws))
	for _, w := range ws {
		if !s.knownWord(w) && !s.synonyms.hasAll(w.terms) {
			if c := s.bestCorrection(w, hits); c.terms != nil {
				w = c
			}
		}
		out = append(out, w)
	}
	return out
}

// bestCorrection is rankingTerms' choice for one word, or a zero word.
func (s *Searcher) bestCorrection(w word, hits bsearch.DocumentMatchCollection) word {
	var cands []word
	for _, c := range s.corrections(w.raw) {
		if terms := s.analyzer.Terms(c); len(terms) > 0 {
			cands = append(cands, word{raw: c, terms: terms})
		}
	}
	for _, h := range hits[:min(len(hits), correctionHits)] {
		g := s.byTitle.of(h.ID)
		if g == nil {
			continue
		}
		for _, c := range cands {
			if g.holds(s.byTitle, c.terms) {
				return c
			}
		}
	}
	return word{}
}
