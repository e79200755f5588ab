// Package engine wires the corpus, the index, search and recommendations
// into generations: it builds a generation beside the one being served
// (in a new directory on disk), verifies it, points CURRENT at it
// atomically, hands it to new readers and prunes old generations. Readers
// acquire a generation (guides, index, searcher, recommender) and release
// it; the replaced one closes with its last reader, so nobody sees a
// half-built or half-swapped index and a crash leaves the last good one.
package engine
