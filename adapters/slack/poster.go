package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/industrybot/industrybot/bot"
	"github.com/industrybot/industrybot/internal/sendtrace"
)

// MinRetryAfter is the least wait a rate-limited post reports: Slack allows
// about one message a second in a channel.
const MinRetryAfter = time.Second

// PosterConfig is what a Poster needs.
type PosterConfig struct {
	BotToken   string       // xoxb-…, required
	APIURL     string       // base URL of the Web API; default https://slack.com/api/
	HTTPClient *http.Client // default: a client with a 30s timeout
	Logger     *slog.Logger // default: discard
}

// Poster implements bot.Poster on Slack: chat.postMessage with the bot
// token, the reply rendered as for a slash command (blocks, buttons and the
// plain-text fallback) with metadata naming the post, and
// conversations.history to look for a post whose answer was lost. It does
// not pace itself; a 429 comes back as a *bot.PostError with RetryAfter.
type Poster struct {
	api   *slackapi.Client
	token string
}

var _ bot.Poster = (*Poster)(nil)

// NewPoster returns a Poster, or an error when the bot token is missing.
func NewPoster(c PosterConfig) (*Poster, error) {
	if c.BotToken == "" {
		return nil, errors.New("slack: posting needs a bot token (slack.bot_token, xoxb-…)")
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	api := slackapi.New(c.BotToken,
		slackapi.OptionAPIURL(APIURL(c.APIURL)),
		slackapi.OptionHTTPClient(c.HTTPClient),
		slackapi.OptionLog(slog.NewLogLogger(c.Logger.Handler(), slog.LevelDebug)),
	)
	return &Poster{api: api, token: c.BotToken}, nil
}

// MetadataEventType is the event_type of the metadata a daily post
// carries; its event_payload's "key" names the post.
const MetadataEventType = "industrybot_daily"

// Post sends reply to channel (a channel id such as C0123ABCD) as the post
// named key, which the message carries in its metadata so that Look can
// find it. A failure is a *bot.PostError:
//
//   - Permanent, with a Hint saying what to do, when the channel is unknown
//     or archived, the bot is not in it, the token lacks a scope or is no
//     longer valid, or Slack refuses the message itself;
//   - RetryAfter (at least MinRetryAfter) when Slack rate-limits the post;
//   - Unknown when the request was sent and no answer came back (the
//     connection broke, or the answer was slower than the client's
//     timeout): Slack may have posted it;
//   - none of these for a server error, a network error before sending or
//     an ended ctx, which retrying may cure.
//
// Its text never holds the token.
func (p *Poster) Post(ctx context.Context, channel, key string, reply bot.Reply) error {
	m := Render(reply)
	tctx, trace := sendtrace.With(ctx)
	_, _, err := p.api.PostMessageContext(tctx, channel,
		slackapi.MsgOptionText(m.Text, false),
		slackapi.MsgOptionBlocks(m.Blocks...),
		slackapi.MsgOptionMetadata(slackapi.SlackMetadata{EventType: MetadataEventType, EventPayload: map[string]any{"key": key}}),
	)
	if err == nil {
		return nil
	}
	pe := classify(scrub(fmt.Errorf("slack: chat.postMessage to channel %s: %w", channel, err), p.token))
	if trace.Written() && !pe.Permanent && pe.RetryAfter == 0 && !answered(err) {
		pe.Unknown = true
	}
	return pe
}

// answered reports whether err is an answer of Slack's: a status it
// returned or an error it named.
func answered(err error) bool {
	var sc slackapi.StatusCodeError
	var se slackapi.SlackErrorResponse
	var rl *slackapi.RateLimitedError
	return errors.As(err, &sc) || errors.As(err, &se) || errors.As(err, &rl)
}

// How far Look reads a channel's history: from a little before the send
// began (clocks disagree), a page of lookPage messages at a time, up to
// lookPages pages.
const (
	lookBack  = 15 * time.Minute
	lookPage  = 200
	lookPages = 5
)

const hintHistory = "the bot cannot read the channel's history to look for a post whose answer was lost: add the channels:history and groups:history scopes (industrybot slack manifest --history) and reinstall the app, and invite the bot to the channel"

// Look implements bot.Poster: it reads channel's history since a little
// before since (conversations.history, with the messages' metadata) for
// the post named key. It cannot look (an error wrapping bot.ErrCannotLook)
// without the channels:history or groups:history scope, outside the
// channel, or past lookPages pages of messages; other failures are
// *bot.PostError.
func (p *Poster) Look(ctx context.Context, channel, key string, since time.Time) (bool, error) {
	params := &slackapi.GetConversationHistoryParameters{ChannelID: channel, Limit: lookPage, IncludeAllMetadata: true, Inclusive: true}
	if !since.IsZero() {
		from := since.Add(-lookBack)
		params.Oldest = fmt.Sprintf("%d.%06d", from.Unix(), from.Nanosecond()/1000)
	}
	for range lookPages {
		resp, err := p.api.GetConversationHistoryContext(ctx, params)
		if err != nil {
			pe := classify(scrub(fmt.Errorf("slack: conversations.history of channel %s: %w", channel, err), p.token))
			if pe.Permanent {
				return false, fmt.Errorf("%w: %v (%s)", bot.ErrCannotLook, pe.Err, hintHistory)
			}
			return false, pe
		}
		for _, m := range resp.Messages {
			if m.Metadata.EventType == MetadataEventType && m.Metadata.EventPayload["key"] == key {
				return true, nil
			}
		}
		if !resp.HasMore || resp.ResponseMetaData.NextCursor == "" {
			return false, nil
		}
		params.Cursor = resp.ResponseMetaData.NextCursor
	}
	return false, fmt.Errorf("%w: channel %s has more than %d messages since the post was sent", bot.ErrCannotLook, channel, lookPage*lookPages)
}

// Dedup implements bot.Poster: Slack has no idempotency key, so a post in
// doubt is looked for before it is sent again.
func (p *Poster) Dedup() time.Duration { return 0 }

// classify says whether a failed call is worth retrying, and what an
// operator should do when it is not.
func classify(err error) *bot.PostError {
	var rl *slackapi.RateLimitedError
	if errors.As(err, &rl) {
		return &bot.PostError{RetryAfter: max(rl.RetryAfter, MinRetryAfter), Err: err}
	}
	var sc slackapi.StatusCodeError
	if errors.As(err, &sc) {
		switch {
		case sc.Code == http.StatusTooManyRequests:
			return &bot.PostError{RetryAfter: MinRetryAfter, Err: err}
		case sc.Code >= 500:
			return &bot.PostError{Err: err}
		}
		return &bot.PostError{Permanent: true, Err: err,
			Hint: fmt.Sprintf("Slack answered HTTP %d: check slack.api_url, which should be Slack's Web API (https://slack.com/api/) or a proxy of it", sc.Code)}
	}
	var se slackapi.SlackErrorResponse
	if !errors.As(err, &se) {
		return &bot.PostError{Err: err} // network, timeout, ctx: may pass
	}
	if hint, ok := permanentHints[se.Err]; ok {
		if se.Err == "missing_scope" && se.Needed != "" {
			hint = fmt.Sprintf("the bot token lacks the %s scope: add it on the app's OAuth & Permissions page (or recreate the app from `industrybot slack manifest`) and reinstall the app", se.Needed)
		}
		return &bot.PostError{Permanent: true, Hint: hint, Err: err}
	}
	switch se.Err {
	case "ratelimited", "rate_limited", "message_limit_exceeded":
		return &bot.PostError{RetryAfter: MinRetryAfter, Err: err}
	}
	return &bot.PostError{Err: err} // internal_error, service_unavailable, request_timeout, fatal_error, unknown codes
}

const (
	hintReinstall = "slack.bot_token is no longer valid: reinstall the app to the workspace and set INDUSTRYBOT_SLACK_BOT_TOKEN to its new Bot User OAuth Token (xoxb-…)"
	hintBug       = "Slack refused the message itself; this is a bug in industrybot: please report it with the log line"
)

// permanentHints are the chat.postMessage errors that no retry cures, and
// what to do about each.
var permanentHints = map[string]string{
	"channel_not_found":                        "no channel with this id is visible to the bot: check the channel id (in Slack, channel details → the id at the bottom); for a private channel, /invite the bot into it",
	"not_in_channel":                           "the bot is not in the channel: /invite the bot into it, or add the chat:write.public scope (industrybot slack manifest --chat-write-public) and reinstall the app to post in public channels without an invitation",
	"is_archived":                              "the channel is archived: unarchive it, or unsubscribe it from daily picks",
	"missing_scope":                            "the bot token lacks a scope it needs (chat:write; chat:write.public for channels the bot is not in): add it on the app's OAuth & Permissions page and reinstall the app",
	"account_inactive":                         hintReinstall,
	"invalid_auth":                             hintReinstall,
	"not_authed":                               "no bot token was sent: set slack.bot_token (INDUSTRYBOT_SLACK_BOT_TOKEN)",
	"token_revoked":                            hintReinstall,
	"token_expired":                            hintReinstall,
	"no_permission":                            "the workspace does not let the bot post here: ask a workspace admin",
	"restricted_action":                        "a workspace setting keeps the bot from posting in this channel: ask a workspace admin",
	"restricted_action_read_only_channel":      "the channel is read-only: pick another channel",
	"restricted_action_thread_only_channel":    "the channel takes only thread replies: pick another channel",
	"restricted_action_non_threadable_channel": "a workspace setting keeps the bot from posting in this channel: ask a workspace admin",
	"ekm_access_denied":                        "the workspace's key management denies access: ask a workspace admin",
	"team_access_not_granted":                  "the app is not installed for the workspace this channel belongs to: install it there",
	"msg_too_long":                             hintBug,
	"no_text":                                  hintBug,
	"invalid_blocks":                           hintBug,
	"invalid_blocks_format":                    hintBug,
	"invalid_arguments":                        hintBug,
	"invalid_form_data":                        hintBug,
	"too_many_attachments":                     hintBug,
}
