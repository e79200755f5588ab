package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/metiers/metiers/corpus"
	"github.com/metiers/metiers/index"
	"github.com/metiers/metiers/search"
)

// tuneRanking chooses the ranking's weights by coordinate ascent on the
// tuning split only: ROME job titles the eval does not report, and
// titles typed from a sample of guides the typing measure does not
// report. The objective is MRR@10 plus the mean of title precision@5 and
// typed-in-top-5; a weighting that ranks any query of the sample's
// relevance suite (search/testdata/relevance.json) below first is
// refused. It prints the weights found and the tuning figures; the
// reported figures are then measured by a plain `make eval`.
func tuneRanking(ctx context.Context, env *onisepEnv, n int) error {
	_, tuning := splitQueries(env.queries, n)
	if len(tuning) > 400 {
		step := float64(len(tuning)) / 400
		var sub []query
		for i := 0; i < 400; i++ {
			sub = append(sub, tuning[int(float64(i)*step)])
		}
		tuning = sub
	}
	titles := typingTitles(env.guides, 3)
	var typed []*corpus.Metier
	for i := 0; i < len(titles); i += 4 {
		typed = append(typed, titles[i])
	}
	sample, cases, err := sampleSuite(ctx)
	if err != nil {
		return err
	}
	eval := func(r search.Ranking) (float64, SearchFigures, TypingFigures, error) {
		ss, err := sample.WithRanking(r)
		if err != nil {
			return 0, SearchFigures{}, TypingFigures{}, err
		}
		fails := 0
		for _, c := range cases {
			ids, err := searchIDs(ctx, ss, c.Q, 1)
			if err != nil || len(ids) == 0 || ids[0] != c.First {
				fails++
			}
		}
		s, err := env.searcher.WithRanking(r)
		if err != nil {
			return 0, SearchFigures{}, TypingFigures{}, err
		}
		ki := mrr(ctx, s, tuning, func(q string) string { return q })
		ty := typing(ctx, s, typed, env.guides)
		return ki.MRR10 + (ty.TitleP5+ty.TypedTop5)/2 - float64(fails), ki, ty, nil
	}
	best := env.searcher.Ranking()
	bestJ, ki, ty, err := eval(best)
	if err != nil {
		return err
	}
	fmt.Printf("tuning on %d job titles and %d typed titles; start J %.4f (MRR@10 %.4f, P@5 %.4f, top5 %.4f) %v\n", len(tuning), len(typed), bestJ, ki.MRR10, ty.TitleP5, ty.TypedTop5, best)
	for round := 0; round < 2; round++ {
		improved := false
		for i := range best {
			for _, f := range []float64{0, 0.5, 2} {
				cand := append(search.Ranking{}, best...)
				w := cand[i].Weight * f
				if cand[i].Weight == 0 {
					w = f / 2
				}
				if w == cand[i].Weight {
					continue
				}
				cand[i].Weight = w
				j, k, t, err := eval(cand)
				if err != nil {
					continue
				}
				if j > bestJ+1e-4 {
					best, bestJ, ki, ty, improved = cand, j, k, t, true
					fmt.Printf("  %s = %g: J %.4f (MRR@10 %.4f, P@5 %.4f, top5 %.4f)\n", cand[i].Name, w, j, k.MRR10, t.TitleP5, t.TypedTop5)
				}
			}
		}
		if !improved {
			break
		}
	}
	fmt.Printf("tuned: J %.4f (MRR@10 %.4f, P@5 %.4f, top5 %.4f)\n", bestJ, ki.MRR10, ty.TitleP5, ty.TypedTop5)
	for _, st := range best {
		fmt.Printf("  {%q, %g},\n", st.Name, st.Weight)
	}
	return nil
}

type relevanceCase struct {
	Q     string `json:"q"`
	First string `json:"first"`
}

// sampleSuite returns a searcher over the sample corpus and the reader
// queries of search/testdata/relevance.json.
func sampleSuite(ctx context.Context) (*search.Searcher, []relevanceCase, error) {
	b, err := os.ReadFile(filepath.Join("search", "testdata", "relevance.json"))
	if err != nil {
		return nil, nil, fmt.Errorf("tune: run from the repository's root: %w", err)
	}
	var doc struct {
		Queries []relevanceCase `json:"queries"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, nil, err
	}
	c, err := corpus.Load(corpus.Sample())
	if err != nil {
		return nil, nil, err
	}
	idx, err := index.Build(ctx, c.Metiers, index.Options{})
	if err != nil {
		return nil, nil, err
	}
	s, err := search.New(idx, search.Options{Synonyms: index.DefaultSynonyms(), Guides: c.Metiers})
	return s, doc.Queries, err
}
