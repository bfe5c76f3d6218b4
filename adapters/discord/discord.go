// Package discord connects the bot to Discord: slash commands, buttons and
// autocomplete over the gateway or over HTTP interactions, in servers and,
// for users who installed the app to their account, in any DM or group
// DM, answered with embeds; command registration; and a poster for daily
// picks.
package discord

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/industrybot/industrybot/bot"
	"github.com/industrybot/industrybot/internal/httpbody"
	"github.com/industrybot/industrybot/internal/inflight"
	"github.com/industrybot/industrybot/internal/rendered"
	"github.com/industrybot/industrybot/internal/slowpath"
)

// Modes: how Discord reaches the bot.
const (
	ModeGateway = "gateway" // the bot holds a websocket to Discord: no public URL
	ModeHTTP    = "http"    // Discord POSTs signed interactions to a public URL
)

// Config holds what an Adapter needs. Handler, Engine and Session are
// required, and PublicKey in ModeHTTP.
type Config struct {
	Handler bot.Handler
	// Engine offers autocomplete's choices (bot.Engine.Choices): titles
	// for /why, time zones for /daily subscribe.
	Engine *bot.Engine
	// Session reaches Discord (NewSession). Its HTTP client sends the
	// answers that follow a deferral, which need no token: interaction
	// webhooks are authorised by the interaction's own token. In
	// ModeGateway it also holds the gateway connection, which needs the
	// bot token.
	Session *discordgo.Session
	// Mode is how interactions arrive: ModeGateway (the default) or
	// ModeHTTP.
	Mode string
	// PublicKey checks the signature of every HTTP interaction (ModeHTTP):
	// the application's key, as ParsePublicKey reads it.
	PublicKey ed25519.PublicKey
	// Logger defaults to discarding.
	Logger *slog.Logger
	// DeferAfter is how long an answer may take before the adapter tells
	// Discord it is thinking and follows up later; Discord fails an
	// interaction not answered within 3 seconds. Default 1.5s.
	DeferAfter time.Duration
	// HandleTimeout bounds one command. Default 30s.
	HandleTimeout time.Duration
	// Now is the clock HTTP interactions' timestamps are checked against.
	// Default time.Now.
	Now func() time.Time
	// Bodies reads the bodies of HTTP interactions, a bounded number at a
	// time; share one between every route of a server. Default: an
	// httpbody.Reader of the adapter's own.
	Bodies *httpbody.Reader
}

// Adapter answers Discord interactions with the bot, whichever transport
// delivers them: Run holds the gateway connection, or Handler serves the
// HTTP interactions endpoint. It is safe for concurrent use.
type Adapter struct {
	h bot.Handler
	// choices offers autocomplete's choices: the engine's.
	choices       func(what bot.Completion, typed string, n int) []bot.Choice
	rest          *discordgo.Session
	gw            *gateway     // ModeGateway
	web           http.Handler // ModeHTTP: the interactions endpoint
	log           *slog.Logger
	deferAfter    time.Duration
	handleTimeout time.Duration
	now           func() time.Time
	bodies        *httpbody.Reader
	// answers keeps the encoded first answers of replies with a Key, for
	// the next interaction answered with the same reply.
	answers *rendered.Cache
	// pending counts the interactions being answered.
	pending inflight.Counter
}

// New returns an Adapter, or an error naming what the configuration lacks.
func New(c Config) (*Adapter, error) {
	switch {
	case c.Handler == nil:
		return nil, errors.New("discord: the adapter needs a handler")
	case c.Engine == nil:
		return nil, errors.New("discord: the adapter needs the engine, for autocomplete")
	case c.Session == nil:
		return nil, errors.New("discord: the adapter needs a session (NewSession)")
	}
	a := &Adapter{h: c.Handler, choices: c.Engine.Choices, rest: c.Session, log: c.Logger, deferAfter: c.DeferAfter, handleTimeout: c.HandleTimeout, now: c.Now, bodies: c.Bodies, answers: rendered.New(0)}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	if a.deferAfter <= 0 {
		a.deferAfter = 1500 * time.Millisecond
	}
	if a.handleTimeout <= 0 {
		a.handleTimeout = 30 * time.Second
	}
	if a.now == nil {
		a.now = time.Now
	}
	if a.bodies == nil {
		a.bodies = httpbody.New(0)
	}
	switch c.Mode {
	case "", ModeGateway:
		a.gw = newGateway(a, c.Session)
	case ModeHTTP:
		if len(c.PublicKey) != ed25519.PublicKeySize {
			return nil, errors.New("discord: HTTP mode needs the application's public key (discord.public_key, from the Developer Portal's General Information page)")
		}
		mux := http.NewServeMux()
		mux.Handle("POST "+InteractionsPath, a.interactions(c.PublicKey))
		a.web = mux
	default:
		return nil, fmt.Errorf("discord: mode %q is neither %s nor %s", c.Mode, ModeGateway, ModeHTTP)
	}
	return a, nil
}

// Run answers interactions until ctx ends, then waits, up to
// inflight.DrainTime, for the answers still being sent. In ModeGateway it
// holds the gateway connection, which discordgo reconnects (and resumes)
// when it drops; in ModeHTTP, Handler's route takes the interactions. It
// returns an error only when the first gateway connection fails for a
// reason retrying cannot fix, such as a refused token. discordgo's own log
// lines go to the Logger of the adapter that ran last (session.go).
func (a *Adapter) Run(ctx context.Context) error {
	discordgoLog.Store(a.log)
	var err error
	if a.gw != nil {
		err = a.gw.run(ctx)
	} else {
		<-ctx.Done()
	}
	if derr := a.pending.Drain(ctx); derr != nil {
		a.log.Warn("discord: stopped with answers in flight", "err", derr)
	}
	return err
}

// Ready reports whether the adapter can take interactions, for a
// readiness check: in ModeGateway, whether the connection is up; in
// ModeHTTP it always can.
func (a *Adapter) Ready(ctx context.Context) error {
	if a.gw == nil {
		return nil
	}
	return a.gw.ready(ctx)
}

// Handler serves the HTTP routes of ModeHTTP, under RoutePrefix: the
// interactions endpoint (InteractionsPath). It is nil in ModeGateway.
func (a *Adapter) Handler() http.Handler { return a.web }

// Drain waits until the interactions in flight have been answered, or ctx
// ends. Run drains as it returns; a server that serves Handler without
// Run calls it.
func (a *Adapter) Drain(ctx context.Context) error {
	if err := a.pending.Wait(ctx); err != nil {
		return fmt.Errorf("discord: interactions unanswered: %w", err)
	}
	return nil
}

// response is an interaction callback as Discord reads it.
type response struct {
	Type discordgo.InteractionResponseType `json:"type"`
	Data any                               `json:"data,omitempty"`
	// more is set when follow-ups come after this answer, or a deferred
	// answer after this deferral: work goes on after the response.
	more bool
	// encoded is the response's JSON once encode has made it, or as it
	// was kept for the reply it answers with.
	encoded []byte
}

// encode returns the response's JSON, encoding it the first time.
func (r *response) encode() ([]byte, error) {
	if r.encoded == nil {
		b, err := json.Marshal(r)
		if err != nil {
			return nil, fmt.Errorf("encoding the answer: %w", err)
		}
		r.encoded = b
	}
	return r.encoded, nil
}

// messageData is a message in a callback, edit or follow-up.
type messageData struct {
	Content         string                            `json:"content,omitempty"`
	Embeds          []*discordgo.MessageEmbed         `json:"embeds"`
	Components      []discordgo.MessageComponent      `json:"components"`
	Flags           discordgo.MessageFlags            `json:"flags,omitempty"`
	AllowedMentions *discordgo.MessageAllowedMentions `json:"allowed_mentions,omitempty"`
}

// editData is a message put in place of another: an edit, or the answer
// that replaces the message its button is on. Every field is sent, since
// an update keeps the fields it leaves out (an old lead line would stay
// above new picks), and none says who sees the message, which an update
// cannot change.
type editData struct {
	Content         string                            `json:"content"`
	Embeds          []*discordgo.MessageEmbed         `json:"embeds"`
	Components      []discordgo.MessageComponent      `json:"components"`
	AllowedMentions *discordgo.MessageAllowedMentions `json:"allowed_mentions,omitempty"`
}

func (m message) edit() editData {
	d := m.data()
	return editData{Content: d.Content, Embeds: d.Embeds, Components: d.Components, AllowedMentions: d.AllowedMentions}
}

func (m message) data() messageData {
	d := messageData{Content: m.Content, Embeds: m.Embeds, Components: m.Components, Flags: m.flags(), AllowedMentions: noMentions()}
	if d.Embeds == nil {
		d.Embeds = []*discordgo.MessageEmbed{}
	}
	if d.Components == nil {
		d.Components = []discordgo.MessageComponent{}
	}
	return d
}

// choicesData answers an autocomplete: "choices" must be present, even empty.
type choicesData struct {
	Choices []*discordgo.ApplicationCommandOptionChoice `json:"choices"`
}

// firstAnswer sends the one response an interaction allows.
type firstAnswer func(ctx context.Context, r *response) error

// interact answers one interaction: first through first, within the
// deferral time, then, when the answer was deferred or is longer than one
// message, through the interaction's webhook. A panic anywhere, the
// command's included, is logged and answered with a private apology: the
// one recovery of the interaction.
func (a *Adapter) interact(ctx context.Context, i *interaction, first firstAnswer) {
	a.pending.Add()
	defer a.pending.Done()
	x := &answering{a: a, ctx: ctx, i: i, first: first}
	defer func() {
		if p := recover(); p != nil {
			x.log().Error("answering an interaction panicked", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			x.apologize()
		}
	}()

	switch i.Type {
	case discordgo.InteractionPing:
		if err := x.send(&response{Type: discordgo.InteractionResponsePong}); err != nil {
			x.log().Warn("answering a ping failed", "err", err)
		}
	case discordgo.InteractionApplicationCommandAutocomplete:
		r := &response{Type: discordgo.InteractionApplicationCommandAutocompleteResult, Data: choicesData{a.autocomplete(i)}}
		if err := x.send(r); err != nil {
			x.log().Warn("answering an autocomplete failed", "err", err)
		}
	case discordgo.InteractionApplicationCommand, discordgo.InteractionMessageComponent:
		req, bad := request(i)
		if bad != nil {
			x.deliver(render(*bad), false, "")
			return
		}
		x.command = req.Command
		x.answer(req)
	default:
		r := bot.Reply{Private: true, Error: "industrybot does not handle this kind of interaction. Try /help."}
		x.deliver(render(r), false, "")
	}
}

// answering is one interaction being answered, and what of its answer has
// gone to Discord.
type answering struct {
	a       *Adapter
	ctx     context.Context
	command string       // the core's command, once the request is read
	logger  *slog.Logger // made by log
	i       *interaction
	first   firstAnswer
	// sent is the first answer once sent, a deferral or the answer itself.
	// A deferral is sent from a timer's goroutine, and slowpath.Run returns
	// only once it is done.
	sent *response
	// delivering is set once the answer itself is on its way.
	delivering bool
}

// log returns the interaction's logger, made the first time it is asked
// for: most interactions log nothing.
func (x *answering) log() *slog.Logger {
	if x.logger == nil {
		x.logger = x.a.log.With("interaction", x.i.ID, "type", x.i.Type.String(), "channel", x.i.ChannelID)
		if x.command != "" {
			x.logger = x.logger.With("command", x.command)
		}
	}
	return x.logger
}

// send sends the first answer.
func (x *answering) send(r *response) error {
	x.sent = r
	return x.first(x.ctx, r)
}

// answer runs the command on this goroutine. When it is slow, a timer
// defers the interaction first, within Discord's 3 seconds, and the answer
// follows through the webhook: a "thinking…" message, or, for a press
// whose answer replaces the message its button is on, a busy button (a
// deferred update). The command gets handleTimeout through its context;
// the store and the platforms' APIs heed it, and answer waits for the
// command to return.
func (x *answering) answer(req bot.Request) {
	a := x.a
	hctx, cancel := context.WithTimeout(x.ctx, a.handleTimeout)
	defer cancel()
	deferral := discordgo.InteractionResponseDeferredChannelMessageWithSource
	if req.Replace && x.i.Type == discordgo.InteractionMessageComponent {
		deferral = discordgo.InteractionResponseDeferredMessageUpdate
	}
	var deferErr error
	r, deferred := slowpath.Run(a.deferAfter, func() bot.Reply { return a.h.Handle(hctx, req) }, func() {
		deferErr = x.send(&response{Type: deferral, more: true})
	})
	if deferred {
		if deferErr != nil {
			x.log().Warn("deferring a slow answer failed; the user sees “This interaction failed”", "err", deferErr)
			return
		}
		x.log().Info("answer deferred: the command is slow", "after", a.deferAfter)
	}
	if hctx.Err() != nil {
		x.log().Warn("the command ran past its time", "timeout", a.handleTimeout)
	}
	if body, ok := a.answers.Get(r.Key); ok && !deferred {
		x.delivering = true
		kept := &response{Type: discordgo.InteractionResponseChannelMessageWithSource, encoded: body}
		if x.replaces(r.Replace, r.Private) {
			kept.Type = discordgo.InteractionResponseUpdateMessage
		}
		if err := x.send(kept); err != nil {
			x.log().Warn("answering an interaction failed", "err", err)
		}
		return
	}
	x.deliver(render(r), r.Replace, r.Key)
}

// replaces says whether an answer takes the place of the message whose
// button was pressed: a public answer to a press that asks for it.
func (x *answering) replaces(replace, private bool) bool {
	return replace && x.i.Type == discordgo.InteractionMessageComponent && !private
}

// deliver sends rendered messages. The first is the interaction's answer:
// in place of the message the button is on when replace is set (type 7),
// else a message of its own (type 4); after a deferral, it takes the place
// of the "thinking…" message, or, the deferral being an update, of the
// button's message, or follows it. The rest are follow-ups. Only a public
// answer to a button press replaces anything. An answer whole in the
// interaction's response is kept by key, the Key of the reply rendered
// (none when ""), for the next interaction answered with that reply.
func (x *answering) deliver(msgs []message, replace bool, key string) {
	x.delivering = true
	a, ctx, log := x.a, x.ctx, x.log()
	replace = x.replaces(replace, msgs[0].Ephemeral)
	rest := msgs[1:]
	switch {
	case x.sent == nil:
		r := &response{Type: discordgo.InteractionResponseChannelMessageWithSource, Data: msgs[0].data(), more: len(rest) > 0}
		if replace {
			r.Type, r.Data = discordgo.InteractionResponseUpdateMessage, msgs[0].edit()
		}
		if body, err := r.encode(); err == nil && len(rest) == 0 {
			a.answers.Put(key, body)
		}
		if err := x.send(r); err != nil {
			log.Warn("answering an interaction failed", "err", err)
			return
		}
	case x.sent.Type == discordgo.InteractionResponseDeferredMessageUpdate && !replace:
		// Nothing shows for this deferral: the answer follows the
		// message, privately or not.
		rest = msgs
	case x.sent.Type != discordgo.InteractionResponseDeferredMessageUpdate && msgs[0].Ephemeral:
		// The deferral was public; a private answer replaces it with an
		// ephemeral follow-up.
		if err := a.deleteOriginal(ctx, x.i); err != nil {
			log.Warn("removing the “thinking…” message failed", "err", err)
		}
		rest = msgs
	default:
		if err := a.editOriginal(ctx, x.i, msgs[0]); err != nil {
			log.Warn("sending a deferred answer failed", "err", err)
			return
		}
	}
	for _, m := range rest {
		if err := a.followup(ctx, x.i, m); err != nil {
			log.Warn("sending the rest of an answer failed", "err", err)
			return
		}
	}
}

// apologize answers with bot.Failure after a panic: as the answer, when
// none has been sent (no choices, for an autocomplete), or in the
// deferral's place; or as a follow-up to what went.
func (x *answering) apologize() {
	sorry := render(bot.Failure())
	var err error
	switch {
	case x.sent == nil && x.i.Type == discordgo.InteractionApplicationCommandAutocomplete:
		err = x.send(&response{Type: discordgo.InteractionApplicationCommandAutocompleteResult, Data: choicesData{[]*discordgo.ApplicationCommandOptionChoice{}}})
	case x.sent == nil, !x.delivering:
		x.deliver(sorry, false, "")
	default:
		err = x.a.followup(x.ctx, x.i, sorry[0])
	}
	if err != nil {
		x.log().Warn("sending the apology failed", "err", err)
	}
}

// request translates a command or a button press into the core's request,
// with what the bot may not do in the channel. A button the bot did not
// make answers with a private error.
func request(i *interaction) (bot.Request, *bot.Reply) {
	req := bot.Request{Platform: bot.Discord, Channel: i.ChannelID, User: user(i.Interaction), Options: map[string]string{}, NoPost: i.noPost}
	switch i.Type {
	case discordgo.InteractionApplicationCommand:
		d := i.ApplicationCommandData()
		req.Command = d.Name
		sub, opts := commandOptions(d.Options)
		if sub != "" {
			req.Options[bot.OptAction] = sub
		}
		for _, o := range opts {
			if o.Value != nil {
				req.Options[o.Name] = optionValue(o)
			}
		}
		if req.Opt(bot.OptThread) == "true" {
			req.NoThread = i.noThread()
		}
		if id := req.Opt(bot.OptMention); id != "" {
			req.NoMention = i.noMention(id)
		}
	case discordgo.InteractionMessageComponent:
		pressed, err := bot.ParseAction(i.MessageComponentData().CustomID)
		if err != nil {
			return req, &bot.Reply{Private: true, Error: "This button is from an older version of industrybot and no longer works.", Text: "Ask again with /recommend, /why or /random."}
		}
		req.Command, req.Options, req.Replace = pressed.Command, pressed.Options, pressed.Replace
	}
	return req, nil
}

// optionValue is an option's value as the core takes it, text: a string
// as typed, a boolean as "true" or "false", a role, user or channel as its
// id, a number in digits.
func optionValue(o *discordgo.ApplicationCommandInteractionDataOption) string {
	switch v := o.Value.(type) {
	case string:
		return strings.TrimSpace(v)
	case bool:
		return strconv.FormatBool(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return strings.TrimSpace(fmt.Sprint(o.Value))
}

// commandOptions returns a command's options, or its subcommand's (sub
// names it) when it has one, without the nulls a broken or hostile client
// may send in their place ("options":[null]).
func commandOptions(opts []*discordgo.ApplicationCommandInteractionDataOption) (sub string, out []*discordgo.ApplicationCommandInteractionDataOption) {
	present := func(opts []*discordgo.ApplicationCommandInteractionDataOption) []*discordgo.ApplicationCommandInteractionDataOption {
		return slices.DeleteFunc(slices.Clone(opts), func(o *discordgo.ApplicationCommandInteractionDataOption) bool { return o == nil })
	}
	opts = present(opts)
	if len(opts) == 1 && opts[0].Type == discordgo.ApplicationCommandOptionSubCommand {
		return opts[0].Name, present(opts[0].Options)
	}
	return "", opts
}

// user says who sent an interaction: a guild member, whose permissions in
// the channel say whether they may manage the daily pick, or a user in a
// DM, who may not.
func user(i *discordgo.Interaction) bot.User {
	var u bot.User
	du := i.User
	if i.Member != nil {
		du = i.Member.User
		u.Admin = i.Member.Permissions&adminPermissions != 0
	}
	if du != nil {
		u.ID = du.ID
		u.Name = du.GlobalName
		if u.Name == "" {
			u.Name = du.Username
		}
	}
	return u
}

// autocomplete suggests values for the focused option, those the core
// offers for it: titles for /why, time zones for /daily subscribe.
func (a *Adapter) autocomplete(i *interaction) []*discordgo.ApplicationCommandOptionChoice {
	d := i.ApplicationCommandData()
	sub, opts := commandOptions(d.Options)
	var focused *discordgo.ApplicationCommandInteractionDataOption
	for _, o := range opts {
		if o.Focused {
			focused = o
		}
	}
	choices := []*discordgo.ApplicationCommandOptionChoice{}
	if focused == nil {
		return choices
	}
	typed := ""
	if focused.Value != nil {
		typed = fmt.Sprint(focused.Value)
	}
	for _, c := range a.choices(completion(d.Name, sub, focused.Name), typed, maxChoices) {
		if len(c.Value) > maxChoiceName {
			continue // Discord refuses the whole answer for one value too long
		}
		choices = append(choices, &discordgo.ApplicationCommandOptionChoice{Name: clip(c.Label, maxChoiceName), Value: c.Value})
	}
	return choices
}

// completion is what the core's command table says it completes for an
// option of a command, or of its subcommand sub.
func completion(command, sub, option string) bot.Completion {
	spec, ok := bot.Command(command)
	if !ok {
		return bot.CompleteNothing
	}
	if sub != "" {
		i := slices.IndexFunc(spec.Subcommands, func(c bot.CommandSpec) bool { return c.Name == sub })
		if i < 0 {
			return bot.CompleteNothing
		}
		spec = spec.Subcommands[i]
	}
	for _, o := range spec.Options {
		if o.Name == option {
			return o.Complete
		}
	}
	return bot.CompleteNothing
}
