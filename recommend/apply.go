package recommend

import (
	"context"
	"fmt"
	"maps"
	"math"
	"sort"

	"github.com/metiers/metiers/corpus"
)

// One guide at a time (issue 19): Apply makes the tables of a corpus with
// a few guides added, replaced or removed without a full build. The
// changed guides' links, vectors and rows are computed; the row of
// another guide is patched when a changed guide was in it or enters it
// (its similarity to the changed guide is one dot product); a
// « similaires » row is computed again only when the changed guide
// leaves it or changes its scale, and a text row that a changed guide
// leaves keeps one neighbour fewer (of its 50) until the next build. What
// the whole corpus decides stays the build's until the next one: the
// taxonomy (a label no guide had waits for the next build), the quiz's
// questions and statistics, and the weights of rarity (idf, means) and of
// the text's terms (a word no guide had says nothing until then).

// order is the position of each guide after an update: those kept in
// their places (a replaced guide in its own), the last one in the place
// of a removed one, then the new ones. Moving one guide rather than all
// those after a removed one keeps the text posting lists to be rewritten
// to those of the guides that move, go or change.
type order struct {
	ids     []string
	from    []int // position in the old corpus, -1 for a new guide
	changed []bool
	byID    map[string]int
	// stale are the ids whose entries in other rows are out of date.
	stale []string
}

func newOrder(old []string, put []*corpus.Metier, remove []string) (*order, map[string]*corpus.Metier, error) {
	puts := map[string]*corpus.Metier{}
	for _, m := range put {
		if m == nil || m.ID == "" {
			return nil, nil, fmt.Errorf("recommend: apply: a guide without an id")
		}
		puts[m.ID] = m
	}
	for _, id := range remove {
		if _, ok := puts[id]; ok {
			return nil, nil, fmt.Errorf("recommend: apply: %q both put and removed", id)
		}
	}
	o := &order{byID: make(map[string]int, len(old)+len(put)), ids: make([]string, 0, len(old)+len(put))}
	for i, id := range old {
		_, ch := puts[id]
		o.byID[id] = len(o.ids)
		o.ids, o.from, o.changed = append(o.ids, id), append(o.from, i), append(o.changed, ch)
	}
	for _, id := range remove {
		p, ok := o.byID[id]
		if !ok {
			continue
		}
		last := len(o.ids) - 1
		o.ids[p], o.from[p], o.changed[p] = o.ids[last], o.from[last], o.changed[last]
		o.byID[o.ids[p]] = p
		o.ids, o.from, o.changed = o.ids[:last], o.from[:last], o.changed[:last]
		delete(o.byID, id)
		o.stale = append(o.stale, id)
	}
	for _, m := range put {
		o.stale = append(o.stale, m.ID)
		if _, ok := o.byID[m.ID]; ok {
			continue
		}
		o.byID[m.ID] = len(o.ids)
		o.ids, o.from, o.changed = append(o.ids, m.ID), append(o.from, -1), append(o.changed, true)
	}
	return o, puts, nil
}

// holds reports whether a row names one of the ids (a few ids: compared
// one by one, not hashed).
func holds[T any](row []T, id func(T) string, ids []string) bool {
	for _, x := range row {
		xi := id(x)
		for _, s := range ids {
			if len(xi) == len(s) && xi == s {
				return true
			}
		}
	}
	return false
}

func textID(m TextMatch) string { return m.ID }
func simID(s Similar) string    { return s.ID }

// Apply returns text vectors with the guides of put added or replaced
// and the ids of remove removed; t is not changed.
func (t *TextVectors) Apply(ctx context.Context, put []*corpus.Metier, remove []string) (*TextVectors, error) {
	o, puts, err := newOrder(t.ids, put, remove)
	if err != nil {
		return nil, err
	}
	c := *t
	c.ids, c.byID = o.ids, o.byID
	c.vecs = make([][]entry, len(o.ids))
	count := &counter{t: &c, analyze: t.opts.Analyze, words: map[string][]int32{}, labelWeight: t.opts.LabelWeight, lineWeight: t.opts.LineWeight}
	var changed []int
	for i, id := range o.ids {
		if o.changed[i] {
			c.vecs[i] = c.vector(count.guide(puts[id]), len(t.ids), t.opts.Terms)
			changed = append(changed, i)
		} else {
			c.vecs[i] = t.vecs[o.from[i]]
		}
	}
	c.repost(t, o, changed)
	c.near = make([][]TextMatch, len(o.ids))
	acc := make([]float32, len(o.ids))
	var touched []int32
	enters := map[int][]int{} // row → changed guides that may enter it
	for i := range o.ids {
		if !o.changed[i] {
			c.near[i] = t.near[o.from[i]]
			continue
		}
		c.near[i] = c.row(i, acc, &touched, t.opts.Neighbours, t.opts.SharedTerms)
		for _, n := range c.near[i] {
			if j := o.byID[n.ID]; !o.changed[j] {
				enters[j] = append(enters[j], i)
			}
		}
	}
	for j := range o.ids {
		if o.changed[j] {
			continue
		}
		had := holds(c.near[j], textID, o.stale)
		if !had && len(enters[j]) == 0 {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		c.near[j] = c.patch(j, c.near[j], o.stale, changed)
	}
	return &c, nil
}

// repost updates the posting lists of the terms of the guides that
// changed, went or moved: their old entries out (or renumbered, for a
// guide that only moved), the changed guides' new ones in, the lists
// they touch copied so that t's stay as they were. A term the build left
// out of the sums (too common) stays out.
func (c *TextVectors) repost(t *TextVectors, o *order, changed []int) {
	c.postings = repost(t.postings, len(t.postings), t.vecs, c.vecs, t.byID, o, changed, func(d int32) bool { return t.postings[d] != nil })
}

// repost returns the posting lists of vecs, the vectors of the guides in
// o's order, from old, those of oldVecs (oldByID their positions): the
// lists of the dimensions a guide that changed, went or moved has or had
// are rewritten (its old entries out or renumbered, the changed guides'
// new ones appended), the others shared with old, which is not written.
// size is the number of lists (at least old's); listed reports whether a
// dimension below len(old) has a list at all. Within a list the order of
// the entries is not a build's, which a row's sums do not depend on: a
// row adds each guide's terms in the order of its own vector.
func repost(old [][]entry, size int, oldVecs, vecs [][]entry, oldByID map[string]int, o *order, changed []int, listed func(d int32) bool) [][]entry {
	postings := make([][]entry, size)
	copy(postings, old)
	has := func(d int32) bool { return int(d) >= len(old) || listed(d) }
	// Where each old guide that moved, went or changed is now (-1: gone).
	now := map[int32]int32{}
	dims := map[int32]bool{}
	mark := func(v []entry) {
		for _, e := range v {
			if int(e.id) < len(old) && listed(e.id) {
				dims[e.id] = true
			}
		}
	}
	for i, j := range o.from {
		if j >= 0 && (j != i || o.changed[i]) {
			now[int32(j)] = int32(i)
			mark(oldVecs[j])
		}
	}
	for _, id := range o.stale {
		if _, kept := o.byID[id]; kept {
			continue
		}
		if j, ok := oldByID[id]; ok {
			now[int32(j)] = -1
			mark(oldVecs[j])
		}
	}
	for _, i := range changed {
		mark(vecs[i])
	}
	for d := range dims {
		list := old[d]
		p := make([]entry, 0, len(list)+1)
		for _, x := range list {
			if i, ok := now[x.id]; ok {
				if i < 0 || o.changed[i] {
					continue
				}
				x.id = i
			}
			p = append(p, x)
		}
		postings[d] = p
	}
	for _, i := range changed {
		for _, e := range vecs[i] {
			if has(e.id) {
				postings[e.id] = append(postings[e.id], entry{int32(i), e.w})
			}
		}
	}
	return postings
}

// patch returns row j with the stale guides' entries replaced by the
// changed guides' new ones where they rank.
func (c *TextVectors) patch(j int, near []TextMatch, stale []string, changed []int) []TextMatch {
	k := c.opts.Neighbours
	row := make([]TextMatch, 0, len(near)+len(changed))
	for _, n := range near {
		if !holds([]TextMatch{n}, textID, stale) {
			row = append(row, n)
		}
	}
	for _, i := range changed {
		if i == j {
			continue
		}
		d := c.cosine(j, i)
		if d <= 0 || len(row) >= k && d <= row[len(row)-1].Score {
			continue
		}
		x := TextMatch{ID: c.ids[i], Score: math.Min(1, d), Terms: c.sharedTerms(j, i, c.opts.SharedTerms)}
		at := sort.Search(len(row), func(p int) bool { return row[p].Score < x.Score })
		row = append(row, TextMatch{})
		copy(row[at+1:], row[at:])
		row[at] = x
	}
	if len(row) > k {
		row = row[:k]
	}
	// A guide that leaves a full row is not replaced by the next nearest
	// (finding it is a pass over the postings of every term of the row's
	// guide, milliseconds at 10,000 guides, for each row the guide was
	// in): the row keeps one neighbour fewer until the next build (the
	// engine's settle). A row holds Neighbours (50) text neighbours, of
	// which the « similaires » blend the first few.
	return row
}

// cosine is the dot product of two guides' vectors over the terms the
// sums count (those with posting lists), as a row accumulates it.
func (c *TextVectors) cosine(i, j int) float64 {
	a, b := c.vecs[i], c.vecs[j]
	var s float32
	for x, y := 0, 0; x < len(a) && y < len(b); {
		switch {
		case a[x].id < b[y].id:
			x++
		case a[x].id > b[y].id:
			y++
		default:
			if c.postings[a[x].id] != nil {
				s += a[x].w * b[y].w
			}
			x++
			y++
		}
	}
	return float64(s)
}

// Apply returns a recommender with the guides of put added or replaced
// and the ids of remove removed, its « similaires » computed with text
// (the text similarity of the updated corpus, TextVectors.Apply's); r is
// not changed.
func (r *Recommender) Apply(ctx context.Context, put []*corpus.Metier, remove []string, text TextSimilarity) (*Recommender, error) {
	old := make([]string, len(r.metiers))
	for i, m := range r.metiers {
		old[i] = m.ID
	}
	o, puts, err := newOrder(old, put, remove)
	if err != nil {
		return nil, err
	}
	c := *r
	c.text = text
	n := len(o.ids)
	c.metiers, c.byID = make([]*corpus.Metier, n), o.byID
	c.links, c.sheets, c.vectors = make([][]Link, n), make([][]sheetWeight, n), make([]Vector, n)
	c.similar, c.critBest = make([][]Similar, n), make([]float64, n)
	var emb *simIndex
	if r.emb != nil {
		e := *r.emb
		e.ficheDim = maps.Clone(r.emb.ficheDim)
		e.vecs = make([][]entry, n)
		emb = &e
	}
	c.emb = emb
	var changed []int
	for i, id := range o.ids {
		if !o.changed[i] {
			j := o.from[i]
			c.metiers[i], c.links[i], c.sheets[i], c.vectors[i] = r.metiers[j], r.links[j], r.sheets[j], r.vectors[j]
			if emb != nil {
				emb.vecs[i] = r.emb.vecs[j]
				c.similar[i], c.critBest[i] = r.similar[j], r.critBest[j]
			}
			continue
		}
		m := puts[id]
		changed = append(changed, i)
		c.metiers[i] = m
		c.links[i], c.sheets[i] = linkOne(m, r.matcher)
		c.vectors[i] = derive(m, c.sheets[i], c.tax, c.cm)
		if emb != nil {
			emb.vecs[i] = emb.embed(&c, c.vectors[i], c.sheets[i])
		}
	}
	c.curatedBy = make([]bool, n)
	for _, m := range c.metiers {
		for _, id := range m.Similar {
			if j, ok := c.byID[id]; ok {
				c.curatedBy[j] = true
			}
		}
	}
	if emb == nil { // vectors only: no table to update
		c.similar = make([][]Similar, n)
		return &c, nil
	}
	for _, i := range changed {
		emb.slots(emb.vecs[i], len(c.tax.Criteria))
	}
	emb.postings = repost(r.emb.postings, len(c.tax.Criteria)+len(emb.ficheDim), r.emb.vecs, emb.vecs, r.byID, o, changed, func(int32) bool { return true })
	acc := make([]float64, n)
	enters := map[int]bool{}
	for _, i := range changed {
		row, best, err := c.similarRow(ctx, i, c.keep, acc)
		if err != nil {
			return nil, err
		}
		c.similar[i], c.critBest[i] = row, best
		// The guides nearest to it by criteria (acc holds its row), those
		// it names, and its text neighbours may take it among theirs.
		for _, j := range c.top(acc, 2*c.keep) {
			enters[j] = true
		}
		for _, s := range row {
			enters[c.byID[s.ID]] = true
		}
		if text != nil {
			ms, err := text.Similar(ctx, c.metiers[i], textCandidates)
			if err != nil {
				return nil, err
			}
			for _, t := range ms {
				if j, ok := c.byID[t.ID]; ok {
					enters[j] = true
				}
			}
		}
	}
	for j := range o.ids {
		if o.changed[j] {
			continue
		}
		had := holds(c.similar[j], simID, o.stale)
		if !had && !enters[j] && !c.names(j, changed) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		row, ok, err := c.patchRow(ctx, j, o.stale, changed)
		if err != nil {
			return nil, err
		}
		if !ok {
			if row, c.critBest[j], err = c.similarRow(ctx, j, c.keep, acc); err != nil {
				return nil, err
			}
		}
		c.similar[j] = row
	}
	return &c, nil
}

// names reports whether guide j's curated links name a changed guide.
func (r *Recommender) names(j int, changed []int) bool {
	for _, i := range changed {
		if containsStr(r.metiers[j].Similar, r.metiers[i].ID) || containsStr(r.metiers[i].Similar, r.metiers[j].ID) {
			return true
		}
	}
	return false
}

// patchRow returns row j with the stale guides' entries replaced by the
// changed guides' where they rank. It reports false when the row must be
// computed again: a changed guide is more alike than the row's best (its
// scale moves), or a guide left a full row.
func (r *Recommender) patchRow(ctx context.Context, j int, stale []string, changed []int) ([]Similar, bool, error) {
	old := r.similar[j]
	row := make([]Similar, 0, len(old)+len(changed))
	for _, s := range old {
		if !holds([]Similar{s}, simID, stale) {
			row = append(row, s)
		}
	}
	w := r.weights
	total := w.Criteria + w.Text
	if total == 0 {
		total = 1
	}
	var text []TextMatch
	if r.text != nil && w.Text > 0 {
		var err error
		if text, err = r.text.Similar(ctx, r.metiers[j], textCandidates); err != nil {
			return nil, false, fmt.Errorf("recommend: text similarity of %s: %w", r.metiers[j].ID, err)
		}
	}
	// A changed guide now first among its text neighbours moves the
	// scale of the row's text scores.
	if len(text) > 0 && holds(text[:1], textID, stale) {
		return nil, false, nil
	}
	m := r.metiers[j]
	hasCurated := len(m.Similar) > 0 || r.curatedBy[j]
	for _, i := range changed {
		if i == j {
			continue
		}
		d := dot(r.emb.vecs[j], r.emb.vecs[i])
		if d > r.critBest[j] {
			return nil, false, nil
		}
		crit := 0.0
		if r.critBest[j] > 0 && d > 0 {
			crit = d / r.critBest[j]
		}
		o := r.metiers[i]
		var ts float64
		var terms []string
		for _, t := range text {
			if t.ID == o.ID {
				ts, terms = t.Score, t.Terms
			}
		}
		score := (w.Criteria*crit + w.Text*ts) / total
		cur := hasCurated && (containsStr(m.Similar, o.ID) || containsStr(o.Similar, m.ID))
		if cur {
			score += w.Curated
		}
		score = round3(score)
		if len(row) >= r.keep && score <= row[len(row)-1].Score {
			continue
		}
		x := Similar{ID: o.ID, Title: o.Title, Score: score, CriteriaScore: round3(crit), TextScore: round3(ts), Curated: cur}
		if !r.noReasons {
			x.Reasons = r.similarReasons(j, i, terms, cur)
		}
		at := sort.Search(len(row), func(p int) bool { return row[p].Score < x.Score })
		row = append(row, Similar{})
		copy(row[at+1:], row[at:])
		row[at] = x
	}
	if len(row) > r.keep {
		row = row[:r.keep]
	}
	if len(row) < len(old) && len(old) == r.keep {
		return nil, false, nil
	}
	return row, true, nil
}
