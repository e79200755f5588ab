// Package search turns a reader's query into ranked, highlighted hits
// with facets (Search), proposes guides while the reader types (Suggest),
// and finds the guides a free text is about
// (TextMatch) for the recommender.
package search
