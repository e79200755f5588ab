package main

import (
	"reflect"
	"testing"

	"github.com/metiers/metiers/config"
	"github.com/metiers/metiers/search"
)

// TestDefaultRanking checks that the configuration's default weights of
// search.ranking are the search package's, stage for stage and in order.
func TestDefaultRanking(t *testing.T) {
	t.Setenv("METIERS_CONFIG", "")
	c, err := config.Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	got := searchRanking(c.Search.Ranking)
	if want := search.DefaultRanking(); !reflect.DeepEqual(got, want) {
		t.Errorf("config's default ranking\n got %v\nwant %v", got, want)
	}
	if err := got.Validate(); err != nil {
		t.Error(err)
	}
}
