// Package insights counts what readers search for in bounded memory: the
// most frequent queries, the queries with no result, the queries after
// which no result was opened and the guides no search found, over the
// last day, week and month. Queries are kept in heavy-hitter sketches
// (Space-Saving, a fixed number of counters per time bucket), never in a
// map of every query, so memory does not grow with traffic; nothing about
// the reader (address, agent, session) is recorded.
package insights
