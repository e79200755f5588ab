// Package search turns a reader's query into ranked, highlighted hits
// with facets (Search), proposes guides while the reader types (Suggest),
// and finds guides whose text is like a guide's or a free text's
// (MoreLikeThis, TextMatch) for the recommender.
package search
