package insights

import (
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Defaults and bounds.
const (
	// DefaultCapacity is how many queries a sketch tracks per bucket: any
	// query making more than 1/256 of a bucket's searches is tracked,
	// with an exact count as long as fewer than 256 distinct queries came.
	DefaultCapacity = 256
	// MaxQueryRunes is the longest query kept (the search's own limit).
	MaxQueryRunes = 200
	// maxFound bounds the guides remembered as found (a corpus is 10³–10⁴).
	maxFound = 1 << 17
	hours    = 24 // hour buckets: the last day
	days     = 30 // day buckets: the last week and month
)

// ErrBadEvent is wrapped by every error about a beacon's content.
var ErrBadEvent = errors.New("bad event")

// Options configures a Recorder.
type Options struct {
	// Path is the file the counts are saved to and loaded from; empty
	// keeps them in memory only.
	Path string
	// Capacity is how many queries each sketch tracks (DefaultCapacity).
	Capacity int
	// Now returns the current time; nil means time.Now (tests set it).
	Now func() time.Time
	// Logger is told of a file that could not be read.
	Logger *slog.Logger
}

// Recorder counts searches and opened results. It is safe for
// concurrent use; its memory is bounded by Capacity, the number of
// buckets and the number of guides, whatever the traffic.
type Recorder struct {
	opts Options
	log  *slog.Logger

	mu      sync.Mutex
	started time.Time
	hours   []*bucket        // the last 24 hours, oldest first
	days    []*bucket        // the last 30 days, oldest first
	found   map[string]int64 // guide id → last time (Unix s) a search listed it
	dirty   bool

	// Totals count, since the process started, what every bucket counts:
	// for Prometheus counters (monotonic, unlike the windows).
	Totals Totals
}

// Totals are the recorder's counts since the process started.
type Totals struct {
	Searches      atomic.Uint64
	EmptySearches atomic.Uint64
	OpensSearch   atomic.Uint64
	OpensSimilar  atomic.Uint64
}

// bucket counts one hour or one day.
type bucket struct {
	start    int64 // Unix seconds
	searches uint64
	empty    uint64
	opens    uint64
	queries  *sketch // every search
	noResult *sketch // the searches that found nothing
}

// New returns a Recorder, with the counts saved in opts.Path when that
// file exists. A file that cannot be read is moved aside (logged) and
// counting starts afresh: insights are never a reason not to serve.
func New(opts Options) *Recorder {
	if opts.Capacity <= 0 {
		opts.Capacity = DefaultCapacity
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	r := &Recorder{opts: opts, log: log, found: map[string]int64{}}
	if opts.Path != "" {
		r.load()
	}
	if r.started.IsZero() {
		r.started = opts.Now().UTC()
	}
	return r
}

// Normalize is the form a query is counted under: NFC, lower case, one
// space between words, at most MaxQueryRunes runes. Accents are kept:
// an editor sees what readers typed.
func Normalize(q string) string {
	if !utf8.ValidString(q) {
		q = strings.ToValidUTF8(q, "")
	}
	q = strings.Join(strings.Fields(strings.ToLower(norm.NFC.String(q))), " ")
	if utf8.RuneCountInString(q) > MaxQueryRunes {
		q = string([]rune(q)[:MaxQueryRunes])
	}
	return q
}

// Search is one search as the server answered it.
type Search struct {
	// Query is the reader's query.
	Query string
	// Total is how many guides it matched.
	Total uint64
	// IDs are the guides on the page answered.
	IDs []string
	// Page is the page number: only the first counts as a search, every
	// page's guides count as found.
	Page int
}

// RecordSearch counts a search and the guides it listed.
func (r *Recorder) RecordSearch(s Search) {
	q := Normalize(s.Query)
	if q == "" {
		return
	}
	now := r.opts.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.dirty = true
	r.markFound(now, s.IDs)
	if s.Page > 1 {
		return
	}
	r.Totals.Searches.Add(1)
	if s.Total == 0 {
		r.Totals.EmptySearches.Add(1)
	}
	for _, b := range r.current(now) {
		b.searches++
		e := b.queries.add(q, 1)
		if s.Total == 0 {
			b.empty++
			e.Empty++
			b.noResult.add(q, 1)
		}
	}
}

// RecordFound marks guides as found by the search box without counting
// a search (suggestions as the reader types).
func (r *Recorder) RecordFound(ids []string) {
	if len(ids) == 0 {
		return
	}
	now := r.opts.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.dirty = true
	r.markFound(now, ids)
}

func (r *Recorder) markFound(now time.Time, ids []string) {
	t := now.Unix()
	for _, id := range ids {
		if _, ok := r.found[id]; ok || len(r.found) < maxFound {
			r.found[id] = t
		}
	}
}

// Event is a beacon the pages and the widget send when a reader opens a
// guide they listed (POST /api/events).
type Event struct {
	// Type is "open".
	Type string `json:"type"`
	// ID is the guide opened.
	ID string `json:"id"`
	// From is "search" (a search result) or "similar" (a « Métiers
	// similaires » list).
	From string `json:"from"`
	// Query is the search the result came from (From "search").
	Query string `json:"query,omitempty"`
	// Source is the guide whose similar list it came from (From "similar").
	Source string `json:"source,omitempty"`
}

// Validate checks an event; known says whether a guide id exists. The
// error names the field at fault.
func (e Event) Validate(known func(id string) bool) error {
	switch {
	case e.Type != "open":
		return fmt.Errorf("%w: type must be \"open\", got %q", ErrBadEvent, e.Type)
	case e.ID == "":
		return fmt.Errorf("%w: id is required", ErrBadEvent)
	case !known(e.ID):
		return fmt.Errorf("%w: id: no guide %q", ErrBadEvent, e.ID)
	}
	switch e.From {
	case "search":
		if Normalize(e.Query) == "" {
			return fmt.Errorf("%w: query is required when from is \"search\"", ErrBadEvent)
		}
		if e.Source != "" {
			return fmt.Errorf("%w: source is for from \"similar\" only", ErrBadEvent)
		}
	case "similar":
		if e.Source != "" && !known(e.Source) {
			return fmt.Errorf("%w: source: no guide %q", ErrBadEvent, e.Source)
		}
		if e.Query != "" {
			return fmt.Errorf("%w: query is for from \"search\" only", ErrBadEvent)
		}
	default:
		return fmt.Errorf("%w: from must be \"search\" or \"similar\", got %q", ErrBadEvent, e.From)
	}
	return nil
}

// RecordOpen counts an opened guide, validated first (see Validate). An
// open from a search is credited to that query where the sketch tracks
// it; an open never adds a query (a beacon cannot fill the sketches).
func (r *Recorder) RecordOpen(e Event, known func(id string) bool) error {
	if err := e.Validate(known); err != nil {
		return err
	}
	now := r.opts.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.dirty = true
	if e.From == "similar" {
		r.Totals.OpensSimilar.Add(1)
		for _, b := range r.current(now) {
			b.opens++
		}
		return nil
	}
	r.Totals.OpensSearch.Add(1)
	q := Normalize(e.Query)
	r.markFound(now, []string{e.ID})
	for _, b := range r.current(now) {
		b.opens++
		if x := b.queries.get(q); x != nil {
			x.Opened++
		}
	}
	return nil
}

// current returns the hour and day buckets of now, starting new ones and
// dropping those out of every window. r.mu is held.
func (r *Recorder) current(now time.Time) [2]*bucket {
	now = now.UTC()
	h := now.Truncate(time.Hour).Unix()
	d := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).Unix()
	if n := len(r.hours); n == 0 || r.hours[n-1].start != h {
		r.hours = keepSince(r.hours, h-(hours-1)*3600)
		r.hours = append(r.hours, r.newBucket(h))
	}
	if n := len(r.days); n == 0 || r.days[n-1].start != d {
		from := d - (days-1)*86400
		r.days = keepSince(r.days, from)
		r.days = append(r.days, r.newBucket(d))
		for id, t := range r.found {
			if t < from {
				delete(r.found, id)
			}
		}
	}
	return [2]*bucket{r.hours[len(r.hours)-1], r.days[len(r.days)-1]}
}

func (r *Recorder) newBucket(start int64) *bucket {
	return &bucket{start: start, queries: newSketch(r.opts.Capacity), noResult: newSketch(r.opts.Capacity)}
}

// keepSince drops the buckets that start before from.
func keepSince(bs []*bucket, from int64) []*bucket {
	return append(bs[:0], since(bs, from)...)
}

// Query is one line of a report. Count may overstate the true count by
// at most Error (a query that came while the sketch was full).
type Query struct {
	Query string `json:"query"`
	Count uint64 `json:"count"`
	Error uint64 `json:"error,omitempty"`
	// Opened is how many results of the query were opened.
	Opened uint64 `json:"opened"`
}

// Window is what readers searched for over one window.
type Window struct {
	// Name is "day" (the last 24 hours), "week" or "month" (the last 7
	// and 30 days, today included).
	Name string `json:"window"`
	// Since is where the window starts, or when counting started if later.
	Since         time.Time `json:"since"`
	Searches      uint64    `json:"searches"`
	EmptySearches uint64    `json:"empty_searches"`
	Opens         uint64    `json:"opens"`
	// Top are the most frequent queries.
	Top []Query `json:"top"`
	// NoResult are the most frequent queries that found nothing.
	NoResult []Query `json:"no_result"`
	// Unopened are the most frequent queries that found guides of which
	// none was opened (Count is the searches that found some).
	Unopened []Query `json:"unopened"`
	// NeverFound are guides no search or suggestion listed (the first
	// ones by id) and NeverFoundTotal how many there are.
	NeverFound      []string `json:"never_found"`
	NeverFoundTotal int      `json:"never_found_total"`
}

// Report returns the day, week and month windows, each list cut at size
// lines; guides are the ids of the guides served, for NeverFound.
func (r *Recorder) Report(guides []string, size int) []Window {
	now := r.opts.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	cur := r.current(now)
	// Buckets exist only for the hours and days that counted something:
	// a window takes those that start within it.
	week, month := cur[1].start-6*86400, cur[1].start-(days-1)*86400
	return []Window{
		r.window("day", since(r.hours, cur[0].start-(hours-1)*3600), now.Add(-24*time.Hour), guides, size),
		r.window("week", since(r.days, week), time.Unix(week, 0), guides, size),
		r.window("month", since(r.days, month), time.Unix(month, 0), guides, size),
	}
}

// since returns the buckets that start at or after from.
func since(bs []*bucket, from int64) []*bucket {
	i := sort.Search(len(bs), func(i int) bool { return bs[i].start >= from })
	return bs[i:]
}

// window sums buckets into a report. r.mu is held.
func (r *Recorder) window(name string, bs []*bucket, from time.Time, guides []string, size int) Window {
	w := Window{Name: name, Top: []Query{}, NoResult: []Query{}, Unopened: []Query{}, NeverFound: []string{}}
	since := from.UTC()
	if r.started.After(since) {
		since = r.started
	}
	w.Since = since.Truncate(time.Second)
	qs := make([]*sketch, len(bs))
	es := make([]*sketch, len(bs))
	for i, b := range bs {
		w.Searches += b.searches
		w.EmptySearches += b.empty
		w.Opens += b.opens
		qs[i], es[i] = b.queries, b.noResult
	}
	all := merge(r.opts.Capacity, qs)
	for _, e := range all {
		if len(w.Top) < size {
			w.Top = append(w.Top, Query{Query: e.Key, Count: e.Count, Error: e.Err, Opened: e.Opened})
		}
	}
	var unopened []Query
	for _, e := range all {
		if found := e.Count - min(e.Count, e.Empty); found > 0 && e.Opened == 0 {
			unopened = append(unopened, Query{Query: e.Key, Count: found, Error: e.Err})
		}
	}
	sort.SliceStable(unopened, func(i, j int) bool { return unopened[i].Count > unopened[j].Count })
	w.Unopened = append(w.Unopened, unopened[:min(size, len(unopened))]...)
	for _, e := range merge(r.opts.Capacity, es) {
		if len(w.NoResult) == size {
			break
		}
		w.NoResult = append(w.NoResult, Query{Query: e.Key, Count: e.Count, Error: e.Err})
	}
	cut := since.Unix()
	ids := append([]string(nil), guides...)
	sort.Strings(ids)
	for _, id := range ids {
		if t, ok := r.found[id]; !ok || t < cut {
			w.NeverFoundTotal++
			if len(w.NeverFound) < size {
				w.NeverFound = append(w.NeverFound, id)
			}
		}
	}
	return w
}

// Tracked is how many queries the sketches hold, over every bucket (at
// most 2 × Capacity × the number of buckets): the memory bound, for tests.
func (r *Recorder) Tracked() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, bs := range [][]*bucket{r.hours, r.days} {
		for _, b := range bs {
			n += len(b.queries.heap) + len(b.noResult.heap)
		}
	}
	return n
}
