package corpus

// Metier is one career guide ("fiche métier"), parsed from a text page or
// read from the structured JSON format. It is the record every other package
// reads: the index, the recommender, the API and the importers.
//
// The JSON field names are part of the public API (GET /api/metiers/:id and
// `metiers parse` print this struct) and of the structured input format
// documented in docs/corpus.md.
type Metier struct {
	// ID is a stable, ASCII, URL-safe slug derived from the masculine title
	// (e.g. "codeur-medical-rim-rcm"), unless the structured input gives one.
	ID string `json:"id"`
	// SourceID is the identifier of the guide in its source referential
	// (e.g. "MET.1" for ONISEP, "A1101" for ROME). Empty for text pages.
	SourceID string `json:"source_id,omitempty"`
	// Source names where the guide came from (a file name, "onisep", "rome").
	Source string `json:"source,omitempty"`
	// Synthetic marks a guide produced by the corpus generator.
	Synthetic bool `json:"synthetic,omitempty"`

	// Title is the masculine form of the job title.
	Title string `json:"title"`
	// TitleFeminine is the feminine form, empty when the page gives none.
	TitleFeminine string `json:"title_feminine"`
	// AltTitles are other names of the job (synonyms, appellations).
	AltTitles []string `json:"alt_titles,omitempty"`
	// Acronyms are the abbreviations given in the title (RIM, RCM, TIM).
	Acronyms []string `json:"acronyms"`
	// Tagline is the one-sentence summary under the title.
	Tagline string `json:"tagline"`
	// Hook is the rhetorical question that follows the tagline.
	Hook string `json:"hook"`

	// Studies is the "Études" text.
	Studies string `json:"studies"`
	// StudyYears is the typical length of the studies after secondary
	// school, in years, derived from Studies and Figures (0 when unknown).
	StudyYears float64 `json:"study_years"`
	// Qualities is the "Qualités clés" list.
	Qualities []string `json:"qualities"`
	// Salary is the parsed "Salaire" block.
	Salary Salary `json:"salary"`
	// Conditions is the "Conditions" text.
	Conditions string `json:"conditions"`
	// Introduction is the "Introduction au métier" text.
	Introduction string `json:"introduction"`
	// Figures is the "Le métier en chiffres" block.
	Figures Figures `json:"figures"`

	// Missions is the "Missions quotidiennes" list.
	Missions []string `json:"missions"`
	// Tools is the "Outils et équipements" list.
	Tools []string `json:"tools"`
	// Day is the "Journée type" as time slots.
	Day []TimeSlot `json:"day"`
	// Facts is the "faits marquants" list.
	Facts []Fact `json:"facts"`
	// Testimony is the "Témoignage" quote, nil when the page has none.
	Testimony *Testimony `json:"testimony,omitempty"`
	// TrainingSteps is the "Formation pour devenir …" list of steps.
	TrainingSteps []string `json:"training_steps"`
	// Workplaces is the "Lieux de travail" list.
	Workplaces []string `json:"workplaces"`
	// Pros and Cons are the "Avantages et inconvénients" lists.
	Pros []string `json:"pros"`
	Cons []string `json:"cons"`
	// Tips is the "Conseils pour devenir …" list.
	Tips []string `json:"tips"`
	// SelfAssessment holds the "Auto-évaluation" questions.
	SelfAssessment []string `json:"self_assessment"`
	// FAQ is the "Questions fréquentes" list.
	FAQ []QA `json:"faq"`
	// Schools is the "Principales formations" list.
	Schools []string `json:"schools"`
	// EmploymentAreas is the "Zones d'emploi" list.
	EmploymentAreas []string `json:"employment_areas"`

	// Sectors are activity sectors (structured input, e.g. imported ones).
	Sectors []string `json:"sectors,omitempty"`
	// Interests are "centres d'intérêt" labels (structured input).
	Interests []string `json:"interests,omitempty"`
	// Domains are the source's own domain labels, a domain and its
	// sub-domain joined by « / » (ONISEP's « santé, social, sport/santé »).
	Domains []string `json:"domains,omitempty"`
	// RomeCodes are the codes of the ROME 4.0 sheets (France Travail's
	// job referential) the source links the guide to, as it gives them
	// (ONISEP's export does; a text page does not). With a referential
	// the engine suggests codes for the guides that give none.
	RomeCodes []string `json:"rome_codes,omitempty"`
	// Similar holds the ids of curated "Métiers similaires".
	Similar []string `json:"similar"`
	// Criteria holds explicit criterion values in [0,1] by criterion id
	// ("Critères du métier"); they override values the recommender derives.
	Criteria map[string]float64 `json:"criteria"`
}

// Salary is the parsed "Salaire" block, in euros gross per month. A zero
// value means the page does not say.
type Salary struct {
	Min       int `json:"min"`
	Max       int `json:"max"`
	JuniorMin int `json:"junior_min"`
	JuniorMax int `json:"junior_max"`
	SeniorMin int `json:"senior_min"`
	SeniorMax int `json:"senior_max"`
	// Benefits is the text about extra-legal benefits ("chèques-repas…").
	Benefits string `json:"benefits"`
	// Text is the whole block as written.
	Text string `json:"text"`
}

// Figures is the "Le métier en chiffres" block: each figure keeps its raw
// text, and a number where the text has one (0 when it has none).
type Figures struct {
	TrainingDuration   string  `json:"training_duration"`
	TrainingYears      float64 `json:"training_years"`
	Professionals      string  `json:"professionals"`
	ProfessionalsCount int     `json:"professionals_count"`
	Growth             string  `json:"growth"`
	InsertionRate      string  `json:"insertion_rate"`
	InsertionRatePct   float64 `json:"insertion_rate_pct"`
	AverageAgeText     string  `json:"average_age_text"`
	AverageAge         float64 `json:"average_age"`
	WomenText          string  `json:"women_text"`
	WomenPct           float64 `json:"women_pct"`
}

// TimeSlot is one line of the "Journée type".
type TimeSlot struct {
	From string `json:"from"` // "08h30"
	To   string `json:"to"`   // "10h00"
	Text string `json:"text"`
}

// Fact is one "fait marquant": a short title and its text.
type Fact struct {
	Title string `json:"title"`
	Text  string `json:"text"`
}

// Testimony is the quoted testimony of a professional.
type Testimony struct {
	Quote  string `json:"quote"`
	Author string `json:"author"`
	Role   string `json:"role"`
}

// QA is one question of the FAQ with its answer.
type QA struct {
	Question string `json:"question"`
	Answer   string `json:"answer"`
}
