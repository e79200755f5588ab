// Package e2e holds the end-to-end tests that drive the real server and
// its pages in headless Chromium (Debian's chromium package). They are
// built with the browser tag, which make test always sets
// (go test -tags browser ./e2e): a minute or more of Chromium on two
// cores, kept out of a plain go test ./... so that it stays quick.
package e2e
