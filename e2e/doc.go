// Package e2e holds the end-to-end tests that drive the real server and
// its pages in headless Chromium (Debian's chromium package).
package e2e
