package search

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/metiers/metiers/index"
)

// TestRerankedPages checks that re-ranked results page like any others:
// each page holds at most its size, the pages of 7 laid end to end are
// the pages of 35 (past the re-ranked depth too), with no guide twice
// and the same total on every page.
func TestRerankedPages(t *testing.T) {
	s, err := newSearcher(sampleAndGenerated(t, 200, 5))
	if err != nil {
		t.Fatal(err)
	}
	if s.byTitle == nil {
		t.Fatal("a searcher given the guides does not re-rank")
	}
	ctx := context.Background()
	for _, q := range []string{"médecin", "secrétaire médicale", "gestion dossiers patients hôpital", "codeur"} {
		var wide, narrow []string
		var total uint64
		for page := 1; page <= 2; page++ {
			res, err := s.Search(ctx, Request{Query: q, Page: page, Size: 35})
			if err != nil {
				t.Fatal(err)
			}
			total = res.Total
			for _, h := range res.Hits {
				wide = append(wide, h.ID)
			}
		}
		if len(wide) <= rerankDepth {
			t.Fatalf("%q: %d hits, want more than the %d re-ranked", q, len(wide), rerankDepth)
		}
		for page := 1; page <= 10; page++ {
			res, err := s.Search(ctx, Request{Query: q, Page: page, Size: 7})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Hits) > 7 {
				t.Fatalf("%q page %d: %d hits, size 7", q, page, len(res.Hits))
			}
			if res.Total != total {
				t.Errorf("%q page %d: total %d, was %d", q, page, res.Total, total)
			}
			for _, h := range res.Hits {
				narrow = append(narrow, h.ID)
			}
		}
		if !reflect.DeepEqual(narrow, wide[:len(narrow)]) {
			t.Errorf("%q: pages of 7 %v\ndiffer from pages of 35 %v", q, narrow, wide)
		}
		seen := map[string]bool{}
		for _, id := range wide {
			if seen[id] {
				t.Errorf("%q: %s found twice", q, id)
			}
			seen[id] = true
		}
	}
}

// TestTitleContainment runs job titles worded otherwise than the ONISEP
// guide they name, whose title they contain: the guide ranks first,
// even when it holds none of the query's other words (then it is also
// counted in the total).
func TestTitleContainment(t *testing.T) {
	s := newONISEP(t)
	ctx := context.Background()
	named := 0
	for _, c := range []struct{ q, first string }{
		{"Coupeuse prêt-à-porter", "coupeur"},
		{"Conductrice de travaux second œuvre", "conducteur de travaux"},
		{"Technicienne supérieure en automatisme", "technicien en automatisme"},
		{"Manager de rayon alimentaire hors produits frais", "chef de rayon"},
	} {
		res, err := s.Search(ctx, Request{Query: c.q, Size: 50})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Hits) == 0 || res.Hits[0].Title != c.first {
			var got []string
			for _, h := range res.Hits[:min(3, len(res.Hits))] {
				got = append(got, h.Title)
			}
			t.Errorf("%q: first %q, want %q", c.q, got, c.first)
			continue
		}
		if !strings.Contains(strings.Join(res.Hits[0].Highlights["titles"], " "), "<mark>") && len(res.Hits[0].Highlights) == 0 {
			t.Errorf("%q: %s has no highlight", c.q, c.first)
		}
		// The engine alone, without the guides' titles.
		plain, err := New(s.idx, Options{Synonyms: index.DefaultSynonyms()})
		if err != nil {
			t.Fatal(err)
		}
		alone, err := plain.Search(ctx, Request{Query: c.q, Size: 50})
		if err != nil {
			t.Fatal(err)
		}
		if alone.Total > 50 || res.Total > 50 {
			continue // the counts below need every hit
		}
		engine := map[string]bool{}
		for _, h := range alone.Hits {
			engine[h.ID] = true
		}
		cont := s.containedOf(s.words(c.q))
		extras := 0
		for _, h := range res.Hits {
			if engine[h.ID] {
				continue
			}
			extras++
			if cont[h.ID] == 0 {
				t.Errorf("%q: %s is neither matched nor named by the query", c.q, h.Title)
			}
		}
		named += extras
		if res.Total != alone.Total+uint64(extras) || len(res.Hits) != int(res.Total) {
			t.Errorf("%q: total %d, %d hits, want %d matched + %d named by their titles", c.q, res.Total, len(res.Hits), alone.Total, extras)
		}
	}
	if named == 0 {
		t.Error("no query found a guide by its title alone")
	}
}

// TestEveryPageOnce walks every page of queries whose title-named
// guides rank past the re-ranked head: each of the total guides must be
// listed once, whatever the page size (pages from the sixth fetch
// deeper than the head, and used to list such a guide twice and drop
// another).
func TestEveryPageOnce(t *testing.T) {
	s := newONISEP(t)
	ctx := context.Background()
	for _, q := range []string{
		"technicien démonstrateur en matériel agricole travail",
		"ingénieur en R et D en énergies renouvelables travail",
	} {
		for _, size := range []int{7, 10, 50} {
			seen := map[string]int{}
			var total uint64
			for page := 1; ; page++ {
				res, err := s.Search(ctx, Request{Query: q, Page: page, Size: size})
				if err != nil {
					t.Fatalf("%q page %d: %v", q, page, err)
				}
				if page == 1 {
					total = res.Total
				} else if res.Total != total {
					t.Errorf("%q size %d page %d: total %d, page 1 said %d", q, size, page, res.Total, total)
				}
				for i, h := range res.Hits {
					if p, ok := seen[h.ID]; ok {
						t.Errorf("%q size %d: %s on page %d and again on page %d (#%d)", q, size, h.ID, p, page, i+1)
					}
					seen[h.ID] = page
				}
				if len(res.Hits) < size {
					break
				}
			}
			if total <= 50 {
				t.Fatalf("%q: %d hits, the walk never passes the head", q, total)
			}
			if uint64(len(seen)) != total {
				t.Errorf("%q size %d: %d distinct guides over the pages, total %d", q, size, len(seen), total)
			}
		}
	}
}
