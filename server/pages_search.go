package server

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/metiers/metiers/engine"
	"github.com/metiers/metiers/index"
	"github.com/metiers/metiers/recommend"
	"github.com/metiers/metiers/search"
)

// facetGroup is one facet as a reader filters by it: each value carries
// the filter (query parameter and value) that keeps its guides, so that
// neither the page nor its script maps labels to filters.
type facetGroup struct {
	Name   string        `json:"name"`
	Label  string        `json:"label"`
	Values []facetOption `json:"values"`
}

// facetOption is one value of a facet.
type facetOption struct {
	Label    string `json:"label"`
	Count    int    `json:"count"`
	Key      string `json:"key"`
	Value    string `json:"value"`
	Selected bool   `json:"selected"`
	// Href is the page with the filter added, or removed when selected.
	Href string `json:"-"`
}

// activeFilter is a filter the reader has set, with the address without it.
type activeFilter struct {
	Key, Value, Label, Href string
}

// filterKeys are the search parameters that filter, in the order a page
// writes them.
var filterKeys = []string{"area", "criteria", "salary_min", "salary_max", "study_max"}

// The salary and study facets count guides by bucket; a reader filters
// by a bound (« au moins 4 000 € », « moins de 4 ans d’études »), so the
// buckets' counts are added up to what the bound keeps.
var (
	salaryBounds = []struct {
		bucket int // index in index.SalaryBuckets
		min    string
		label  string
	}{{3, "6000", "au moins 6" + narrowNbsp + "000" + nbsp + "€"}, {2, "4000", "au moins 4" + narrowNbsp + "000" + nbsp + "€"}, {1, "3000", "au moins 3" + narrowNbsp + "000" + nbsp + "€"}}
	studyBounds = []struct {
		bucket int // index in index.StudyBuckets
		max    string
		label  string
	}{{0, "1.9", "moins de 2" + nbsp + "ans d’études"}, {1, "3.9", "moins de 4" + nbsp + "ans d’études"}, {2, "5.9", "moins de 6" + nbsp + "ans d’études"}}
)

// facetGroups turns a response's facets into the filters a reader can
// apply, against the filters of the address (q); href builds the address
// of a page with other filters; nil leaves Href empty (the API has none).
func facetGroups(res *search.Response, labels map[string]string, q url.Values, href func(url.Values) string) []facetGroup {
	option := func(label string, count int, key, value string, single bool) facetOption {
		o := facetOption{Label: label, Count: count, Key: key, Value: value, Selected: slices.Contains(q[key], value)}
		if href == nil {
			return o
		}
		next := cloneValues(q)
		next.Del("page")
		switch {
		case o.Selected:
			next[key] = slices.DeleteFunc(slices.Clone(next[key]), func(v string) bool { return v == value })
		case single:
			next.Set(key, value)
		default:
			next.Add(key, value)
		}
		o.Href = href(next)
		return o
	}
	var groups []facetGroup
	add := func(name, label string, vals []facetOption) {
		if len(vals) > 0 {
			groups = append(groups, facetGroup{Name: name, Label: label, Values: vals})
		}
	}
	var area []facetOption
	for _, v := range res.Facets[search.FacetArea] {
		if v.Count > 0 {
			area = append(area, option(v.Value, v.Count, "area", v.Value, false))
		}
	}
	add(search.FacetArea, "Zone d’emploi", area)
	bucketCounts := func(facet string, order []string) []int {
		counts := make([]int, len(order))
		for _, v := range res.Facets[facet] {
			if i := slices.Index(order, v.Value); i >= 0 {
				counts[i] = v.Count
			}
		}
		return counts
	}
	var salary []facetOption
	sc := bucketCounts(search.FacetSalary, index.SalaryBuckets())
	for _, b := range salaryBounds {
		n := 0
		for i := b.bucket; i < len(sc); i++ {
			n += sc[i]
		}
		if n > 0 {
			salary = append(salary, option(b.label, n, "salary_min", b.min, true))
		}
	}
	add(search.FacetSalary, "Salaire possible", salary)
	var study []facetOption
	stc := bucketCounts(search.FacetStudy, index.StudyBuckets())
	for _, b := range studyBounds {
		n := 0
		for i := 0; i <= b.bucket && i < len(stc); i++ {
			n += stc[i]
		}
		if n > 0 {
			study = append(study, option(b.label, n, "study_max", b.max, true))
		}
	}
	add(search.FacetStudy, "Durée des études", study)
	var crit []facetOption
	for _, v := range res.Facets[search.FacetCriteria] {
		if v.Count > 0 {
			label := labels[v.Value]
			if label == "" {
				label = v.Value
			}
			crit = append(crit, option(label, v.Count, "criteria", v.Value, false))
		}
	}
	add(search.FacetCriteria, "Critères", crit)
	return groups
}

func cloneValues(q url.Values) url.Values {
	out := url.Values{}
	for k, vs := range q {
		out[k] = slices.Clone(vs)
	}
	return out
}

// criterionLabels maps criterion ids to their French labels: built once
// per recommender (a generation's), since a search page and a search
// answer need them each time.
func (s *Server) criterionLabels(r *recommend.Recommender) map[string]string {
	if c := s.labels.last.Load(); c != nil && c.r == r {
		return c.labels
	}
	out := qualifiedLabels(r.Taxonomy())
	s.labels.last.Store(&recommenderLabels{r: r, labels: out})
	return out
}

// groupKinds name the static criteria's groups where a label needs
// telling apart from another criterion's.
var groupKinds = map[string]string{
	"interets":   "profil",
	"niveau":     "études et salaire",
	"conditions": "conditions de travail",
}

// qualifiedLabels maps criterion ids to their labels, each label that
// two criteria share followed by what kind of criterion it is: ONISEP's
// sector « Social » and the profile « Social » are two filters side by
// side in one list, and read « Social (secteur d'activité) » and
// « Social (profil) ».
func qualifiedLabels(tax *recommend.Taxonomy) map[string]string {
	fams := map[string]string{}
	for _, f := range tax.Families {
		fams[f.ID] = f.Label
	}
	uses := map[string]int{}
	for _, c := range tax.Criteria {
		uses[strings.ToLower(c.Label)]++
	}
	out := make(map[string]string, len(tax.Criteria))
	for _, c := range tax.Criteria {
		label := c.Label
		if uses[strings.ToLower(label)] > 1 {
			kind := fams[c.Family]
			if kind == "" {
				kind = groupKinds[c.Group]
			}
			if kind != "" {
				label += " (" + lowerFirst(kind) + ")"
			}
		}
		out[c.ID] = label
	}
	return out
}

// lowerFirst writes the first letter of s in lower case.
func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}

// labelCache holds the criterion labels of one recommender.
type labelCache struct {
	last atomic.Pointer[recommenderLabels]
}

type recommenderLabels struct {
	r      *recommend.Recommender
	labels map[string]string
}

// searchRequest reads a search from a page's address: q, page and the
// filters, forgiving what is not a number (a reader's address is not an
// API call: a bad filter is dropped, not refused).
func searchRequest(q url.Values, size int) (search.Request, url.Values) {
	kept := url.Values{}
	req := search.Request{Query: strings.TrimSpace(q.Get("q")), Page: pageParam(q), Size: size}
	// Filter values within the API's bounds, once each: every kept value
	// is written again into each link of the page (facets, pages), so
	// 700 values of a 6 kB address made a page of 6.4 MB.
	req.Filters.Areas = pageFilter(q["area"])
	req.Filters.Criteria = pageFilter(q["criteria"])
	for _, a := range req.Filters.Areas {
		kept.Add("area", a)
	}
	for _, c := range req.Filters.Criteria {
		kept.Add("criteria", c)
	}
	if n, err := strconv.Atoi(q.Get("salary_min")); err == nil && n > 0 {
		req.Filters.SalaryMin = n
		kept.Set("salary_min", q.Get("salary_min"))
	}
	if n, err := strconv.Atoi(q.Get("salary_max")); err == nil && n > 0 {
		req.Filters.SalaryMax = n
		kept.Set("salary_max", q.Get("salary_max"))
	}
	if f, err := strconv.ParseFloat(q.Get("study_max"), 64); err == nil && f > 0 && f < 100 {
		req.Filters.StudyMax = f
		kept.Set("study_max", q.Get("study_max"))
	}
	return req, kept
}

// pageFilter keeps the values of a repeatable filter a page uses: not
// empty, at most maxValueBytes long, each once, at most maxFilterValues.
func pageFilter(vs []string) []string {
	var out []string
	for _, v := range vs {
		if v != "" && len(v) <= maxValueBytes && !slices.Contains(out, v) && len(out) < maxFilterValues {
			out = append(out, v)
		}
	}
	return out
}

// searchHref is the address of a search page.
func searchHref(query string, filters url.Values, page int) string {
	v := cloneValues(filters)
	if query != "" {
		v.Set("q", query)
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	if len(v) == 0 {
		return "/"
	}
	return "/?" + encodeOrdered(v)
}

// encodeOrdered writes q first, then the filters in a fixed order, so a
// page's address reads the same way whatever built it.
func encodeOrdered(v url.Values) string {
	var parts []string
	keys := append([]string{"q"}, filterKeys...)
	keys = append(keys, "page")
	for k := range v {
		if !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	for _, k := range keys {
		for _, val := range v[k] {
			parts = append(parts, url.QueryEscape(k)+"="+url.QueryEscape(val))
		}
	}
	return strings.Join(parts, "&")
}

// hitView is one result of a search page.
type hitView struct {
	ID, Title, Feminine, Tagline string
	Snippet                      template.HTML
}

// searchView is the content of the home and search page.
type searchView struct {
	Query     string
	Guides    int
	Error     string
	CountText string
	Hits      []hitView
	From      int
	Filters   []facetGroup
	Active    []activeFilter
	Pager     *pager
	Popular   []guideLink
	Criteria  []recommend.CriterionInfo
}

// guideLink is a link to a guide.
type guideLink struct{ ID, Title string }

// resultsPageSize is how many results a search page shows.
const resultsPageSize = 10

// popularShown is how many guides the home page links to.
const popularShown = 24

func (s *Server) searchPage(c *gin.Context) {
	g, ok := s.pageGeneration(c)
	if !ok {
		return
	}
	req, filters := searchRequest(c.Request.URL.Query(), resultsPageSize)
	v := &searchView{Query: req.Query, Guides: len(g.Corpus.Metiers)}
	pd := &pageData{Page: "search", Nav: "search", Query: req.Query, Data: v, Partials: []string{"found"}}
	code := http.StatusOK
	if req.Query == "" {
		pd.Title = "Trouver son métier : fiches métiers, métiers similaires et quiz"
		pd.Description = fmt.Sprintf("Cherchez parmi %s, découvrez les métiers similaires et faites le quiz d’orientation pour trouver les métiers qui vous ressemblent.", plural(len(g.Corpus.Metiers), "fiche métier", "fiches métiers"))
		pd.Canonical = s.link("/")
		site := map[string]any{"@context": "https://schema.org", "@type": "WebSite", "name": siteName, "url": s.link("/")}
		if s.opts.PublicURL != "" { // a search action's target must be absolute
			site["potentialAction"] = map[string]any{"@type": "SearchAction", "target": s.link("/?q={search_term_string}"), "query-input": "required name=search_term_string"}
		}
		pd.JSONLD = site
		v.Popular = popular(g, popularShown)
		for _, cr := range g.Recommender.Criteria() {
			if cr.Metiers > 0 {
				v.Criteria = append(v.Criteria, cr)
			}
		}
		s.render(c, code, pd)
		return
	}
	pd.Title = "« " + req.Query + " » : recherche de métiers"
	pd.Robots = "noindex, follow"
	pd.Canonical = s.link(searchHref(req.Query, nil, 1))
	res, err := g.Searcher.Search(c.Request.Context(), req)
	if err != nil {
		if !errors.Is(err, search.ErrBadQuery) {
			s.failPage(c, err)
			return
		}
		code = http.StatusBadRequest
		v.Error = "Cette recherche n’a pas pu aboutir : " + strings.TrimPrefix(err.Error(), search.ErrBadQuery.Error()+": ") + "."
		s.render(c, code, pd)
		return
	}
	s.fillResults(v, g, res, req, filters)
	pd.Description = v.CountText + "."
	s.render(c, code, pd)
}

// fillResults fills a search view from a response.
func (s *Server) fillResults(v *searchView, g *engine.Generation, res *search.Response, req search.Request, filters url.Values) {
	labels := s.criterionLabels(g.Recommender)
	q := cloneValues(filters)
	v.Filters = facetGroups(res, labels, q, func(next url.Values) string { return searchHref(req.Query, next, 1) })
	for _, k := range filterKeys {
		for _, val := range filters[k] {
			next := cloneValues(filters)
			next[k] = slices.DeleteFunc(slices.Clone(next[k]), func(x string) bool { return x == val })
			v.Active = append(v.Active, activeFilter{Key: k, Value: val, Label: filterLabel(k, val, labels), Href: searchHref(req.Query, next, 1)})
		}
	}
	n := int(res.Total)
	if n == 0 {
		v.CountText = "Aucun métier pour «" + nbsp + req.Query + nbsp + "»"
	} else {
		v.CountText = plural(n, "métier", "métiers") + " pour «" + nbsp + req.Query + nbsp + "»"
	}
	v.From = (res.Page-1)*res.Size + 1
	for _, h := range res.Hits {
		hv := hitView{ID: h.ID, Title: display(h.Title), Feminine: h.TitleFeminine, Tagline: h.Tagline}
		if hv.Feminine == h.Title {
			hv.Feminine = ""
		}
		// The tagline is shown whole: the snippet comes from the rest.
		for _, f := range []string{"missions", "text"} {
			if frags := h.Highlights[f]; len(frags) > 0 {
				hv.Snippet = snippet(frags[0])
				break
			}
		}
		v.Hits = append(v.Hits, hv)
	}
	last := min((n+res.Size-1)/res.Size, search.MaxPage)
	if last > 1 {
		p := newPager(res.Page, last, func(p int) string { return searchHref(req.Query, filters, p) })
		v.Pager = &p
	}
}

// filterLabel is how an active filter reads.
func filterLabel(key, value string, labels map[string]string) string {
	switch key {
	case "criteria":
		if l := labels[value]; l != "" {
			return l
		}
	case "salary_min":
		if n, err := strconv.Atoi(value); err == nil {
			return "au moins " + euros(n)
		}
	case "salary_max":
		if n, err := strconv.Atoi(value); err == nil {
			return "au plus " + euros(n)
		}
	case "study_max":
		for _, b := range studyBounds {
			if b.max == value {
				return b.label
			}
		}
		return "au plus " + value + nbsp + "ans d’études"
	}
	return value
}

// popular picks the guides the home page links to: those other guides
// cite most among their « Métiers similaires » (the corpus' own links),
// then by title.
func popular(g *engine.Generation, n int) []guideLink {
	cited := map[string]int{}
	for _, m := range g.Corpus.Metiers {
		for _, id := range m.Similar {
			cited[id]++
		}
	}
	ms := slices.Clone(g.Corpus.Metiers)
	sort.SliceStable(ms, func(i, j int) bool {
		if cited[ms[i].ID] != cited[ms[j].ID] {
			return cited[ms[i].ID] > cited[ms[j].ID]
		}
		return ms[i].Title < ms[j].Title
	})
	var out []guideLink
	for _, m := range ms[:min(n, len(ms))] {
		out = append(out, guideLink{ID: m.ID, Title: display(m.Title)})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Title < out[j].Title })
	return out
}
