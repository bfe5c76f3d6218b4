package bot

// Choices offers up to n values for an option as someone types it, for
// platforms that complete options (Discord's autocomplete): titles for
// CompleteTitle (Complete's, labelled "Heat (1995)", a title mentioned in
// passing saying so), IANA time zones for CompleteZone, nothing for
// CompleteNothing. A choice's Value is what the option takes: a title's id,
// a zone's name.
func (e *Engine) Choices(what Completion, typed string, n int) []Choice {
	var out []Choice
	switch what {
	case CompleteTitle:
		for _, s := range e.Complete(typed, n) {
			label := s.Label()
			if s.Mention {
				label += " · mentioned in passing"
			}
			out = append(out, Choice{Label: label, Value: s.ID})
		}
	case CompleteZone:
		for _, z := range zones(typed, n) {
			out = append(out, Choice{Label: z, Value: z})
		}
	}
	return out
}
