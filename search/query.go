package search

import (
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/metiers/metiers/index"
)

// fieldBoosts weighs the text fields: titles ≫ tagline ≫ missions and
// qualities ≫ the rest of the guide.
var fieldBoosts = []struct {
	field string
	boost float64
}{
	{index.FieldTitles, 8},
	{index.FieldTagline, 3},
	{index.FieldMissions, 1.5},
	{index.FieldText, 1},
}

// Few fields, few alternatives: bleve's disjunctions multiply a score by
// the share of their clauses that match (coord), so every extra field or
// form would dilute a word found in one place. The text field holds the
// whole guide (missions and qualities included), so tagline and missions
// count twice: there and on their own.

// Match kinds rank exact ≫ prefix ≫ fuzzy.
const (
	exactBoost  = 1.0
	prefixBoost = 0.45
	fuzzyBoost  = 0.2
	// pairBoost weighs each pair of the query's words found side by
	// side (ONISEP MRR@10 by boost: 3 0.531, 6 0.534, 12 0.534, 24 0.524).
	pairBoost = 12.0
	// synonymBoost weighs the query rewritten with domain synonyms.
	synonymBoost = 0.5
	// correctionBoost weighs a misspelt word's correction against the
	// words as written. The word as typed matches nothing, so the
	// correction stands in for it with more than a title's weight: on
	// ONISEP with one letter deleted, MRR@10 0.466 at 1.6, 0.485 at
	// 12.8, 0.493 at 25 (0.522 without typos).
	correctionBoost = 25.0
	// maxPrefixTerms bounds the words of the guides a typed prefix may
	// stand for in the whole text.
	maxPrefixTerms = 50
)

// word is one word of the query: its text folded and lowercased (for
// prefix and typo rules) and its analyzed terms.
type word struct {
	raw   string
	terms []string
}

// fuzziness returns the typos allowed for a word of n letters, as
// Meilisearch counts them: none under 5 letters, 1 from 5, 2 from 9.
func fuzziness(n int) int {
	switch {
	case n >= 9:
		return 2
	case n >= 5:
		return 1
	}
	return 0
}

// words analyzes the query word by word. Stop words keep no term and are
// dropped (typedWord keeps the one being typed when nothing else is left).
func (s *Searcher) words(q string) []word {
	var out []word
	for _, raw := range index.SplitWords(q) {
		for _, part := range strings.Split(raw, "-") {
			if part == "" {
				continue
			}
			terms := s.analyzer.Terms(part)
			plain := s.plain.Terms(part)
			folded := strings.Join(plain, "")
			if len(terms) == 0 {
				continue
			}
			out = append(out, word{raw: folded, terms: terms})
		}
	}
	return out
}

// typedWord returns the query's one word, folded, with no terms, when
// the reader is typing the first word and it is a stop word so far:
// « te » or « de » are the start of « technicien » or « dentiste » as
// much as stop words, and the search box runs on every keystroke. As a
// prefix of the titles' words (wordQuery's last-word clauses, which
// need no terms) it finds what Suggest finds, where the query used to
// be refused. A query of several stop words (« le la les ») is not one.
func (s *Searcher) typedWord(q string) (word, bool) {
	words := index.SplitWords(q)
	if len(words) != 1 {
		return word{}, false
	}
	parts := strings.Split(words[0], "-")
	folded := strings.Join(s.plain.Terms(parts[len(parts)-1]), "")
	if folded == "" {
		return word{}, false
	}
	return word{raw: folded}, true
}

// textQuery builds the match of a text's words: every word must match
// (exactly, by prefix for the last word, or within the typos its length
// allows) in some field, with the fields weighed by fieldBoosts. With
// prefix set, the last word may be the start of a word. It returns nil
// when there is no word (or, relaxed, fewer than two).
func (s *Searcher) textQuery(ws []word, prefix, relaxed bool) query.Query {
	if len(ws) == 0 || (relaxed && len(ws) < 2) {
		return nil
	}
	return s.wordsQuery(ws, prefix, relaxed)
}

// synonymQuery is the query of a text's variants (its words rewritten
// with the domain synonyms: each form of a group it contains replaced by
// the others), or nil when there are none. Search adds it to the text's
// own query at a lower weight, so that a guide with the reader's own
// words ranks above one with a synonym.
func (s *Searcher) synonymQuery(variants []variant, prefix, relaxed bool) query.Query {
	if len(variants) == 0 {
		return nil
	}
	var alts []query.Query
	for _, v := range variants {
		// A rewritten text earns no pairs bonus: it already ranks
		// below the reader's own words.
		if q := s.wordsQuery(v.words, prefix && v.keepsLast, relaxed); q != nil {
			alts = append(alts, q)
		}
	}
	if len(alts) == 0 {
		return nil
	}
	return bleve.NewDisjunctionQuery(alts...)
}

// wordsQuery is textQuery over analyzed words.
func (s *Searcher) wordsQuery(ws []word, prefix, relaxed bool) query.Query {
	var must []query.Query
	for i, w := range ws {
		last := prefix && i == len(ws)-1
		must = append(must, s.wordQuery(w, last))
	}
	if !relaxed {
		return bleve.NewConjunctionQuery(must...)
	}
	// The word being typed counts as a whole word here: as a prefix,
	// a few letters would let most guides in on their own.
	if prefix {
		must[len(ws)-1] = s.wordQuery(ws[len(ws)-1], false)
	}
	// Most of the informative words: bleve's coord factor ranks the
	// guides that match more of them first. A word in 40 % of
	// the guides or more (« travail ») would let almost every guide
	// in, at the highest cost: it is left out of the relaxed query.
	var rare []query.Query
	for i, w := range ws {
		if !s.common(w) {
			rare = append(rare, must[i])
		}
	}
	if len(rare) == 0 {
		return nil
	}
	d := bleve.NewDisjunctionQuery(rare...)
	d.SetMin(float64((len(rare) + 1) / 2))
	return d
}

// pairsQuery is the proximity bonus of a text of two words or more, or
// nil: each pair of its words side by side, as typed (stop words left
// out: « incapacité de travail » is the pair « incapacit travail »), is a
// term of the pairs field. A term query reads no positions and skips
// the guides it need not see, so the bonus costs little even over
// thousands of matches; with several pairs, bleve's coord factor gives
// a guide with all of them the whole bonus.
func (s *Searcher) pairsQuery(text string, ws []word) query.Query {
	if len(ws) < 2 {
		return nil
	}
	var alts []query.Query
	seen := map[string]bool{}
	for _, p := range s.pairs.Terms(text) {
		if seen[p] {
			continue
		}
		seen[p] = true
		tq := bleve.NewTermQuery(p)
		tq.SetField(index.FieldPairs)
		tq.SetBoost(pairBoost)
		alts = append(alts, tq)
	}
	switch len(alts) {
	case 0:
		return nil
	case 1:
		return alts[0]
	}
	return bleve.NewDisjunctionQuery(alts...)
}

// common reports whether every term of a word is in 40 % of the
// guides or more.
func (s *Searcher) common(w word) bool {
	df, docs, err := s.docFreq()
	if err != nil || docs < 8 {
		return false
	}
	for _, t := range w.terms {
		if df[t]*5 < docs*2 {
			return false
		}
	}
	return true
}

// wordQuery matches one word in any text field.
func (s *Searcher) wordQuery(w word, last bool) query.Query {
	var alts []query.Query
	n := utf8.RuneCountInString(w.raw)
	fz := fuzziness(n)
	if last && fz > 0 && (s.knownPrefix(w.raw) || s.knownPrefixOfTerms(w)) {
		// A word being typed that begins a word of the guides is not a
		// typo: the prefix match finds what it means.
		fz = 0
	}
	for i, fb := range fieldBoosts {
		for _, t := range w.terms {
			tq := bleve.NewTermQuery(t)
			tq.SetField(fb.field)
			tq.SetBoost(exactBoost * fb.boost)
			alts = append(alts, tq)
			// Typos are looked for only when the word as typed is in no
			// guide: a real word is not widened into its neighbours
			// (codeuse must not find « cœur »).
			if fz > 0 && (i == 0 || i == len(fieldBoosts)-1) && !s.known(t) {
				fq := bleve.NewFuzzyQuery(t)
				fq.SetField(fb.field)
				fq.SetFuzziness(fz)
				fq.SetPrefix(1)
				fq.SetBoost(fuzzyBoost * fb.boost)
				alts = append(alts, fq)
			}
		}
	}
	if fz > 0 && !s.knownWord(w) {
		// The word as typed against the words as written: stems of a
		// misspelt word and of the right one can be further apart than
		// the words themselves.
		fq := bleve.NewFuzzyQuery(w.raw)
		fq.SetField(index.FieldWords)
		fq.SetFuzziness(fz)
		fq.SetPrefix(1)
		fq.SetBoost(correctionBoost)
		alts = append(alts, fq)
	}
	if last && n >= 1 {
		// The start of a title word, from the edge n-gram field…
		pq := bleve.NewTermQuery(w.raw)
		pq.SetField(index.FieldSuggest)
		pq.SetBoost(prefixBoost * 8)
		alts = append(alts, pq)
		// …or of any word of the guide, once the prefix says enough: three
		// letters or more, starting at most maxPrefixTerms words (« pro »
		// starts hundreds, each a posting list to walk on every
		// keystroke; the titles above still answer it).
		// A long word that is already a word of the guides (« médicale »)
		// is taken as typed: its longer forms would cost more than they
		// add.
		if n >= 3 && !(n >= 5 && s.knownWord(w)) && s.prefixTerms(w.raw, maxPrefixTerms) <= maxPrefixTerms {
			p := bleve.NewPrefixQuery(w.raw)
			p.SetField(index.FieldText)
			p.SetBoost(prefixBoost * 0.5)
			alts = append(alts, p)
		}
	}
	return bleve.NewDisjunctionQuery(alts...)
}

// knownPrefixOfTerms reports whether one of the word's analysed terms
// begins a term of the guides (« technicienn » is typed on the way to
// « technicienne », whose stem is « technicien »).
func (s *Searcher) knownPrefixOfTerms(w word) bool {
	for _, t := range w.terms {
		if s.knownPrefix(t) {
			return true
		}
	}
	return false
}

// knownWord reports whether every analysed term of a word is a term of
// the guides.
func (s *Searcher) knownWord(w word) bool {
	for _, t := range w.terms {
		if !s.known(t) {
			return false
		}
	}
	return len(w.terms) > 0
}

// plenty reports whether guides holding every word as typed are expected
// to number many pages: the corpus size times the product of each word's
// share of the guides (as if words were independent; the commonest form
// of each word counts) is at least plentyHits.
func (s *Searcher) plenty(ws []word) bool {
	df, docs, err := s.docFreq()
	if err != nil || docs == 0 || len(ws) == 0 {
		return false
	}
	est := float64(docs)
	for _, w := range ws {
		best := 0
		for _, t := range w.terms {
			best = max(best, df[t])
		}
		est *= float64(best) / float64(docs)
	}
	return est >= plentyHits
}

// plentyHits is the expected number of guides from which synonyms are
// not looked for.
const plentyHits = 50
