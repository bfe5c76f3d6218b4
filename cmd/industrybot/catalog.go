package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	industrybot "github.com/industrybot/industrybot"
	"github.com/industrybot/industrybot/bot"
)

func (e *env) catalogCmd() *cobra.Command {
	c := &cobra.Command{Use: "catalog", Short: "Work with the catalog of picks"}
	c.AddCommand(&cobra.Command{
		Use:         "check [FILE]",
		Annotations: map[string]string{local: "no platform"},
		Short:       "Validate a catalog (default: catalog.path, or the built-in one) and summarise it",
		Args:        cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			a, err := e.app(cmd)
			if err != nil {
				return err
			}
			path, name := a.cfg.CatalogPath, a.cfg.CatalogPath
			if len(args) == 1 {
				path, name = args[0], args[0]
			}
			if name == "" {
				name = "built-in catalog"
			}
			cat, err := readCatalog(path, len(args) == 0)
			if err != nil {
				// One problem per line, so a long report stays readable.
				var joined interface{ Unwrap() []error }
				if errors.As(err, &joined) {
					for _, e := range joined.Unwrap() {
						fmt.Fprintf(a.stderr, "%s: %v\n", name, e)
					}
					return &exitError{1, fmt.Errorf("%s: %d problems", name, len(joined.Unwrap()))}
				}
				return err
			}
			films := 0
			for _, p := range cat.Picks {
				if p.Kind == bot.Film {
					films++
				}
			}
			fmt.Fprintf(a.stdout, "%s: ok: %d picks (%d films, %d series), %d titles mentioned in passing\n",
				name, len(cat.Picks), films, len(cat.Picks)-films, len(cat.Mentions))
			fmt.Fprintf(a.stdout, "words by %s\n", cat.Source.Attribution())
			k, err := bot.ParseKnowledge(industrybot.KnowledgeJSON(), cat)
			switch {
			case err != nil && path == "":
				return fmt.Errorf("built-in knowledge: %w", err)
			case err != nil:
				fmt.Fprintf(a.stdout, "knowledge of other titles: off for this catalog (it leads to picks it does not have)\n")
			default:
				fmt.Fprintf(a.stdout, "knowledge of other titles: ok: %d titles outside the list, the bot's own, never the creators'\n", len(k.Titles))
			}
			return nil
		},
	})
	return c
}
