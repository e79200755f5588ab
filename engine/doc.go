// Package engine wires the corpus, the index, search and recommendations
// into generations: it builds a generation beside the one being served
// (in a new directory on disk), verifies it, points CURRENT at it
// atomically, swaps it into the serving bleve IndexAlias and prunes old
// generations, so readers never see a half-built index and a crash leaves
// the last good one in place.
package engine
