package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/lang/fr"
	"github.com/blevesearch/bleve/v2/mapping"
	bleveindex "github.com/blevesearch/bleve_index_api"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/metiers/metiers/corpus"
	"github.com/metiers/metiers/importer"
	"github.com/metiers/metiers/index"
	"github.com/metiers/metiers/search"
)

// SearchFigures are the known-item figures of one engine on one variant.
type SearchFigures struct {
	Queries int     `json:"queries"`
	MRR10   float64 `json:"mrr_at_10"`
	Recall  float64 `json:"recall_at_10"`
}

type query struct {
	text     string
	relevant map[string]bool // ONISEP guide ids
}

// onisepEnv is the ONISEP corpus indexed once for every measure: its
// guides, the ROME job titles that name them, and the served searcher.
type onisepEnv struct {
	guides   []*corpus.Metier
	queries  []query // every eligible ROME appellation
	idx      bleve.Index
	searcher *search.Searcher
}

func newOnisepEnv(ctx context.Context, onisepDir, romeDir string) (*onisepEnv, error) {
	imp, err := importer.ONISEP(onisepDir, importer.Options{NoLinks: true})
	if err != nil {
		return nil, err
	}
	codes, err := onisepCodes(onisepDir)
	if err != nil {
		return nil, err
	}
	bySource := map[string]string{}
	for _, m := range imp.Metiers {
		bySource[m.SourceID] = m.ID
	}
	byCode := map[string]map[string]bool{}
	for met, cs := range codes {
		for _, c := range cs {
			if byCode[c] == nil {
				byCode[c] = map[string]bool{}
			}
			byCode[c][bySource[met]] = true
		}
	}
	qs, err := allRomeQueries(romeDir, byCode)
	if err != nil {
		return nil, err
	}
	idx, err := index.Build(ctx, imp.Metiers, index.Options{})
	if err != nil {
		return nil, err
	}
	s, err := search.New(idx, search.Options{Synonyms: index.DefaultSynonyms(), Guides: imp.Metiers})
	if err != nil {
		idx.Close()
		return nil, err
	}
	return &onisepEnv{guides: imp.Metiers, queries: qs, idx: idx, searcher: s}, nil
}

// knownItem runs ROME appellations as queries against the ONISEP corpus;
// the relevant guides are the ONISEP guides that share the appellation's
// ROME code. Appellations are not indexed: only ONISEP's own texts are.
func knownItem(ctx context.Context, env *onisepEnv, n int, pg bool) (map[string]SearchFigures, error) {
	qs, _ := splitQueries(env.queries, n)
	s := env.searcher
	imp := struct{ Metiers []*corpus.Metier }{env.guides}
	plain, err := plainBleve(imp.Metiers)
	if err != nil {
		return nil, err
	}
	defer plain.Close()

	engines := map[string]func(string) ([]string, error){
		"metiers":        func(q string) ([]string, error) { return searchIDs(ctx, s, q, 10) },
		"plain bleve fr": func(q string) ([]string, error) { return plainSearch(plain, q) },
	}
	variants := map[string]func(string) string{
		"as typed":   func(q string) string { return q },
		"no accents": fold,
		"lower case": strings.ToLower,
		"one typo":   typo,
	}
	out := map[string]SearchFigures{}
	for en, engine := range engines {
		for vn, variant := range variants {
			if en != "metiers" && vn != "as typed" {
				continue
			}
			var f SearchFigures
			for _, q := range qs {
				ids, err := engine(variant(q.text))
				if err != nil {
					continue // a query of stop words only: no hit
				}
				f.Queries++
				for i, id := range ids {
					if q.relevant[id] {
						f.MRR10 += 1 / float64(i+1)
						f.Recall++
						break
					}
				}
			}
			if len(qs) > 0 {
				f.MRR10 /= float64(len(qs))
				f.Recall /= float64(len(qs))
				f.Queries = len(qs)
			}
			out[en+" / "+vn] = f
		}
	}
	if pg {
		figs, took, err := pgPeer(ctx, imp.Metiers, qs)
		if err != nil {
			fmt.Printf("PostgreSQL peer: skipped (%v)\n", err)
		} else {
			fmt.Printf("PostgreSQL peer: %s\n", took.Round(time.Second))
			for k, f := range figs {
				out[k] = f
			}
		}
	}
	return out, nil
}

// onisepCodes reads each ONISEP guide's ROME codes.
// searchIDs returns the ids of a query's first k hits.
func searchIDs(ctx context.Context, s *search.Searcher, q string, k int) ([]string, error) {
	res, err := s.Search(ctx, search.Request{Query: q, Size: k})
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = h.ID
	}
	return ids, nil
}

// mrr returns the MRR@10 and recall@10 of a searcher on queries.
func mrr(ctx context.Context, s *search.Searcher, qs []query, variant func(string) string) SearchFigures {
	f := SearchFigures{Queries: len(qs)}
	for _, q := range qs {
		ids, err := searchIDs(ctx, s, variant(q.text), 10)
		if err != nil {
			continue
		}
		for i, id := range ids {
			if q.relevant[id] {
				f.MRR10 += 1 / float64(i+1)
				f.Recall++
				break
			}
		}
	}
	if len(qs) > 0 {
		f.MRR10 /= float64(len(qs))
		f.Recall /= float64(len(qs))
	}
	return f
}

func onisepCodes(dir string) (map[string][]string, error) {
	f, err := os.Open(filepath.Join(dir, importer.ONISEPFile))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string][]string{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var r struct {
			ID    string   `json:"id"`
			Codes []string `json:"codes_rome_v3"`
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, err
		}
		out[r.ID] = r.Codes
	}
	return out, sc.Err()
}

// romeQueries picks every k-th ROME appellation whose code has ONISEP
// guides, alternating masculine and feminine forms as readers type them.
func romeQueries(dir string, byCode map[string]map[string]bool, n int) ([]query, error) {
	all, err := allRomeQueries(dir, byCode)
	if err != nil {
		return nil, err
	}
	reported, _ := splitQueries(all, n)
	return reported, nil
}

// allRomeQueries reads every ROME appellation whose code has ONISEP
// guides, alternating masculine and feminine forms as readers type them.
func allRomeQueries(dir string, byCode map[string]map[string]bool) ([]query, error) {
	f, err := os.Open(filepath.Join(dir, importer.ROMEFile))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var all []query
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var r struct {
			Code         string   `json:"code_rome"`
			Appellations []string `json:"appellations"`
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, err
		}
		rel := byCode[r.Code]
		if len(rel) == 0 {
			continue
		}
		for _, a := range r.Appellations {
			masc, fem := importer.SplitTitle(a)
			text := masc
			if len(all)%2 == 1 && fem != "" {
				text = fem
			}
			all = append(all, query{text: text, relevant: rel})
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return all, nil
}

// splitQueries returns the n queries the eval reports (every k-th) and
// the others, from which weights are tuned (never on what is reported).
func splitQueries(all []query, n int) (reported, tuning []query) {
	if n <= 0 || n >= len(all) {
		return all, nil
	}
	step := float64(len(all)) / float64(n)
	picked := map[int]bool{}
	for i := 0; i < n; i++ {
		picked[int(float64(i)*step)] = true
	}
	for i, q := range all {
		if picked[i] {
			reported = append(reported, q)
		} else {
			tuning = append(tuning, q)
		}
	}
	return reported, tuning
}

func fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		return s
	}
	return out
}

// typo deletes one inner letter of the longest word of 7 letters or more.
func typo(s string) string {
	words := strings.Fields(s)
	best := -1
	for i, w := range words {
		if n := len([]rune(w)); n >= 7 && (best < 0 || n > len([]rune(words[best]))) {
			best = i
		}
	}
	if best < 0 {
		return s
	}
	r := []rune(words[best])
	k := len(r) / 2
	words[best] = string(append(r[:k:k], r[k+1:]...))
	return strings.Join(words, " ")
}

// plainBleve is the peer: bleve's stock "fr" analyzer, a title field and
// a body field, BM25.
func plainBleve(ms []*corpus.Metier) (bleve.Index, error) {
	im := mapping.NewIndexMapping()
	im.DefaultAnalyzer = fr.AnalyzerName
	im.ScoringModel = bleveindex.BM25Scoring
	idx, err := bleve.NewUsing("", im, "scorch", "scorch", nil)
	if err != nil {
		return nil, err
	}
	b := idx.NewBatch()
	for _, m := range ms {
		body := strings.Join(append([]string{m.Tagline, m.Introduction, m.Conditions, m.Studies}, append(m.Missions, m.Qualities...)...), "\n")
		b.Index(m.ID, map[string]any{"title": m.Title + " " + m.TitleFeminine, "body": body})
	}
	return idx, idx.Batch(b)
}

func plainSearch(idx bleve.Index, q string) ([]string, error) {
	t := bleve.NewMatchQuery(q)
	t.SetField("title")
	t.SetBoost(1.5)
	b := bleve.NewMatchQuery(q)
	b.SetField("body")
	res, err := idx.Search(bleve.NewSearchRequestOptions(bleve.NewDisjunctionQuery(t, b), 10, 0, false))
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = h.ID
	}
	return ids, nil
}

func printSearch(s map[string]SearchFigures) {
	fmt.Println("Known-item search on ONISEP (queries: ROME job titles; relevant: guides sharing the ROME code)")
	fmt.Printf("%-40s %8s %8s %10s\n", "engine / variant", "queries", "MRR@10", "recall@10")
	keys := []string{"metiers / as typed", "metiers / no accents", "metiers / lower case", "metiers / one typo", "plain bleve fr / as typed"}
	for _, form := range pgForms {
		keys = append(keys, form.name+" / as typed")
	}
	for _, k := range keys {
		f, ok := s[k]
		if !ok {
			continue
		}
		fmt.Printf("%-40s %8d %8.3f %10.3f\n", k, f.Queries, f.MRR10, f.Recall)
	}
}
