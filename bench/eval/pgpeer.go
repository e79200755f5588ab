package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/metiers/metiers/bench/pgpeer"
	"github.com/metiers/metiers/corpus"
)

// The PostgreSQL peer of known-item search: full-text search with the
// `french` configuration and `unaccent`, the title at weight A and the
// body at weight C, ranked by ts_rank, in a throwaway cluster driven with
// the psql client (no Go driver for a benchmark peer). Two query forms
// are run: every word required (plainto_tsquery, what a site gets from
// the textbook recipe) and any word (the same lexemes OR-ed, which a
// long job title needs to find anything).

// pgForms are the query forms, by name: a tsquery built from $q.
var pgForms = []struct{ name, tsquery string }{
	{"PostgreSQL FTS (all words)", "plainto_tsquery('french', unaccent($q))"},
	{"PostgreSQL FTS (any word)", "replace(plainto_tsquery('french', unaccent($q))::text, ' & ', ' | ')::tsquery"},
}

// pgPeer loads the guides into a throwaway cluster and runs every query
// in both forms, returning the figures by form name.
func pgPeer(ctx context.Context, ms []*corpus.Metier, qs []query) (map[string]SearchFigures, time.Duration, error) {
	start := time.Now()
	c, err := pgpeer.Start(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer c.Stop()
	if err := c.LoadGuides(ctx, ms); err != nil {
		return nil, 0, err
	}
	var sql strings.Builder
	for f, form := range pgForms {
		for i, q := range qs {
			tsq := strings.ReplaceAll(form.tsquery, "$q", pgpeer.Literal(q.text))
			fmt.Fprintf(&sql, "SELECT %d, %d, coalesce(string_agg(id, ' ' ORDER BY r DESC, id), '') FROM (SELECT id, ts_rank(tsv, t.q) AS r FROM g, (SELECT %s AS q) t WHERE tsv @@ t.q ORDER BY r DESC, id LIMIT 10) s;\n", f, i, tsq)
		}
	}
	out, err := c.Psql(ctx, sql.String())
	if err != nil {
		return nil, 0, err
	}
	figs := make([]SearchFigures, len(pgForms))
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		parts := strings.SplitN(line, "\t", 3)
		if len(parts) != 3 {
			continue
		}
		f, err1 := strconv.Atoi(parts[0])
		i, err2 := strconv.Atoi(parts[1])
		if err1 != nil || err2 != nil || f >= len(figs) || i >= len(qs) {
			continue
		}
		for rank, id := range strings.Fields(parts[2]) {
			if qs[i].relevant[id] {
				figs[f].MRR10 += 1 / float64(rank+1)
				figs[f].Recall++
				break
			}
		}
	}
	res := map[string]SearchFigures{}
	for f, form := range pgForms {
		fig := figs[f]
		fig.Queries = len(qs)
		if len(qs) > 0 {
			fig.MRR10 /= float64(len(qs))
			fig.Recall /= float64(len(qs))
		}
		res[form.name+" / as typed"] = fig
	}
	return res, time.Since(start), nil
}
