package search

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/metiers/metiers/index"
)

// TextMatch is a guide similar to a text, with a score normalised to
// [0,1] (1 for the best match) and the distinctive terms it shares.
type TextMatch struct {
	ID    string   `json:"id"`
	Score float64  `json:"score"`
	Terms []string `json:"terms,omitempty"`
}

// mltTerms is how many distinctive terms of a free text make its query.
const mltTerms = 80

// largeCorpus is the size from which common terms are left out of
// more-like-this queries.
const largeCorpus = 2000

// dfCache holds the document frequency of every term of the whole text,
// read once from the index.
type dfCache struct {
	once sync.Once
	df   map[string]int
	// known holds every term of the whole text and titles; sorted lists
	// them in order, for prefixes.
	known  map[string]bool
	sorted []string
	// words lists the words as written (folded) of the titles, tagline
	// and missions, sorted, with the guides holding each: the
	// vocabulary a misspelt word is corrected against.
	words []wordCount
	docs  int
	err   error
}

func (s *Searcher) docFreq() (map[string]int, int, error) {
	return s.docFreqOf(s.idx)
}

// docFreqOf fills the cache, once, from idx.
func (s *Searcher) docFreqOf(idx bleve.Index) (map[string]int, int, error) {
	s.df.once.Do(func() {
		n, err := idx.DocCount()
		if err != nil {
			s.df.err = err
			return
		}
		s.df.docs = int(n)
		s.df.df = map[string]int{}
		s.df.known = map[string]bool{}
		visit := func(field string, fn func(term string, count int)) error {
			d, err := idx.FieldDict(field)
			if err != nil {
				return err
			}
			defer d.Close()
			for {
				e, err := d.Next()
				if err != nil {
					return err
				}
				if e == nil {
					return nil
				}
				fn(e.Term, int(e.Count))
			}
		}
		err = visit(index.FieldText, func(t string, c int) {
			s.df.df[t] = c
			s.df.known[t] = true
		})
		if err == nil {
			err = visit(index.FieldTitles, func(t string, _ int) { s.df.known[t] = true })
		}
		if err == nil {
			// The dictionary is read in term order.
			err = visit(index.FieldWords, func(t string, c int) { s.df.words = append(s.df.words, wordCount{t, c}) })
		}
		if err != nil {
			s.df.err = err
			return
		}
		s.df.sorted = make([]string, 0, len(s.df.known))
		for t := range s.df.known {
			s.df.sorted = append(s.df.sorted, t)
		}
		sort.Strings(s.df.sorted)
	})
	return s.df.df, s.df.docs, s.df.err
}

// Warm reads, from idx, what the first query would otherwise read (the
// document frequencies and the vocabulary of the index, the facet table
// of its current snapshot, the guides' terms for re-ranking), so that the first reader after a reindex
// does not wait for it. idx must be the index the searcher's alias is
// about to serve.
func (s *Searcher) Warm(idx bleve.Index) error {
	if _, _, err := s.docFreqOf(idx); err != nil {
		return err
	}
	// The facet table of the index's current snapshot, which its first
	// searches will read.
	adv, err := idx.Advanced()
	if err != nil {
		return fmt.Errorf("search: warm: %w", err)
	}
	r, err := adv.Reader()
	if err != nil {
		return fmt.Errorf("search: warm: %w", err)
	}
	defer r.Close()
	if _, err = s.facets.get(context.Background(), r); err != nil {
		return err
	}
	// The guides' terms the re-ranking reads, so that a guide's first
	// appearance among a query's first hits does not analyse its text.
	if s.byTitle != nil {
		s.byTitle.warm()
	}
	return nil
}

// known reports whether a term occurs in some guide; an error reading the
// dictionary counts as known (no typo expansion rather than a failure).
func (s *Searcher) known(term string) bool {
	_, _, err := s.docFreq()
	return err != nil || s.df.known[term]
}

// knownPrefix reports whether some term of some guide starts with p; an
// error reading the dictionary counts as known.
func (s *Searcher) knownPrefix(p string) bool {
	if _, _, err := s.docFreq(); err != nil {
		return true
	}
	return s.prefixTerms(p, 0) > 0
}

// prefixTerms returns how many terms of the guides start with p, up to
// max+1.
func (s *Searcher) prefixTerms(p string, max int) int {
	if _, _, err := s.docFreq(); err != nil {
		return 0
	}
	i := sort.SearchStrings(s.df.sorted, p)
	n := 0
	for ; i+n < len(s.df.sorted) && n <= max && strings.HasPrefix(s.df.sorted[i+n], p); n++ {
	}
	return n
}

// distinctive returns the terms of text that say most about it: frequent
// in the text, rare in the index (tf·idf), at most k, best first.
func (s *Searcher) distinctive(text string, k int) ([]string, error) {
	df, docs, err := s.docFreq()
	if err != nil {
		return nil, fmt.Errorf("search: document frequencies: %w", err)
	}
	tf := map[string]int{}
	for _, t := range s.analyzer.Terms(text) {
		if len(t) > 2 {
			tf[t]++
		}
	}
	type scored struct {
		term  string
		score float64
	}
	var all []scored
	for t, n := range tf {
		d := df[t]
		if d == 0 || (docs > 3 && d > docs*6/10) {
			continue // unknown to the index, or too common to tell guides apart
		}
		if docs > largeCorpus && d > docs/10 {
			// On a large corpus a term in more than a tenth of the guides
			// says little and costs most: its posting list is the longest.
			continue
		}
		idf := math.Log(1 + float64(docs)/float64(d))
		all = append(all, scored{t, (1 + math.Log(float64(n))) * idf})
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].score != all[j].score {
			return all[i].score > all[j].score
		}
		return all[i].term < all[j].term
	})
	if len(all) > k {
		all = all[:k]
	}
	out := make([]string, len(all))
	for i, a := range all {
		out[i] = a.term
	}
	return out, nil
}

// TextMatch returns the k guides most relevant to a free text (the quiz's
// "tell us more" box), with normalised scores.
func (s *Searcher) TextMatch(ctx context.Context, text string, k int) ([]TextMatch, error) {
	terms, err := s.distinctive(text, mltTerms)
	if err != nil {
		return nil, err
	}
	return s.termsMatch(ctx, terms, k, "")
}

// termsMatch runs a disjunction of terms over the describing fields and
// normalises the scores by the best one.
func (s *Searcher) termsMatch(ctx context.Context, terms []string, k int, exclude string) ([]TextMatch, error) {
	if len(terms) == 0 || k <= 0 {
		return []TextMatch{}, nil
	}
	var alts []query.Query
	// One field, the whole text: the coord factor then rewards the
	// guides that share more of the terms.
	for _, t := range terms {
		tq := bleve.NewTermQuery(t)
		tq.SetField(index.FieldText)
		alts = append(alts, tq)
	}
	req := bleve.NewSearchRequestOptions(bleve.NewDisjunctionQuery(alts...), k+1, 0, false)
	res, err := s.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("more like this: %w", err)
	}
	want := map[string]bool{}
	for _, t := range terms {
		want[t] = true
	}
	out := make([]TextMatch, 0, k)
	// Scores are relative to the guide's own score when it is among the
	// hits (a guide is as like itself as can be), else to the best hit.
	var best float64
	for _, h := range res.Hits {
		if h.ID == exclude {
			best = h.Score
		}
	}
	for _, h := range res.Hits {
		if h.ID == exclude {
			continue
		}
		if best == 0 {
			best = h.Score
		}
		out = append(out, TextMatch{ID: h.ID, Score: math.Min(1, h.Score/best)})
		if len(out) == k {
			break
		}
	}
	return out, nil
}
