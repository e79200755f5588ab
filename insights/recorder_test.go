package insights

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// clock is a settable time for the recorder's windows.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

var guides = []string{"codeur", "infirmier", "medecin", "secretaire", "tim"}

func known(id string) bool {
	for _, g := range guides {
		if g == id {
			return true
		}
	}
	return false
}

func queries(qs []Query) []string {
	out := []string{}
	for _, q := range qs {
		out = append(out, fmt.Sprintf("%s=%d", q.Query, q.Count))
	}
	return out
}

func window(t *testing.T, ws []Window, name string) Window {
	t.Helper()
	for _, w := range ws {
		if w.Name == name {
			return w
		}
	}
	t.Fatalf("no window %q in %v", name, ws)
	return Window{}
}

// TestScriptedSession replays a reader session over two days and checks
// every list of the report.
func TestScriptedSession(t *testing.T) {
	c := &clock{time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)}
	r := New(Options{Now: c.now})
	search := func(q string, total uint64, ids ...string) {
		r.RecordSearch(Search{Query: q, Total: total, IDs: ids, Page: 1})
	}
	// Yesterday: one query with no result.
	search("astronaute", 0)
	c.t = c.t.Add(26 * time.Hour) // the next day, 12:00
	search("Médecin", 2, "medecin", "infirmier")
	search("médecin ", 2, "medecin", "infirmier")
	search("  MÉDECIN", 2, "medecin", "infirmier")
	search("codeuse", 1, "codeur")
	search("plombier", 0)
	search("Plombier", 0)
	search("astronaute", 0)
	search("zzzz", 0)
	r.RecordSearch(Search{Query: "médecin", Total: 2, IDs: []string{"secretaire"}, Page: 2}) // a second page: found, not a search
	if err := r.RecordOpen(Event{Type: "open", ID: "medecin", From: "search", Query: "médecin"}, known); err != nil {
		t.Fatal(err)
	}
	if err := r.RecordOpen(Event{Type: "open", ID: "infirmier", From: "similar", Source: "medecin"}, known); err != nil {
		t.Fatal(err)
	}
	ws := r.Report(guides, 10)
	day := window(t, ws, "day")
	if got, want := queries(day.NoResult), []string{"plombier=2", "astronaute=1", "zzzz=1"}; !reflect.DeepEqual(got, want) {
		t.Errorf("day no_result: got %v, want %v", got, want)
	}
	if got, want := queries(day.Top), []string{"médecin=3", "plombier=2", "astronaute=1", "codeuse=1", "zzzz=1"}; !reflect.DeepEqual(got, want) {
		t.Errorf("day top: got %v, want %v", got, want)
	}
	if day.Top[0].Opened != 1 {
		t.Errorf("médecin opened %d times, want 1", day.Top[0].Opened)
	}
	if got, want := queries(day.Unopened), []string{"codeuse=1"}; !reflect.DeepEqual(got, want) {
		t.Errorf("day unopened: got %v, want %v", got, want)
	}
	if day.Searches != 8 || day.EmptySearches != 4 || day.Opens != 2 {
		t.Errorf("day totals: %d searches, %d empty, %d opens; want 8, 4, 2", day.Searches, day.EmptySearches, day.Opens)
	}
	if got, want := day.NeverFound, []string{"tim"}; !reflect.DeepEqual(got, want) || day.NeverFoundTotal != 1 {
		t.Errorf("day never found: got %v (%d), want %v", got, day.NeverFoundTotal, want)
	}
	week := window(t, ws, "week")
	if got, want := queries(week.NoResult), []string{"astronaute=2", "plombier=2", "zzzz=1"}; !reflect.DeepEqual(got, want) {
		t.Errorf("week no_result: got %v, want %v", got, want)
	}
	if week.Searches != 9 {
		t.Errorf("week searches %d, want 9", week.Searches)
	}
	// Eight days on, the week has forgotten them, the month has not.
	c.t = c.t.Add(8 * 24 * time.Hour)
	ws = r.Report(guides, 10)
	if w := window(t, ws, "week"); w.Searches != 0 || len(w.NoResult) != 0 || w.NeverFoundTotal != len(guides) {
		t.Errorf("week after 8 days: %+v, want empty with every guide never found", w)
	}
	if m := window(t, ws, "month"); m.Searches != 9 || len(m.NoResult) != 3 || m.NeverFoundTotal != 1 {
		t.Errorf("month after 8 days: %d searches, no_result %v, never found %d; want 9, 3, 1", m.Searches, queries(m.NoResult), m.NeverFoundTotal)
	}
	// A month on, everything is forgotten.
	c.t = c.t.Add(31 * 24 * time.Hour)
	if m := window(t, r.Report(guides, 10), "month"); m.Searches != 0 || len(m.Top) != 0 {
		t.Errorf("month after 39 days: %d searches, top %v; want none", m.Searches, queries(m.Top))
	}
}

func TestEventValidation(t *testing.T) {
	r := New(Options{})
	for _, tc := range []struct {
		ev   Event
		want string
	}{
		{Event{Type: "click", ID: "tim", From: "search", Query: "x"}, `bad event: type must be "open", got "click"`},
		{Event{Type: "open", From: "search", Query: "x"}, "bad event: id is required"},
		{Event{Type: "open", ID: "nope", From: "search", Query: "x"}, `bad event: id: no guide "nope"`},
		{Event{Type: "open", ID: "tim", From: "search"}, `bad event: query is required when from is "search"`},
		{Event{Type: "open", ID: "tim", From: "similar", Source: "nope"}, `bad event: source: no guide "nope"`},
		{Event{Type: "open", ID: "tim", From: "similar", Query: "x"}, `bad event: query is for from "search" only`},
		{Event{Type: "open", ID: "tim", From: "elsewhere"}, `bad event: from must be "search" or "similar", got "elsewhere"`},
	} {
		err := r.RecordOpen(tc.ev, known)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%+v: got %v, want %s", tc.ev, err, tc.want)
		}
	}
	// A beacon never adds a query to the sketches.
	for i := range 100 {
		r.RecordOpen(Event{Type: "open", ID: "tim", From: "search", Query: fmt.Sprint("q", i)}, known)
	}
	if n := r.Tracked(); n != 0 {
		t.Errorf("beacons added %d queries", n)
	}
}

// TestPersist: the counts survive a restart; a corrupt file is set aside.
func TestPersist(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "insights.json")
	c := &clock{time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	a := New(Options{Path: path, Now: c.now})
	a.RecordSearch(Search{Query: "plombier", Page: 1})
	a.RecordSearch(Search{Query: "médecin", Total: 1, IDs: []string{"medecin"}, Page: 1})
	if err := a.Save(); err != nil {
		t.Fatal(err)
	}
	b := New(Options{Path: path, Now: c.now})
	if got, want := b.Report(guides, 10), a.Report(guides, 10); !reflect.DeepEqual(got, want) {
		t.Errorf("after reload:\n got %+v\nwant %+v", got, want)
	}
	if err := os.WriteFile(path, []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	fresh := New(Options{Path: path, Now: c.now})
	if w := window(t, fresh.Report(guides, 10), "day"); w.Searches != 0 {
		t.Errorf("a corrupt file gave %d searches", w.Searches)
	}
	if _, err := os.Stat(path + ".bad"); err != nil {
		t.Errorf("the corrupt file was not set aside: %v", err)
	}
}

// TestBoundedUnderDistinctQueries: however many distinct queries come,
// the sketches hold at most 2 × capacity per bucket.
func TestBoundedUnderDistinctQueries(t *testing.T) {
	c := &clock{time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
	r := New(Options{Capacity: 16, Now: c.now})
	for i := range 100000 {
		if i%10000 == 0 {
			c.t = c.t.Add(5 * time.Hour) // 10 hour buckets over 3 days
		}
		r.RecordSearch(Search{Query: fmt.Sprintf("requête %d", i), Page: 1})
	}
	if n, bound := r.Tracked(), 2*16*(hours+days); n > bound {
		t.Errorf("%d queries tracked, bound %d", n, bound)
	}
	if n, live := r.Tracked(), len(r.hours)+len(r.days); n != 2*16*live {
		t.Errorf("%d queries tracked, want the %d live buckets' sketches full (%d)", n, live, 2*16*live)
	}
}
