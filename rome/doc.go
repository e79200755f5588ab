// Package rome reads France Travail's job referential, ROME 4.0, from the
// layout of its open-data export (one sheet per code with its RIASEC
// profile, centres d'intérêt, work contexts, domains, sectors,
// appellations and mobilités), and links free-standing guides to its
// sheets by their titles and text. It imports nothing of metiers: the
// French analysis comes in as a function.
package rome
