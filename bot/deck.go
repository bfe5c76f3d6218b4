package bot

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
)

// deal returns the channel's deck and the card it deals next. A channel's
// first deck, and each reshuffle, is a shuffle seeded by the channel and
// the cycle, so every process deals the same.
func (s *Scheduler) deal(ctx context.Context, ch ChannelKey) (deck, string, error) {
	d, err := s.store.GetDeck(ctx, ch)
	if errors.Is(err, ErrNotFound) {
		d, err = Deck{Cycle: -1}, nil
	}
	if err != nil {
		return deck{}, "", err
	}
	dk := deck{Deck: d, ch: ch, cat: s.cat}
	dk.fill()
	return dk, dk.Cards[0], nil
}

// deck deals a channel's picks.
type deck struct {
	Deck
	ch  ChannelKey
	cat *Catalog
}

// fill drops cards that left the catalog and, when none are left,
// shuffles the next cycle.
func (d *deck) fill() {
	d.Cards = slices.DeleteFunc(slices.Clone(d.Cards), func(id string) bool { return d.cat.Pick(id) == nil })
	if len(d.Cards) == 0 {
		d.Cycle++
		d.Cards = shuffle(d.cat, d.ch, d.Cycle, d.Last)
	}
}

// after returns the deck once card is dealt.
func (d deck) after(card string) Deck {
	rest := slices.DeleteFunc(slices.Clone(d.Cards), func(id string) bool { return id == card })
	return Deck{Cycle: d.Cycle, Cards: rest, Last: card}
}

// shuffle returns the picks of c in the order a channel deals them in one
// cycle: a shuffle seeded by the channel and the cycle, never starting with
// last (the card that ended the cycle before) when there is a choice.
func shuffle(c *Catalog, ch ChannelKey, cycle int, last string) []string {
	ids := make([]string, len(c.Picks))
	for i := range c.Picks {
		ids[i] = c.Picks[i].ID
	}
	slices.Sort(ids)
	h := fnv.New64a()
	fmt.Fprintf(h, "%s\x00%s\x00%d", ch.Platform, ch.Channel, cycle)
	r := rand.New(rand.NewPCG(h.Sum64(), uint64(cycle)))
	r.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	if len(ids) > 1 && ids[0] == last {
		k := 1 + r.IntN(len(ids)-1)
		ids[0], ids[k] = ids[k], ids[0]
	}
	return ids
}

// Deck is a channel's rotation: the cards left to deal in this shuffle.
type Deck struct {
	Cycle int      // shuffles dealt before this one
	Cards []string // pick ids still to deal, in order
	Last  string   // the card dealt last, which the next shuffle must not start with
}
