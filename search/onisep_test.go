package search

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/metiers/metiers/importer"
	"github.com/metiers/metiers/recommend"
)

// sharedData returns ../shared/data beside the repository, looked for
// from the package's directory upwards (a worktree may sit deeper than
// a clone), or "" when it is absent.
func sharedData() string {
	dir, err := filepath.Abs(".")
	if err != nil {
		return ""
	}
	for range 4 {
		dir = filepath.Dir(dir)
		p := filepath.Join(dir, "shared", "data")
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			return p
		}
	}
	return ""
}

var (
	onisepOnce     sync.Once
	onisepSearcher *Searcher
	onisepErr      error
)

// newONISEP returns a searcher over the real ONISEP corpus, built once
// per test binary, or skips the test when ../shared/data does not hold
// it.
func newONISEP(t testing.TB) *Searcher {
	t.Helper()
	data := sharedData()
	if data == "" {
		t.Skip("SKIP: no ../shared/data beside the repository: the ONISEP corpus (onisep-ideo) is read in place, never copied; this test needs it")
	}
	onisepOnce.Do(func() {
		res, err := importer.ONISEP(filepath.Join(data, "onisep-ideo"), importer.Options{})
		if err != nil {
			onisepErr = err
			return
		}
		// The criteria facet of a served ONISEP: the recommender's tags
		// (the import itself gives no criteria).
		r, err := recommend.New(context.Background(), res.Metiers, recommend.Options{VectorsOnly: true})
		if err != nil {
			onisepErr = err
			return
		}
		onisepSearcher, onisepErr = newTaggedSearcher(res.Metiers, r.TagIDs)
	})
	if onisepErr != nil {
		t.Skipf("SKIP: the ONISEP corpus under %s could not be read: %v", data, onisepErr)
	}
	return onisepSearcher
}

// TestTyposTheStemmerCutsElsewhere checks misspelt words whose stem is
// further from the right word's stem than the words are from each other
// (« chaneur » → « chaneu », « chanteur » → « chant »): they are
// corrected against the words as written.
func TestTyposTheStemmerCutsElsewhere(t *testing.T) {
	t.Parallel()
	s := newONISEP(t)
	for _, c := range []struct{ q, title string }{
		{"chaneur lyrique", "chanteur"},
		{"dansuse", "danseur"},
		{"aide jardiière", "paysagiste"}, // ONISEP says « ouvrier paysagiste »
		{"photoraphe", "photographe"},
		{"carrleur", "carreleur"},
	} {
		res, err := s.Search(context.Background(), Request{Query: c.q + " ", Size: 3})
		if err != nil {
			t.Fatalf("%q: %v", c.q, err)
		}
		var got []string
		found := false
		for _, h := range res.Hits {
			got = append(got, h.Title)
			found = found || strings.Contains(h.Title, c.title)
		}
		if !found {
			t.Errorf("%q: top 3 %q, want a « %s »", c.q, got, c.title)
		}
	}
}

// TestTypingONISEP types the words the issue names on the real corpus:
// while a word is being typed, the guides whose names hold what is typed
// come first.
func TestTypingONISEP(t *testing.T) {
	t.Parallel()
	s := newONISEP(t)
	for _, c := range []struct{ q, first string }{
		{"vété", "vétérinaire"},
		{"plomb", "plombier"},
		{"coiff", "coiffeur"},
		{"mécanici", "mécanicien"},
		{"infirmiè", "infirmier"},
		{"technicienne frigo", "frigoriste"},
	} {
		res, err := s.Search(context.Background(), Request{Query: c.q, Size: 3})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Hits) == 0 || !strings.Contains(strings.ToLower(res.Hits[0].Title), c.first) {
			var got []string
			for _, h := range res.Hits {
				got = append(got, h.Title)
			}
			t.Errorf("%q: first %q, want a « %s »", c.q, got, c.first)
		}
	}
}

// TestTitleContainment runs job titles worded otherwise than the ONISEP
// guide they name, whose title they contain: the guide ranks first.
func TestTitleContainment(t *testing.T) {
	t.Parallel()
	s := newONISEP(t)
	for _, c := range []struct{ q, first string }{
		{"Coupeuse prêt-à-porter", "coupeur"},
		{"Conductrice de travaux second œuvre", "conducteur de travaux"},
		{"Technicienne supérieure en automatisme", "technicien en automatisme"},
		{"Manager de rayon alimentaire hors produits frais", "chef de rayon"},
	} {
		res, err := s.Search(context.Background(), Request{Query: c.q, Size: 50})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Hits) == 0 || res.Hits[0].Title != c.first {
			var got []string
			for _, h := range res.Hits[:min(3, len(res.Hits))] {
				got = append(got, h.Title)
			}
			t.Errorf("%q: first %q, want %q", c.q, got, c.first)
		}
	}
}

// TestEveryPageOnce walks every page of long queries: each of the total
// guides is listed once, whatever the page size.
func TestEveryPageOnce(t *testing.T) {
	t.Parallel()
	s := newONISEP(t)
	ctx := context.Background()
	for _, q := range []string{"technicien démonstrateur en matériel agricole travail", "ingénieur en R et D en énergies renouvelables travail"} {
		for _, size := range []int{7, 50} {
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
				for _, h := range res.Hits {
					if p, ok := seen[h.ID]; ok {
						t.Errorf("%q size %d: %s on page %d and again on page %d", q, size, h.ID, p, page)
					}
					seen[h.ID] = page
				}
				if len(res.Hits) < size {
					break
				}
			}
			if total <= 50 || uint64(len(seen)) != total {
				t.Errorf("%q size %d: %d distinct guides over the pages, total %d", q, size, len(seen), total)
			}
		}
	}
}

// TestFacetCountIsFilteredTotal ticks every criteria and area facet of
// queries near the relaxing threshold: the filtered total must be the
// count the facet showed (most of the words is decided without filters).
func TestFacetCountIsFilteredTotal(t *testing.T) {
	t.Parallel()
	s := newONISEP(t)
	ctx := context.Background()
	checked := 0
	for _, q := range []string{"vendeur conseil", "animateur nature", "assistant de direction", "technicien laboratoire", "Directeur technique en actuariat"} {
		res, err := s.Search(ctx, Request{Query: q})
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{FacetCriteria, FacetArea} {
			for _, fv := range res.Facets[name] {
				f := Filters{Criteria: []string{fv.Value}}
				if name == FacetArea {
					f = Filters{Areas: []string{fv.Value}}
				}
				got, err := s.Search(ctx, Request{Query: q, Filters: f})
				if err != nil {
					t.Fatal(err)
				}
				checked++
				if got.Total != uint64(fv.Count) {
					t.Errorf("%q, %s %s: facet count %d, filtered total %d", q, name, fv.Value, fv.Count, got.Total)
				}
			}
		}
	}
	if checked < 20 {
		t.Errorf("only %d facet values checked", checked)
	}
}
