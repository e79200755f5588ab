package corpus

import (
	"errors"
	"fmt"
)

// Sentinel errors, wrapped by FileError; test them with errors.Is.
var (
	// ErrNoTitle means a guide has no title line.
	ErrNoTitle = errors.New("no title")
	// ErrInvalidUTF8 means a file is not valid UTF-8 text.
	ErrInvalidUTF8 = errors.New("invalid UTF-8")
	// ErrDuplicateID means two guides have the same id.
	ErrDuplicateID = errors.New("duplicate id")
	// ErrInvalid means a guide breaks a rule of the schema (see Validate).
	ErrInvalid = errors.New("invalid guide")
)

// FileError is an error in one file of a corpus, with the line where it
// was found when there is one (1-based; 0 when the file as a whole is bad).
type FileError struct {
	File string
	Line int
	Err  error
}

// Error formats the error as "corpus: FILE:LINE: ERR".
func (e *FileError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("corpus: %s:%d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("corpus: %s: %v", e.File, e.Err)
}

// Unwrap returns the underlying error.
func (e *FileError) Unwrap() error { return e.Err }

func fileErr(file string, line int, err error) error {
	return &FileError{File: file, Line: line, Err: err}
}
