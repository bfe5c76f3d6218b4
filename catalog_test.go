package industrybot_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	industrybot "github.com/industrybot/industrybot"
	"github.com/industrybot/industrybot/bot"
	"github.com/industrybot/industrybot/bot/bottest"
)

// TestCatalogMatchesItsSchema keeps recommendations.schema.json honest: the
// built-in catalog validates against it, and what the loader rejects for
// shape the schema rejects too.
func TestCatalogMatchesItsSchema(t *testing.T) {
	validate := schemaValidator(t, "recommendations.schema.json", industrybot.CatalogSchema())
	if err := validate(industrybot.CatalogJSON()); err != nil {
		t.Fatalf("the built-in catalog does not match its schema: %v", err)
	}
	tests := []struct {
		name   string
		change func(pick map[string]any)
	}{
		{"unknown field", func(p map[string]any) { p["directer"] = "x" }},
		{"unknown kind", func(p map[string]any) { p["kind"] = "podcast" }},
		{"impossible year", func(p map[string]any) { p["year"] = 1700 }},
		{"film with an end year", func(p map[string]any) { p["end_year"] = 2012 }},
		{"empty commentary", func(p map[string]any) { p["commentary"] = []any{} }},
		{"bad id", func(p map[string]any) { p["id"] = "Money Ball" }},
		{"unknown credit role", func(p map[string]any) { p["credit"] = map[string]any{"role": "writer", "names": []any{"x"}} }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var d map[string]any
			if err := json.Unmarshal(industrybot.CatalogJSON(), &d); err != nil {
				t.Fatal(err)
			}
			tc.change(d["picks"].([]any)[0].(map[string]any))
			data, _ := json.Marshal(d)
			if validate(data) == nil {
				t.Error("the schema accepts it")
			}
			if _, err := bot.ParseCatalog(data); err == nil {
				t.Error("the loader accepts it")
			}
		})
	}
}

// TestKnowledgeMatchesItsSchema keeps knowledge.schema.json honest: the
// built-in knowledge validates against it and the loader accepts it, and a
// lead the loader rejects for shape the schema rejects too.
func TestKnowledgeMatchesItsSchema(t *testing.T) {
	validate := schemaValidator(t, "knowledge.schema.json", industrybot.KnowledgeSchema())
	if err := validate(industrybot.KnowledgeJSON()); err != nil {
		t.Fatalf("the built-in knowledge does not match its schema: %v", err)
	}
	cat := bottest.Catalog(t)
	k, err := bot.ParseKnowledge(industrybot.KnowledgeJSON(), cat)
	if err != nil {
		t.Fatalf("the built-in knowledge does not load: %v", err)
	}
	if len(k.Titles) < 250 {
		t.Errorf("the knowledge holds %d titles, want at least 250", len(k.Titles))
	}
	for _, change := range []func(title map[string]any){
		func(x map[string]any) { x["leads_to"] = []any{map[string]any{"pick": "heat"}} },
		func(x map[string]any) { x["kind"] = "podcast" },
		func(x map[string]any) { x["leads_to"] = []any{} },
		func(x map[string]any) { x["directer"] = "x" },
	} {
		var d map[string]any
		if err := json.Unmarshal(industrybot.KnowledgeJSON(), &d); err != nil {
			t.Fatal(err)
		}
		change(d["titles"].([]any)[0].(map[string]any))
		data, _ := json.Marshal(d)
		if err := validate(data); err == nil {
			t.Errorf("the schema accepts %s", data[:0])
		}
		if _, err := bot.ParseKnowledge(data, cat); err == nil {
			t.Errorf("the loader accepts a broken first title")
		}
	}
}

// schemaValidator compiles a JSON Schema and returns a function that
// validates a document against it.
func schemaValidator(t *testing.T, name string, schemaJSON []byte) func(data []byte) error {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaJSON))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	url := "https://github.com/industrybot/industrybot/" + name
	if err := c.AddResource(url, doc); err != nil {
		t.Fatal(err)
	}
	schema, err := c.Compile(url)
	if err != nil {
		t.Fatal(err)
	}
	return func(data []byte) error {
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		return schema.Validate(v)
	}
}
