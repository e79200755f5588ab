//go:build !linux

package engine

// networkFS cannot tell a network filesystem here: inotify's equivalent
// (fsnotify's) is trusted, and polling is the fallback when it fails.
func networkFS(string) (string, bool) { return "", false }
