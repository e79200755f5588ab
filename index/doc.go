// Package index builds the bleve index of the guides: the French analysis
// chain (folding, elision, stop words, feminine and inclusive job-title
// forms, light stemming), the field mapping with its numeric and keyword
// fields for filters and facets, the search-as-you-type field, the domain
// synonyms, and the on-disk (scorch) or in-memory index itself.
package index
