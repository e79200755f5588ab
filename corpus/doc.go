// Package corpus turns career guides ("fiches métiers") into Metier
// records: it parses the site's text pages (both of its layouts) and the
// structured JSON/JSON Lines format, reports every bad file with its line,
// and embeds the five-guide sample corpus. It imports nothing of ours.
package corpus
