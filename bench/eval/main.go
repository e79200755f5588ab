// Command eval measures relevance on the real public corpora under
// ../shared/data (skipping what is absent) and prints a table, also
// written as JSON:
//
//   - known-item search on ONISEP with ROME job titles as queries (and
//     variants without accents, in lower case, with one typo), against a
//     plain bleve French match query and PostgreSQL full-text search
//     (`french` configuration, `unaccent`, title A, body C) in a throwaway
//     cluster when the server binaries are installed (-pg=false skips it);
//
//   - « Métiers similaires » against ONISEP's « métiers associés » and
//     ROME's « mobilités » on corpora imported without links: criteria
//     only, text only, and the blend whose weights are chosen on one half
//     of the guides and reported on the other, against plain TF-IDF cosine;
//
//   - quiz sanity on ROME: for readers with one strong RIASEC profile, the
//     share of their top 10 whose major RIASEC letter agrees.
//
//     go run ./bench/eval [-data ../shared/data] [-queries 1000] [-json bench/results/eval.json] [-pg=false]
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Results gathers every figure of a run.
type Results struct {
	Date    string                   `json:"date"`
	Search  map[string]SearchFigures `json:"search,omitempty"`
	Typing  *TypingFigures           `json:"typing,omitempty"`
	Similar map[string]SimFigures    `json:"similar,omitempty"`
	// Groups are the criteria groups' weights chosen on the tuning halves.
	Groups map[string]float64       `json:"criteria_groups,omitempty"`
	Links  *LinkFigures             `json:"links,omitempty"`
	Reach  map[string]*ReachFigures `json:"quiz_reachability,omitempty"`
}

func main() {
	data := flag.String("data", filepath.Join("..", "shared", "data"), "directory of the public corpora")
	queries := flag.Int("queries", 1000, "known-item queries to run (a deterministic sample)")
	out := flag.String("json", filepath.Join("bench", "results", "eval.json"), "where to write the figures as JSON")
	pg := flag.Bool("pg", true, "also run the PostgreSQL full-text peer (skipped when no server binaries)")
	tune := flag.Bool("tune", false, "tune the search ranking's weights on the tuning split (never on what is reported) and print them")
	searchOnly := flag.Bool("search-only", false, "measure search only (known-item and typing), not similar nor the quiz")
	noSearch := flag.Bool("no-search", false, "skip search (known-item and typing): similar, links and the quiz only")
	flag.Parse()
	if err := run(*data, *queries, *out, *pg, *tune, *searchOnly, *noSearch); err != nil {
		fmt.Fprintln(os.Stderr, "eval:", err)
		os.Exit(1)
	}
}

func run(data string, nq int, out string, pg, tune, searchOnly, noSearch bool) error {
	ctx := context.Background()
	res := Results{Date: time.Now().UTC().Format(time.RFC3339)}
	onisep := filepath.Join(data, "onisep-ideo")
	rome := filepath.Join(data, "rome4")
	haveO, haveR := exists(onisep), exists(rome)
	if !haveO && !haveR {
		fmt.Printf("eval: no corpus under %s, nothing to measure\n", data)
		return nil
	}
	if haveO && haveR && !noSearch {
		start := time.Now()
		env, err := newOnisepEnv(ctx, onisep, rome)
		if err != nil {
			return err
		}
		defer env.idx.Close()
		if tune {
			return tuneRanking(ctx, env, nq)
		}
		s, err := knownItem(ctx, env, nq, pg)
		if err != nil {
			return err
		}
		res.Search = s
		printSearch(s)
		ty := typing(ctx, env.searcher, typingTitles(env.guides, 0), env.guides)
		res.Typing = &ty
		printTyping(ty)
		fmt.Printf("(%s)\n\n", time.Since(start).Round(time.Second))
	}
	if haveR && !searchOnly {
		start := time.Now()
		if err := expertFigures(ctx, &res, onisep, rome, haveO); err != nil {
			return err
		}
		fmt.Printf("(%s)\n", time.Since(start).Round(time.Second))
	}
	if out != "" {
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			return err
		}
		b, _ := json.MarshalIndent(res, "", "  ")
		if err := os.WriteFile(out, b, 0o644); err != nil {
			return err
		}
		fmt.Printf("\nwritten to %s\n", out)
	}
	return nil
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
