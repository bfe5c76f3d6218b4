// Package bot is industrybot's core: the catalog, the recommendation engine,
// the commands and their platform-neutral replies, and the ports adapters
// implement.
package bot

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strconv"
	"strings"
)

// Bot answers the commands. It is safe for concurrent use.
type Bot struct {
	engine   *Engine
	memory   Memory
	schedule *Scheduler
	log      *slog.Logger
	short    map[string]string // the short forms of long title ids on buttons → the ids
	admins   map[Platform]string
	answers  answers // reused (reuse.go)
}

var _ Handler = (*Bot)(nil)

// Config holds what a Bot needs. Engine and Memory are required.
type Config struct {
	Engine *Engine
	Memory Memory
	// Daily manages /daily; without it /daily says daily picks are off.
	Daily  *Scheduler
	Logger *slog.Logger // default: discard
	// Admins says, for each platform, who may manage a channel's daily
	// pick: "members with the Manage Server permission". Default "admins".
	Admins map[Platform]string
}

// New returns a Bot.
func New(c Config) *Bot {
	b := &Bot{engine: c.Engine, memory: c.Memory, schedule: c.Daily, log: c.Logger, admins: c.Admins}
	if b.log == nil {
		b.log = slog.New(slog.DiscardHandler)
	}
	if c.Engine != nil { // some tests wire a bot that never answers
		b.short = shortIDs(c.Engine.Catalog())
	}
	return b
}

// Engine returns the engine the bot answers from.
func (b *Bot) Engine() *Engine { return b.engine }

// recentWindow is how many recently shown picks a channel's memory is asked
// for: enough to cover a whole catalog of ordinary size.
const recentWindow = 256

// Handle answers one request. It never panics: a failure inside a command is
// logged and answered with a private apology.
func (b *Bot) Handle(ctx context.Context, req Request) (reply Reply) {
	defer func() {
		if p := recover(); p != nil {
			b.log.Error("command panicked", "command", req.Command, "platform", req.Platform, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			reply = Failure()
		}
	}()
	if req.Options == nil {
		opts, err := ParseText(req.Command, req.Text)
		if err != nil {
			return *inputError(err)
		}
		req.Options = opts
	}
	if bad := checkOptions(req); bad != nil {
		return *bad
	}
	reply = b.answer(ctx, req)
	reply.Replace = req.Replace && !reply.Private
	if reply.Replace && reply.Key != "" {
		reply.Key += "\x00replace"
	}
	return reply
}

func (b *Bot) answer(ctx context.Context, req Request) Reply {
	switch req.Command {
	case CmdRecommend:
		return b.recommend(ctx, req)
	case CmdWhy:
		return b.why(ctx, req)
	case CmdRandom:
		return b.random(ctx, req)
	case CmdHelp:
		return b.reuse(ctx, ChannelKey{}, CmdHelp, func() (Reply, []string, bool) { return Help(), nil, true })
	case CmdDaily:
		return b.daily(ctx, req)
	}
	return Reply{Private: true, Error: fmt.Sprintf("Unknown command %s. Try /help.", Quote("/"+req.Command, 30))}
}

func (b *Bot) attribution() string { return b.engine.cat.Source.Attribution() }

func (b *Bot) kind(req Request) (Kind, *Reply) {
	k, err := ParseKind(req.Opt(OptKind))
	if err != nil {
		return "", &Reply{Private: true, Error: "The kind must be film or tv."}
	}
	return k, nil
}

// recent returns what the channel has been shown, newest first. A store
// failure is logged and treated as no history: the answer still goes out.
// A request the platform named no channel for has no memory (rather than
// one shared by all such requests): nothing is read or remembered.
func (b *Bot) recent(ctx context.Context, ch ChannelKey) []string {
	if ch.Channel == "" {
		return nil
	}
	ids, err := b.memory.Recent(ctx, ch, recentWindow)
	if err != nil {
		b.log.Warn("reading channel memory failed; answering without it", "channel", ch.String(), "err", err)
		return nil
	}
	return ids
}

func (b *Bot) remember(ctx context.Context, ch ChannelKey, ids ...string) {
	if ch.Channel == "" {
		return
	}
	if err := b.memory.Remember(ctx, ch, ids); err != nil {
		b.log.Warn("recording what a channel was shown failed", "channel", ch.String(), "err", err)
	}
}

func (b *Bot) recommend(ctx context.Context, req Request) Reply {
	kind, bad := b.kind(req)
	if bad != nil {
		return *bad
	}
	query := strings.TrimSpace(req.Opt(OptQuery))
	ch := req.ChannelKey()
	if req.Opt(OptAnother) == "" { // the first page: the query's alone
		return b.reuse(ctx, ch, reuseKey(CmdRecommend, string(kind), query), func() (Reply, []string, bool) {
			rec := b.engine.Recommend(query, kind, nil)
			r, shown := b.recommendation(query, kind, rec)
			return r, shown, !rec.Varied
		})
	}
	exclude := b.recent(ctx, ch)
	rec := b.engine.Recommend(query, kind, exclude)
	if rec.Repeated {
		return b.ranOut(ctx, req, query, kind, exclude)
	}
	r, shown := b.recommendation(query, kind, rec)
	b.remember(ctx, ch, shown...)
	return r
}

// recommendation answers with a recommendation's picks, which shown are
// the ids of, or says why there are none.
func (b *Bot) recommendation(query string, kind Kind, rec Recommendation) (r Reply, shown []string) {
	if len(rec.Picks) == 0 {
		r := Reply{Private: true, Error: fmt.Sprintf("Nothing on the creators' list matches %s.", Quote(query, 80))}
		if rec.Kind != "" {
			r.Error = fmt.Sprintf("No %s on the creators' list matches %s.", kindNoun(rec.Kind, 1), Quote(query, 80))
		}
		if rec.NoFit != "" && rec.NoFit != Clip(query, 80) {
			r.Error = fmt.Sprintf("Nothing on the creators' list is %s.", rec.NoFit)
		}
		r.Text = "Try a mood or a theme (" + strings.Join(b.sampleTags(), ", ") + "), “like Succession”, or /random."
		return r, nil
	}
	var lead string
	switch {
	case rec.Empty:
		lead = "From the creators' list"
	case rec.NoFit != "" && rec.NoFit == Clip(query, 80):
		lead = fmt.Sprintf("Nothing on the creators' list quite fits %s; the closest", Quote(query, 80))
	case rec.NoFit != "":
		lead = fmt.Sprintf("Nothing on the creators' list is %s; the closest", rec.NoFit)
	case rec.Varied:
		lead = "No preference, so a free choice from the creators' list"
	case rec.Known != nil:
		lead = fmt.Sprintf("Like %s (%s), which is not on the creators' list: the closest picks, in industrybot's view", rec.Known.Title, rec.Known.Years())
	case rec.Like != "":
		lead = "Like " + rec.Like
	default:
		lead = "Picks for " + Quote(query, 80)
	}
	if rec.Kind != "" {
		lead += " (" + kindNoun(rec.Kind, 2) + ")"
	}
	if rec.Repeated {
		lead += ": you have seen every match here, so they start over"
	}
	another := Action{Label: "Another", Command: CmdRecommend, Kind: kind, Arg: query, Effect: ReplaceMessage}
	return b.picks(lead, rec.Picks, another)
}

// picks answers with picks the channel is to remember it was shown (their
// ids, shown): Another, then a Why button for each.
func (b *Bot) picks(lead string, picks []Pick, another Action) (r Reply, shown []string) {
	ids := make([]string, len(picks))
	actions := []Action{another}
	for i, p := range picks {
		ids[i] = p.Title.ID
		label := "Why?"
		if len(picks) > 1 {
			label = "Why " + Clip(p.Title.Title, 60) + "?"
		}
		actions = append(actions, Action{Label: label, Command: CmdWhy, Arg: p.Title.ID})
	}
	return Reply{Text: lead, Picks: picks, Actions: actions, Attribution: b.attribution()}, ids
}

// ranOut answers Another when the channel has seen every match: it says
// so, and offers picks from the rest of the list the channel has not seen
// instead of the same ones again, or /random when it has seen them all.
func (b *Bot) ranOut(ctx context.Context, req Request, query string, kind Kind, exclude []string) Reply {
	seen := "This channel has seen every match for " + Quote(query, 80)
	if query == "" {
		seen = "This channel has seen every pick on the creators' list"
	}
	if kind != "" {
		seen += " (" + kindNoun(kind, 2) + ")"
	}
	other := b.engine.Recommend("", kind, exclude)
	if query == "" || other.Repeated || len(other.Picks) == 0 {
		return Reply{
			Private: true,
			Text:    seen + ". /random deals the whole list again, one pick at a time.",
			Actions: []Action{{Label: "Random", Command: CmdRandom, Kind: kind}},
		}
	}
	if len(other.Picks) > MaxPicks {
		other.Picks = other.Picks[:MaxPicks]
	}
	another := Action{Label: "Another", Command: CmdRecommend, Kind: kind, Effect: ReplaceMessage}
	r, shown := b.picks(seen+"; others on the creators' list it has not seen", other.Picks, another)
	b.remember(ctx, req.ChannelKey(), shown...)
	return r
}

func (b *Bot) random(ctx context.Context, req Request) Reply {
	kind, bad := b.kind(req)
	if bad != nil {
		return *bad
	}
	ch := req.ChannelKey()
	t, reset := b.engine.Random(kind, b.recent(ctx, ch))
	if t == nil {
		return Reply{Private: true, Error: fmt.Sprintf("The catalog has no %s.", kindNoun(kind, 2))}
	}
	if reset {
		if err := b.memory.Restart(ctx, ch); err != nil {
			b.log.Warn("restarting a channel's rotation failed", "channel", ch.String(), "err", err)
		}
	}
	b.remember(ctx, ch, t.ID)
	lead := "A random pick"
	if kind != "" {
		lead = "A random " + kindNoun(kind, 1)
	}
	if reset {
		lead += ": this channel has seen them all, so the rotation starts over"
	}
	// The draw is the channel's; the answer to it is everyone's.
	key := reuseKey(CmdRandom, string(kind), t.ID, strconv.FormatBool(reset))
	return Reply{
		Key:   key,
		Text:  lead,
		Picks: []Pick{{Title: t, Excerpt: Clip(firstSentence(t), excerptRunes)}},
		Actions: []Action{
			{Label: "Another", Command: CmdRandom, Kind: kind, Effect: ReplaceMessage},
			{Label: "Why?", Command: CmdWhy, Arg: t.ID},
		},
		Attribution: b.attribution(),
	}
}

func (b *Bot) why(ctx context.Context, req Request) Reply {
	ch := req.ChannelKey()
	title := strings.TrimSpace(req.Opt(OptTitle))
	if title == "" && ch.Channel == "" {
		return Reply{Private: true, Error: "There is no channel here to remember the last pick of.", Text: "Name a title (/why heat)."}
	}
	if title == "" {
		recent := b.recent(ctx, ch)
		if len(recent) == 0 {
			return Reply{Private: true, Error: "Nothing has been picked in this channel yet.", Text: "Name a title (/why heat) or ask for a pick (/recommend, /random)."}
		}
		title = recent[0]
	}
	if id, ok := b.short[title]; ok { // from a button: a long id in short form
		title = id
	}
	return b.reuse(ctx, ch, reuseKey(CmdWhy, title), func() (Reply, []string, bool) {
		r, shown := b.whyTitle(title)
		return r, shown, true
	})
}

// whyTitle answers /why of a title, and says which pick, if any, the
// channel is to remember it was shown.
func (b *Bot) whyTitle(title string) (r Reply, shown []string) {
	a := b.engine.Why(title)
	switch {
	case a.Known != nil:
		k := a.Known
		r := Reply{
			Text:        fmt.Sprintf("%s (%s) is not on the creators' list. The closest picks, in industrybot's view (not the creators'):", k.Title, k.Years()),
			Picks:       a.Closest,
			Attribution: b.attribution(),
		}
		for _, p := range a.Closest {
			r.Actions = append(r.Actions, Action{Label: "Why " + Clip(p.Title.Title, 60) + "?", Command: CmdWhy, Arg: p.Title.ID})
		}
		if len(a.Closest) == 0 {
			r = Reply{Private: true, Error: fmt.Sprintf("%s is not on the creators' list.", k.Title)}
		}
		return r, nil
	case a.Title != nil:
		return Reply{Commentary: a.Title, Attribution: b.attribution()}, []string{a.Title.ID}
	case a.Mention != nil:
		m := a.Mention
		r := Reply{Mention: m, MentionFrom: a.From}
		if a.From != nil {
			r.Text = fmt.Sprintf("The creators mention %s only in passing, writing about %s:", m.Title, a.From.Title)
			r.Attribution = b.attribution()
			r.Actions = []Action{{Label: "Why " + Clip(a.From.Title, 60) + "?", Command: CmdWhy, Arg: a.From.ID}}
		} else {
			r.Text = fmt.Sprintf("%s is not on the creators' list; the article mentions it in its introduction:", m.Title)
			r.Attribution = fmt.Sprintf("the introduction to “%s”", b.engine.cat.Source.Article)
		}
		return r, nil
	}
	r = Reply{Private: true, Error: fmt.Sprintf("No title on the creators' list matches %s.", Quote(title, 80)), Suggestions: a.Suggestions}
	for _, s := range a.Suggestions {
		r.Actions = append(r.Actions, Action{Label: Clip(s.Title, 80), Command: CmdWhy, Arg: s.ID})
	}
	if len(a.Suggestions) == 0 {
		r.Text = "Titles on the list: " + strings.Join(b.titles(12), ", ") + "."
	}
	return r, nil
}

// sampleTags names a few tags that match something, for a miss.
func (b *Bot) sampleTags() []string {
	return []string{"tense", "talky", "british comedy", "workplace drama", "finance", "raw"}
}

func (b *Bot) titles(n int) []string {
	var out []string
	for i := range b.engine.cat.Picks {
		if i == n {
			out = append(out, "…")
			break
		}
		out = append(out, b.engine.cat.Picks[i].Title)
	}
	return out
}
