package search

import (
	"context"
	"fmt"
	"math"
	"sort"
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
// read once from the index: TextMatch's vocabulary.
type dfCache struct {
	once sync.Once
	df   map[string]int
	docs int
	err  error
}

// docFreq returns the document frequency of every term of the whole
// text: the lexicon's, or, for a searcher without guides, the index's
// dictionary, read once.
func (s *Searcher) docFreq() (map[string]int, int, error) {
	s.df.once.Do(func() {
		if s.lex.live > 0 {
			s.df.docs = s.lex.live
			s.df.df = make(map[string]int, len(s.lex.terms))
			for t, ps := range s.lex.post {
				if len(ps) > 0 {
					s.df.df[s.lex.terms[t]] = len(ps)
				}
			}
			return
		}
		n, err := s.idx.DocCount()
		if err != nil {
			s.df.err = err
			return
		}
		s.df.docs = int(n)
		s.df.df = map[string]int{}
		d, err := s.idx.FieldDict(index.FieldText)
		if err != nil {
			s.df.err = err
			return
		}
		defer d.Close()
		for {
			e, err := d.Next()
			if err != nil {
				s.df.err = err
				return
			}
			if e == nil {
				return
			}
			s.df.df[e.Term] = int(e.Count)
		}
	})
	return s.df.df, s.df.docs, s.df.err
}

// Warm reads what TextMatch's first call would otherwise read (the
// index's vocabulary and document frequencies), so that the first reader
// of a new generation does not wait for it; Search's tables are built by
// New.
func (s *Searcher) Warm() error {
	if _, _, err := s.docFreq(); err != nil {
		return fmt.Errorf("search: warm: %w", err)
	}
	return nil
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
