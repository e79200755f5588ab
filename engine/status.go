package engine

import "time"

// Status is what the engine serves and what it is doing, as /readyz
// reports it.
type Status struct {
	// Ready is true once a generation serves.
	Ready bool
	// Building is the progress of the build under way (the first one,
	// or a reindex); nil when none runs.
	Building *Progress
	// Failure is the last build's failure while the generation served
	// predates it; nil once a build succeeds.
	Failure *Failure
}

// Progress is how far a build has got: its stage (one of the Stage
// constants) and how many of the stage's total are done.
type Progress struct {
	Stage string `json:"stage"`
	Done  int    `json:"done"`
	Total int    `json:"total"`
}

// Failure is a build that failed.
type Failure struct {
	Error string    `json:"error"`
	At    time.Time `json:"at"`
	// During is "start" (the build at start, replaced by the last good
	// generation on disk) or "reindex" (the served one kept serving).
	During string `json:"during"`
}

// Status returns what the engine serves and what it is doing.
func (e *Engine) Status() Status {
	e.mu.Lock()
	defer e.mu.Unlock()
	st := Status{Ready: e.cur.Load() != nil}
	if e.progress != nil {
		p := *e.progress
		st.Building = &p
	}
	if e.failure != nil {
		f := *e.failure
		st.Failure = &f
	}
	return st
}

// building records that a build starts (stage StageReading).
func (e *Engine) building() {
	e.mu.Lock()
	e.progress = &Progress{Stage: StageReading}
	e.mu.Unlock()
}

// built records that the build under way ended, and how: err nil clears
// the last failure, else it replaces it.
func (e *Engine) built(during string, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.progress = nil
	if err == nil {
		e.failure = nil
		return
	}
	e.failure = &Failure{Error: err.Error(), At: time.Now().UTC(), During: during}
}

// report records a build's progress and passes it on to Options.Progress.
func (e *Engine) report(stage string, done, total int) {
	e.mu.Lock()
	if e.progress != nil {
		*e.progress = Progress{Stage: stage, Done: done, Total: total}
	}
	e.mu.Unlock()
	if e.opts.Progress != nil {
		e.opts.Progress(stage, done, total)
	}
}
