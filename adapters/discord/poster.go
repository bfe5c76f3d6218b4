package discord

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/industrybot/industrybot/bot"
	"github.com/industrybot/industrybot/internal/sendtrace"
)

// Poster implements bot.Poster on Discord: it sends a reply to a channel as
// a bot message with the same embeds and buttons as an interaction answer.
// It needs a session with the bot token.
type Poster struct {
	s   *discordgo.Session
	log *slog.Logger
}

var _ bot.Poster = (*Poster)(nil)

// NewPoster returns a poster sending with session s (NewSession).
func NewPoster(s *discordgo.Session, log *slog.Logger) *Poster {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Poster{s: s, log: log}
}

// defaultRetryAfter is the wait a 429 that names none is given.
const defaultRetryAfter = time.Second

// NonceWindow is how long after a message Discord is taken to answer
// another with the same nonce with the first instead of posting it again.
// Discord promises "the past few minutes"; two is the reading that errs on
// the safe side.
const NonceWindow = 2 * time.Minute

// Post sends reply to the channel with this id, as the post named key:
// every message carries a nonce made of key and its part, with
// enforce_nonce, so Discord drops a copy sent again within NonceWindow
// and answers with the first. A failure is a *bot.PostError: Permanent,
// with a Hint, when the channel is unknown (404, code 10003), the bot
// cannot see it (403, 50001) or may not post there (403, 50013), or the
// token is refused (401); RetryAfter when Discord rate limits (429);
// Unknown when the request was sent and no answer came back (the
// connection broke, or the answer was slower than the client's timeout),
// or when a reply of several messages fails after the first went out;
// none of these for server errors (5xx) and network failures before
// sending, which may pass. discordgo's own retries are off: the caller
// decides when to try again.
//
// With reply.Ping, the first message mentions that role, and allows that
// mention and no other. With reply.Thread, once the post is out, it starts
// a thread on its first message, named for the pick, and posts there the
// pick's whole commentary as /why lays it out; when that fails, the post
// being out, it returns a *bot.FollowUpError saying what failed and what
// to do.
func (p *Poster) Post(ctx context.Context, channel, key string, reply bot.Reply) error {
	if channel == "" {
		return &bot.PostError{Permanent: true, Err: errors.New("discord: posting needs a channel id"), Hint: "name the channel by its id (Developer Mode → Copy Channel ID)"}
	}
	if p.s.Token == "" {
		return &bot.PostError{Permanent: true, Err: errors.New("discord: posting needs the bot token"), Hint: "set INDUSTRYBOT_DISCORD_TOKEN"}
	}
	if reply.Ping != "" && !snowflake.MatchString(reply.Ping) {
		return &bot.PostError{Permanent: true, Err: fmt.Errorf("discord: the post's mention %q is not a role id", reply.Ping), Hint: hintPing}
	}
	parts := render(reply)
	if reply.Ping != "" {
		mention := "<@&" + reply.Ping + ">"
		parts[0].Content = strings.TrimSpace(mention + " " + clip(parts[0].Content, maxContent-units(mention)-1))
	}
	first := ""
	for i, m := range parts {
		mentions := noMentions()
		if i == 0 && reply.Ping != "" {
			mentions.Roles = []string{reply.Ping}
		}
		id, pe := p.send(ctx, channel, Nonce(key, i), m, mentions, "posting to channel "+channel)
		if pe != nil {
			if i > 0 && !pe.Unknown {
				pe = &bot.PostError{Unknown: true, Err: fmt.Errorf("%w; the first %d of its %d messages went out", pe.Err, i, len(parts))}
			}
			p.log.Warn("posting to a discord channel failed", "channel", channel, "part", i+1, "permanent", pe.Permanent, "unknown", pe.Unknown, "retry_after", pe.RetryAfter, "err", pe.Err)
			return pe
		}
		if i == 0 {
			first = id
		}
	}
	if !reply.Thread {
		return nil
	}
	if err := p.thread(ctx, channel, first, key, reply); err != nil {
		p.log.Warn("a daily post went out, but its thread could not be opened or filled", "channel", channel, "message", first, "err", err.Err)
		return err
	}
	return nil
}

// Threads a post opens: named for the pick, within Discord's limit, and
// archived after a day without messages.
const (
	maxThreadName        = 100
	threadArchiveMinutes = 1440
)

// Discord's JSON error codes that decide a thread's fate.
const (
	codeThreadExists = 160004 // the message has a thread already
	codeChannelType  = 50024  // the channel cannot have threads
)

const (
	hintThreadPermissions = "give industrybot Create Public Threads and Send Messages in Threads in this channel"
	hintThreadChannel     = "this channel cannot have threads (it is a thread, a forum or a voice channel): subscribe the channel without thread"
	hintThreadGone        = "the post or its thread was deleted before the commentary went in"
	hintPing              = "mention a role by its id, or as @role in /daily subscribe; fix daily.channels mention or subscribe the channel again"
)

// snowflake is the shape of a Discord id.
var snowflake = regexp.MustCompile(`^[0-9]{1,20}$`)

// thread starts a thread on the post's first message, whose id is the
// thread's, and posts the pick's whole commentary there, each message
// with a nonce of its own so that a copy sent again is dropped. A thread
// the message has already (an earlier attempt opened it) is filled all
// the same.
func (p *Poster) thread(ctx context.Context, channel, messageID, key string, reply bot.Reply) *bot.FollowUpError {
	if len(reply.Picks) == 0 || reply.Picks[0].Title == nil {
		return &bot.FollowUpError{Err: errors.New("the thread was not opened: the post has no pick to open it on")}
	}
	title := reply.Picks[0].Title
	rec := &lastResponse{}
	tctx, trace := sendtrace.With(ctx)
	_, err := p.s.MessageThreadStartComplex(channel, messageID,
		&discordgo.ThreadStart{Name: threadName(title.Title), AutoArchiveDuration: threadArchiveMinutes},
		p.options(tctx, rec)...)
	if code := threadCode(err); err != nil && code != codeThreadExists {
		pe := classify("discord: starting a thread on message "+messageID+" in channel "+channel, err, rec, trace)
		return followUp("the thread could not be opened", pe, code)
	}
	parts := render(bot.Reply{Commentary: title, Attribution: reply.Attribution})
	for i, m := range parts {
		if _, pe := p.send(ctx, messageID, Nonce(key+"/thread", i), m, noMentions(), "posting to thread "+messageID+" of channel "+channel); pe != nil {
			what := "the thread opened, but its commentary could not be posted"
			if i > 0 {
				what = fmt.Sprintf("the thread opened, but only %d of the %d messages of its commentary were posted", i, len(parts))
			}
			return followUp(what, pe, 0)
		}
	}
	return nil
}

// followUp is the FollowUpError of a thread that failed as pe says, with
// Discord's error code: what failed, Discord's answer, and what to do
// when retrying cannot help, said for a thread rather than for a post.
func followUp(what string, pe *bot.PostError, code int) *bot.FollowUpError {
	if !pe.Permanent {
		if pe.Unknown {
			return &bot.FollowUpError{Err: fmt.Errorf("%s: %w (it may have gone through)", what, pe.Err)}
		}
		return &bot.FollowUpError{Err: fmt.Errorf("%s: %w", what, pe.Err)}
	}
	hint := pe.Hint
	switch {
	case code == codeChannelType:
		hint = hintThreadChannel
	case pe.Hint == hintPermissions || pe.Hint == hintMissingAccess: // a 403
		hint = hintThreadPermissions
	case pe.Hint == hintUnknownChannel: // a 404
		hint = hintThreadGone
	}
	return &bot.FollowUpError{Err: fmt.Errorf("%s: %w (%s)", what, pe.Err, hint)}
}

// threadCode is Discord's JSON error code in err, 0 if none.
func threadCode(err error) int {
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Message != nil {
		return re.Message.Code
	}
	return 0
}

// threadName is a thread's name for a pick: its title, cut to Discord's
// limit at a word.
func threadName(title string) string {
	if name := clip(title, maxThreadName); name != "" {
		return name
	}
	return "Today's pick"
}

// options are the request options of every call of a post: its context,
// a client that records the last response in rec, and no retries of
// discordgo's own.
func (p *Poster) options(ctx context.Context, rec *lastResponse) []discordgo.RequestOption {
	next := p.s.Client.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	client := &http.Client{Transport: &recorder{next: next, last: rec}, Timeout: p.s.Client.Timeout}
	return []discordgo.RequestOption{discordgo.WithContext(ctx), discordgo.WithClient(client),
		discordgo.WithRetryOnRatelimit(false), discordgo.WithRestRetries(0)}
}

// send posts m to channel with the nonce, enforced, and the mentions
// allowed, and returns the message's id, or a failure whose text begins
// "discord: " and what.
func (p *Poster) send(ctx context.Context, channel, nonce string, m message, mentions *discordgo.MessageAllowedMentions, what string) (string, *bot.PostError) {
	for _, e := range m.Embeds {
		if e.Type == "" {
			e.Type = discordgo.EmbedTypeRich // as discordgo's ChannelMessageSendComplex does
		}
	}
	send := nonceMessage{
		MessageSend:  &discordgo.MessageSend{Content: m.Content, Embeds: m.Embeds, Components: m.Components, AllowedMentions: mentions},
		Nonce:        nonce,
		EnforceNonce: true,
	}
	rec := &lastResponse{}
	tctx, trace := sendtrace.With(ctx)
	endpoint := discordgo.EndpointChannelMessages(channel)
	body, err := p.s.RequestWithBucketID(http.MethodPost, endpoint, send, endpoint, p.options(tctx, rec)...)
	var msg discordgo.Message
	if err == nil {
		if err = json.Unmarshal(body, &msg); err == nil && msg.ID == "" {
			err = errors.New("the answer names no message")
		}
	}
	if err != nil {
		return "", classify("discord: "+what, err, rec, trace)
	}
	return msg.ID, nil
}

// nonceMessage is a message with a nonce Discord enforces, which
// discordgo's MessageSend does not carry.
type nonceMessage struct {
	*discordgo.MessageSend
	Nonce        string `json:"nonce"`
	EnforceNonce bool   `json:"enforce_nonce"`
}

// Nonce is the nonce of part (from 0) of the post named key: 25
// characters, Discord's most, the same for every attempt at it.
func Nonce(key string, part int) string {
	sum := sha256.Sum256([]byte(key + "#" + strconv.Itoa(part)))
	return "ib" + hex.EncodeToString(sum[:])[:23]
}

// Look implements bot.Poster: Discord has no way to find a message by its
// nonce, and reading a channel's history needs a permission the bot does
// not ask for. A post in doubt is sent again within NonceWindow instead.
func (p *Poster) Look(context.Context, string, string, time.Time) (bool, error) {
	return false, fmt.Errorf("%w: Discord offers no way to find a message by its nonce once its few minutes have passed", bot.ErrCannotLook)
}

// Dedup implements bot.Poster: NonceWindow.
func (p *Poster) Dedup() time.Duration { return NonceWindow }

// lastResponse is the status and Retry-After of the last response to one
// post: discordgo does not return them for every failure (a 429 whose body
// is not JSON, a 502 after its retries).
type lastResponse struct {
	mu         sync.Mutex
	status     int
	retryAfter time.Duration
	global     bool // the 429 is the bot's global limit, not the route's
}

type recorder struct {
	next http.RoundTripper
	last *lastResponse
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.next.RoundTrip(req)
	if resp != nil {
		r.last.mu.Lock()
		r.last.status = resp.StatusCode
		r.last.retryAfter = 0
		r.last.global = resp.Header.Get("X-RateLimit-Global") == "true" || resp.Header.Get("X-RateLimit-Scope") == "global"
		if s, err := strconv.ParseFloat(resp.Header.Get("Retry-After"), 64); err == nil && s > 0 {
			r.last.retryAfter = time.Duration(s * float64(time.Second))
		}
		r.last.mu.Unlock()
	}
	return resp, err
}

// Discord's JSON error codes that decide a post's fate.
const (
	codeUnknownChannel     = 10003
	codeMissingAccess      = 50001
	codeMissingPermissions = 50013
)

const (
	hintUnknownChannel = "the channel was deleted, or its id is wrong: unsubscribe it (/daily unsubscribe) or fix daily.channels"
	hintMissingAccess  = "the bot cannot see the channel: invite it to the server (industrybot discord invite) and give it View Channel there"
	hintPermissions    = "grant the bot View Channel, Send Messages and Embed Links in the channel"
	hintToken          = "Discord refused the bot token: copy it again from the Developer Portal (Bot → Reset Token) into INDUSTRYBOT_DISCORD_TOKEN"
)

// classify turns a failed request into a *bot.PostError. Its text is
// what ("discord: posting to channel 123"), the status and Discord's
// code, never the token.
func classify(what string, err error, rec *lastResponse, trace *sendtrace.Trace) *bot.PostError {
	rec.mu.Lock()
	status, headerRetry, global := rec.status, rec.retryAfter, rec.global
	rec.mu.Unlock()
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}

	var rl *discordgo.RateLimitError
	if errors.As(err, &rl) {
		wait := headerRetry
		if rl.TooManyRequests != nil && rl.TooManyRequests.RetryAfter > 0 {
			wait = rl.TooManyRequests.RetryAfter
		}
		if wait <= 0 {
			wait = defaultRetryAfter
		}
		return &bot.PostError{RetryAfter: wait, Global: global, Err: fmt.Errorf("%s: rate limited (HTTP 429)", what)}
	}
	code, text := 0, ""
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Response != nil {
		status = re.Response.StatusCode
		if re.Message != nil {
			code, text = re.Message.Code, re.Message.Message
		}
	}
	switch {
	case status == 0 && trace.Written(), status/100 == 2:
		// Sent, and no answer, or one cut short: Discord may have it.
		return &bot.PostError{Unknown: true, Err: fmt.Errorf("%s: no answer to the request sent: %w", what, err)}
	case status == 0:
		// Not sent: a network failure or a cancelled context.
		return &bot.PostError{Err: fmt.Errorf("%s: %w", what, err)}
	case status == http.StatusTooManyRequests:
		wait := headerRetry
		if wait <= 0 {
			wait = defaultRetryAfter
		}
		return &bot.PostError{RetryAfter: wait, Global: global, Err: fmt.Errorf("%s: rate limited (HTTP 429)", what)}
	case status >= 500:
		return &bot.PostError{Err: fmt.Errorf("%s: HTTP %d: Discord failed; it may pass", what, status)}
	}
	e := fmt.Errorf("%s: HTTP %d", what, status)
	if code != 0 {
		e = fmt.Errorf("%s: HTTP %d, code %d %s", what, status, code, text)
	}
	pe := &bot.PostError{Permanent: true, Err: e}
	switch {
	case code == codeUnknownChannel || status == http.StatusNotFound:
		pe.Hint = hintUnknownChannel
	case code == codeMissingAccess:
		pe.Hint = hintMissingAccess
	case code == codeMissingPermissions || status == http.StatusForbidden:
		pe.Hint = hintPermissions
	case status == http.StatusUnauthorized:
		pe.Hint = hintToken
	default:
		pe.Hint = "Discord refused the message; retrying will not help: report it with this error"
	}
	return pe
}
