// Package server is the HTTP face of the engine: the JSON API (search,
// suggest, guides, « métiers similaires », quiz, criteria), the admin
// reindex routes, health, readiness and Prometheus metrics, and the
// embedded web pages. It maps every error to its status in one place.
package server
