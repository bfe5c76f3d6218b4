// Package industrybot holds the built-in catalog: the picks the creators of
// Industry named, with their commentary, embedded into the binary.
package industrybot

import _ "embed"

//go:embed recommendations.json
var catalogJSON []byte

//go:embed recommendations.schema.json
var catalogSchema []byte

// CatalogJSON returns the built-in catalog, recommendations.json. Callers
// must not modify it.
func CatalogJSON() []byte { return catalogJSON }

// CatalogSchema returns the JSON Schema of the catalog format. Callers must
// not modify it.
func CatalogSchema() []byte { return catalogSchema }

//go:embed knowledge.json
var knowledgeJSON []byte

// KnowledgeJSON returns the built-in knowledge of titles outside the
// creators' list, knowledge.json. Callers must not modify it.
func KnowledgeJSON() []byte { return knowledgeJSON }

//go:embed knowledge.schema.json
var knowledgeSchema []byte

// KnowledgeSchema returns the JSON Schema of the knowledge file. Callers
// must not modify it.
func KnowledgeSchema() []byte { return knowledgeSchema }
