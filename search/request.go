package search

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// ErrBadQuery is wrapped by every error caused by the reader's input: an
// empty or over-long query, invalid UTF-8, a page or size out of range, a
// bad filter.
var ErrBadQuery = errors.New("bad query")

// Limits of a request.
const (
	MaxQueryRunes = 200
	MaxPage       = 1000
)

// Filters narrow a search. Zero values do not filter.
type Filters struct {
	// SalaryMin keeps guides whose maximum salary reaches it (€/month).
	SalaryMin int `json:"salary_min,omitempty"`
	// SalaryMax keeps guides whose minimum salary is at most it.
	SalaryMax int `json:"salary_max,omitempty"`
	// StudyMax keeps guides whose study length is at most this many years.
	StudyMax float64 `json:"study_max,omitempty"`
	// Areas keeps guides employing in one of these areas (facet values).
	Areas []string `json:"area,omitempty"`
	// Criteria keeps guides tagged with all of these criteria ids.
	Criteria []string `json:"criteria,omitempty"`
}

// empty reports whether no filter is set.
func (f Filters) empty() bool {
	return f.SalaryMin == 0 && f.SalaryMax == 0 && f.StudyMax == 0 && len(f.Areas) == 0 && len(f.Criteria) == 0
}

// Request is one search.
type Request struct {
	Query   string
	Page    int // 1-based; 0 means 1
	Size    int // 0 means the default size
	Filters Filters
	Explain bool
}

// Hit is one guide found.
type Hit struct {
	ID            string              `json:"id"`
	Title         string              `json:"title"`
	TitleFeminine string              `json:"title_feminine"`
	Tagline       string              `json:"tagline"`
	Score         float64             `json:"score"`
	Highlights    map[string][]string `json:"highlights"`
	// Explain, when asked for, is an *Explanation: each ranking stage's
	// share of Score.
	Explain any `json:"explain,omitempty"`
}

// FacetValue is one value of a facet with the number of hits that have it.
type FacetValue struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// Response is a page of hits, with the facets of all the hits.
type Response struct {
	Total  uint64                  `json:"total"`
	TookMS float64                 `json:"took_ms"`
	Page   int                     `json:"page"`
	Size   int                     `json:"size"`
	Hits   []Hit                   `json:"hits"`
	Facets map[string][]FacetValue `json:"facets"`
}

// checkText validates the text of a query or suggestion and returns it
// trimmed.
func checkText(q string) (string, error) {
	if !utf8.ValidString(q) {
		return "", fmt.Errorf("%w: the query is not valid UTF-8", ErrBadQuery)
	}
	q = strings.TrimSpace(q)
	if q == "" {
		return "", fmt.Errorf("%w: the query is empty", ErrBadQuery)
	}
	if n := utf8.RuneCountInString(q); n > MaxQueryRunes {
		return "", fmt.Errorf("%w: the query has %d characters, at most %d are allowed", ErrBadQuery, n, MaxQueryRunes)
	}
	return q, nil
}

// validate checks a request and fills its defaults.
func (s *Searcher) validate(r *Request) error {
	q, err := checkText(r.Query)
	if err != nil {
		return err
	}
	r.Query = q
	if r.Page == 0 {
		r.Page = 1
	}
	if r.Page < 1 || r.Page > MaxPage {
		return fmt.Errorf("%w: page must be between 1 and %d", ErrBadQuery, MaxPage)
	}
	if r.Size == 0 {
		r.Size = s.opts.DefaultSize
	}
	if r.Size < 1 || r.Size > s.opts.MaxSize {
		return fmt.Errorf("%w: size must be between 1 and %d", ErrBadQuery, s.opts.MaxSize)
	}
	f := r.Filters
	if f.SalaryMin < 0 || f.SalaryMax < 0 || f.StudyMax < 0 {
		return fmt.Errorf("%w: filters cannot be negative", ErrBadQuery)
	}
	if f.SalaryMax > 0 && f.SalaryMin > f.SalaryMax {
		return fmt.Errorf("%w: salary_min is above salary_max", ErrBadQuery)
	}
	return nil
}

// queryWord is one word of the query: a slot's, or a stop word (slot
// -1) with its word id (noTerm when no guide has it).
type queryWord struct {
	slot int
	word uint32
}

// maxSeq bounds the query's words kept in order.
const maxSeq = 32

// request is one search on its way through the pipeline: the reader's
// request, the query's slots, the candidates gathered once and what was
// counted of them.
type request struct {
	Request
	// prefix is set while the last word is being typed (no space after it).
	prefix bool
	slots  []slot
	// stops are the stop words typed whole (word ids), which take a
	// name's stop word before the word being typed may (slotsOf).
	stops []uint32
	// seq are the query's words in order (at most maxSeq), for the
	// names that begin with them.
	seq    []queryWord
	groups []group
	// required are the slots a guide must hold (all but an optional
	// stop word being typed), as a bitmask.
	required uint32
	// relaxed is set when the candidates are most of the words' guides,
	// not all of them.
	relaxed bool
	// cands are the guides found, in no order until ranked (in sc).
	cands []candidate
	// sc holds the request's arrays.
	sc *scratch
}
