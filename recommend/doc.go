// Package recommend derives each guide's criterion vector (RIASEC
// interests, study length, salary, demand, working conditions, sectors)
// from its parsed fields and French cue phrases, precomputes the
// « Métiers similaires » of every guide by blending criteria and text
// similarity, and scores readers' quiz answers against the guides, each
// result with its reasons in French. It is plain Go over corpus types:
// text similarity and French analysis come in through small interfaces.
package recommend
