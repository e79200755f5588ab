package main

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/metiers/metiers/corpus"
	"github.com/metiers/metiers/importer"
	"github.com/metiers/metiers/index"
	"github.com/metiers/metiers/recommend"
	"github.com/metiers/metiers/rome"
)

// LinkFigures measure the referential's links on ONISEP with its ROME
// codes stripped: the codes the engine suggests against those the
// export gives, and the RIASEC letter the criteria then carry against the
// experts' letter of the export's codes.
type LinkFigures struct {
	Guides int `json:"guides"`
	// Top1 and Top3: the first (any of the three first) suggestion is
	// one of the export's codes; Parent also counts a ROME 4 sheet split
	// from one of them (the export's codes are ROME v3).
	Top1       float64 `json:"top1"`
	Top3       float64 `json:"top3"`
	Top1Parent float64 `json:"top1_parent"`
	Top3Parent float64 `json:"top3_parent"`
	// Linked is the share of guides with a confident suggestion.
	Linked float64 `json:"linked"`
	// RIASEC is the share of guides whose major RIASEC letter is the
	// major letter of one of the export's codes; RIASECFirst the same
	// against the first code only.
	RIASEC      float64 `json:"riasec_major_agreement"`
	RIASECFirst float64 `json:"riasec_major_agreement_first_code"`
	// RIASECBefore is the same agreement without a referential (criteria
	// from the guide's own fields and text cues).
	RIASECBefore float64 `json:"riasec_without_referential"`
}

// links measures the suggestions and the RIASEC letters on ONISEP with
// its codes stripped.
func links(ctx context.Context, ms []*corpus.Metier, ref *rome.Referential) (*LinkFigures, error) {
	an, err := index.NewAnalyzer()
	if err != nil {
		return nil, err
	}
	matcher := rome.NewMatcher(ref, an.Terms, rome.MatchOptions{})
	truth := map[string][]string{}
	bare := make([]*corpus.Metier, len(ms))
	for i, m := range ms {
		truth[m.ID] = m.RomeCodes
		cp := *m
		cp.RomeCodes = nil
		bare[i] = &cp
	}
	with, err := recommend.New(ctx, bare, recommend.Options{Analyze: an.Terms, Rome: matcher, VectorsOnly: true})
	if err != nil {
		return nil, err
	}
	without, err := recommend.New(ctx, bare, recommend.Options{Analyze: an.Terms, VectorsOnly: true})
	if err != nil {
		return nil, err
	}
	f := &LinkFigures{}
	var riasecN int
	for _, m := range bare {
		codes := truth[m.ID]
		if len(codes) == 0 {
			continue
		}
		f.Guides++
		given := map[string]bool{}
		for _, c := range codes {
			given[c] = true
		}
		isGiven := func(c string, parent bool) bool {
			if given[c] {
				return true
			}
			s := ref.Sheet(c)
			return parent && s != nil && given[s.Parent]
		}
		top := matcher.Rank(matchQuery(m), 3)
		for k, s := range top {
			if k == 0 && isGiven(s.Code, false) {
				f.Top1++
			}
			if k == 0 && isGiven(s.Code, true) {
				f.Top1Parent++
			}
		}
		for _, parent := range []bool{false, true} {
			for _, s := range top {
				if isGiven(s.Code, parent) {
					if parent {
						f.Top3Parent++
					} else {
						f.Top3++
					}
					break
				}
			}
		}
		if ls, _ := with.Links(m.ID); len(ls) > 0 {
			f.Linked++
		}
		experts := map[string]bool{}
		first := ""
		for _, c := range codes {
			if s := ref.Sheet(c); s != nil {
				experts[s.RIASECMajor] = true
				if first == "" {
					first = s.RIASECMajor
				}
			}
		}
		if len(experts) == 0 {
			continue
		}
		riasecN++
		if l := majorLetter(with, m.ID); experts[l] {
			f.RIASEC++
			if l == first {
				f.RIASECFirst++
			}
		}
		if experts[majorLetter(without, m.ID)] {
			f.RIASECBefore++
		}
	}
	n := float64(f.Guides)
	f.Top1, f.Top3, f.Top1Parent, f.Top3Parent, f.Linked = f.Top1/n, f.Top3/n, f.Top1Parent/n, f.Top3Parent/n, f.Linked/n
	f.RIASEC, f.RIASECFirst, f.RIASECBefore = f.RIASEC/float64(riasecN), f.RIASECFirst/float64(riasecN), f.RIASECBefore/float64(riasecN)
	return f, nil
}

// matchQuery is the query recommend makes of a guide (its titles, its
// hook, introduction and missions).
func matchQuery(m *corpus.Metier) rome.Query {
	text := append([]string{m.Tagline, m.Introduction}, m.Missions...)
	return rome.Query{Titles: append([]string{m.Title, m.TitleFeminine}, m.AltTitles...), Text: strings.Join(text, "\n")}
}

// majorLetter is the RIASEC letter of a guide's highest RIASEC criterion.
func majorLetter(r *recommend.Recommender, id string) string {
	vs, _ := r.Vector(id)
	best, bv := "", -1.0
	for _, v := range vs {
		if l, ok := strings.CutPrefix(v.ID, "riasec_"); ok && v.Value > bv {
			best, bv = strings.ToUpper(l), v.Value
		}
	}
	return best
}

func printLinks(f *LinkFigures) {
	fmt.Printf("ONISEP, ROME codes stripped, --referential ROME 4.0 (%d guides the export codes)\n", f.Guides)
	fmt.Printf("  suggested codes: top-1 %.3f, top-3 %.3f (the export's code itself); with the ROME 4 sheets split from it: top-1 %.3f, top-3 %.3f; linked %.3f\n",
		f.Top1, f.Top3, f.Top1Parent, f.Top3Parent, f.Linked)
	fmt.Printf("  major RIASEC letter = the experts' letter of one of its codes: %.3f (its first code: %.3f); without the referential: %.3f\n",
		f.RIASEC, f.RIASECFirst, f.RIASECBefore)
}

// ReachFigures measure the adaptive quiz: each guide's ideal candidate
// (answers read from the guide's own vector through each question's
// criteria) answers the questions the quiz asks.
type ReachFigures struct {
	Guides int `json:"guides"`
	// Settled is the share of guides in the top 10 once the quiz says
	// the matches are settled (or after 15 questions if it does not);
	// At15 the same after 15 questions whatever it says.
	Settled float64 `json:"top10_when_settled"`
	At15    float64 `json:"top10_after_15"`
	// Questions is the median number of questions before it settles;
	// Over15 the share of guides it had not settled for at 15.
	Questions int     `json:"median_questions"`
	Over15    float64 `json:"not_settled_at_15"`
	First     float64 `json:"first_when_settled"`
}

// idealAnswer is the answer of a guide's ideal candidate to a question:
// the guide's values on the question's criteria (a negative weight read
// as 1 - value), 1 + 4 × their weighted mean, rounded; 3 (« Ni oui ni
// non ») when the guide gives none of them. It reads only what the API
// shows: the guide's vector and the question's criteria.
func idealAnswer(vec map[string]float64, q *recommend.Question) int {
	var num, den float64
	for c, w := range q.Criteria {
		v, ok := vec[c]
		if !ok {
			continue
		}
		if w < 0 {
			v, w = 1-v, -w
		}
		num += w * v
		den += w
	}
	if den == 0 {
		return 3
	}
	return 1 + int(math.Round(4*num/den))
}

// reach runs the adaptive quiz for every guide's ideal candidate, on
// every core.
func reach(ctx context.Context, r *recommend.Recommender, ms []*corpus.Metier) (*ReachFigures, error) {
	type result struct {
		settled, at15, first bool
		asked                int
		over                 bool
	}
	res := make([]result, len(ms))
	errs := make(chan error, len(ms))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				m := ms[i]
				vs, _ := r.Vector(m.ID)
				vec := map[string]float64{}
				for _, v := range vs {
					vec[v.ID] = v.Value
				}
				answers := map[string]int{}
				place := func() (int, error) {
					out, err := r.Match(ctx, recommend.MatchRequest{Answers: answers, Size: 10})
					if err != nil {
						return 0, err
					}
					for k, x := range out.Matches {
						if x.ID == m.ID {
							return k + 1, nil
						}
					}
					return 0, nil
				}
				var x result
				settledAt := -1
				for len(answers) < recommend.MaxAdaptiveQuestions {
					q, settled, err := r.NextQuestion(answers)
					if err != nil {
						errs <- err
						return
					}
					if settled && settledAt < 0 {
						settledAt = len(answers)
						p, err := place()
						if err != nil {
							errs <- err
							return
						}
						x.settled, x.first = p > 0, p == 1
					}
					if q == nil {
						break
					}
					answers[q.ID] = idealAnswer(vec, q)
				}
				p, err := place()
				if err != nil {
					errs <- err
					return
				}
				x.at15 = p > 0
				if settledAt < 0 {
					settledAt, x.over = len(answers), true
					x.settled, x.first = p > 0, p == 1
				}
				x.asked = settledAt
				res[i] = x
			}
		}()
	}
	for i := range ms {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	select {
	case err := <-errs:
		return nil, err
	default:
	}
	f := &ReachFigures{Guides: len(ms)}
	asked := make([]int, 0, len(ms))
	for _, x := range res {
		if x.settled {
			f.Settled++
		}
		if x.at15 {
			f.At15++
		}
		if x.first {
			f.First++
		}
		if x.over {
			f.Over15++
		}
		asked = append(asked, x.asked)
	}
	n := float64(len(ms))
	f.Settled, f.At15, f.First, f.Over15 = f.Settled/n, f.At15/n, f.First/n, f.Over15/n
	sort.Ints(asked)
	f.Questions = asked[len(asked)/2]
	return f, nil
}

func printReach(name string, f *ReachFigures) {
	fmt.Printf("Adaptive quiz on %s, each guide's ideal candidate (%d guides): in the top 10 when settled %.3f (first %.3f), after 15 questions %.3f; median %d questions to settle, not settled at 15: %.3f\n",
		name, f.Guides, f.Settled, f.First, f.At15, f.Questions, f.Over15)
}

// expertFigures measures, with the ROME referential: « similaires » on
// both corpora (criteria only, text only, the blend chosen on the
// tuning halves), the links suggested for ONISEP with its codes
// stripped, and the adaptive quiz's reachability on both corpora.
//
// The gold never reaches the features: both corpora are imported without
// their curated links (checked guide by guide), and ROME's recommender
// reads a referential whose mobilités (ROME's gold) are removed; ONISEP's
// gold (métiers associés) is in no field of the export but that one.
func expertFigures(ctx context.Context, res *Results, onisepDir, romeDir string, haveO bool) error {
	ref, err := rome.Load(romeDir)
	if err != nil {
		return err
	}
	var cs []*simCorpus
	var onisep []*corpus.Metier
	if haveO {
		with, err := importer.ONISEP(onisepDir, importer.Options{})
		if err != nil {
			return err
		}
		without, err := importer.ONISEP(onisepDir, importer.Options{NoLinks: true})
		if err != nil {
			return err
		}
		c, err := newSimCorpus(ctx, "onisep", without.Metiers, with.Metiers, ref, true)
		if err != nil {
			return err
		}
		cs, onisep = append(cs, c), without.Metiers
	}
	with, err := importer.ROME(romeDir, importer.Options{})
	if err != nil {
		return err
	}
	without, err := importer.ROME(romeDir, importer.Options{NoLinks: true})
	if err != nil {
		return err
	}
	noMob := ref.WithoutMobilities()
	for _, s := range noMob.Sheets() {
		if len(s.Mobilities) > 0 {
			return fmt.Errorf("rome: %s keeps its mobilités: the gold would leak", s.Code)
		}
	}
	c, err := newSimCorpus(ctx, "rome", without.Metiers, with.Metiers, noMob, false)
	if err != nil {
		return err
	}
	cs = append(cs, c)
	groups, sims, err := tuneSimilar(ctx, cs)
	if err != nil {
		return err
	}
	res.Similar, res.Groups = sims, groups
	fmt.Printf("criteria groups chosen on the tuning halves: %v\n\n", groups)
	for _, c := range cs {
		name := map[string]string{"onisep": "ONISEP « métiers associés »", "rome": "ROME « mobilités »"}[c.name]
		printSim(name, sims[c.name])
		fmt.Println()
	}
	if haveO {
		if res.Links, err = links(ctx, onisep, ref); err != nil {
			return err
		}
		printLinks(res.Links)
		fmt.Println()
	}
	res.Reach = map[string]*ReachFigures{}
	for _, c := range cs {
		f, err := reach(ctx, c.r, c.guides)
		if err != nil {
			return err
		}
		res.Reach[c.name] = f
		printReach(map[string]string{"onisep": "ONISEP", "rome": "ROME"}[c.name], f)
	}
	return nil
}
