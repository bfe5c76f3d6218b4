package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"time"
	"unicode/utf8"

	slackapi "github.com/slack-go/slack"

	"github.com/industrybot/industrybot/bot"
	"github.com/industrybot/industrybot/internal/sendtrace"
)

// MinRetryAfter is the least wait a rate-limited post reports: Slack allows
// about one message a second in a channel.
const MinRetryAfter = time.Second

// PosterConfig is what a Poster needs: a bot token, Installs, or both.
type PosterConfig struct {
	BotToken string // xoxb-…: posts to channels keyed by their bare ids
	// Installs posts to the channels of workspaces installed through
	// OAuth, keyed ChannelKey(tenant, channel), with each one's token.
	Installs   *Installs
	APIURL     string       // base URL of the Web API; default https://slack.com/api/
	HTTPClient *http.Client // default: a client with a 30s timeout
	Logger     *slog.Logger // default: discard
}

// Poster implements bot.Poster on Slack: chat.postMessage with the bot
// token of the channel's workspace, the reply rendered as for a slash
// command (blocks, buttons and the plain-text fallback) with metadata
// naming the post, and conversations.history to look for a post whose
// answer was lost. It does not pace itself; a 429 comes back as a
// *bot.PostError with RetryAfter.
type Poster struct {
	api   *slackapi.Client // with the static token; nil without one
	token string
	inst  *Installs
	opts  []slackapi.Option
}

var _ bot.Poster = (*Poster)(nil)

// NewPoster returns a Poster, or an error when it has neither a bot token
// nor Installs.
func NewPoster(c PosterConfig) (*Poster, error) {
	if c.BotToken == "" && c.Installs == nil {
		return nil, errors.New("slack: posting needs a bot token (slack.bot_token, xoxb-…)")
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	p := &Poster{token: c.BotToken, inst: c.Installs, opts: []slackapi.Option{
		slackapi.OptionAPIURL(APIURL(c.APIURL)),
		slackapi.OptionHTTPClient(c.HTTPClient),
		slackapi.OptionLog(slog.NewLogLogger(c.Logger.Handler(), slog.LevelDebug)),
	}}
	if c.BotToken != "" {
		p.api = slackapi.New(c.BotToken, p.opts...)
	}
	return p, nil
}

// client returns the Web API client for the workspace of a channel key,
// the channel's own id, and the token to keep out of errors; a failure is
// a *bot.PostError.
func (p *Poster) client(ctx context.Context, key string) (*slackapi.Client, string, string, error) {
	tenant, id := splitChannel(key)
	if tenant == "" {
		if p.api == nil {
			return nil, "", "", &bot.PostError{Permanent: true, Err: fmt.Errorf("slack: channel %s belongs to no installed workspace", key),
				Hint: "set slack.bot_token (INDUSTRYBOT_SLACK_BOT_TOKEN) to post to the channels of its workspace"}
		}
		return p.api, id, p.token, nil
	}
	if p.inst == nil {
		return nil, "", "", &bot.PostError{Permanent: true, Err: fmt.Errorf("slack: channel %s is in workspace %s, installed through OAuth", id, tenant),
			Hint: "set slack.client_id and slack.client_secret to post to workspaces installed through OAuth"}
	}
	tok, err := p.inst.Token(ctx, tenant)
	switch {
	case errors.Is(err, ErrNotInstalled):
		return nil, "", "", &bot.PostError{Permanent: true, Err: fmt.Errorf("slack: workspace %s of channel %s: %w", tenant, id, err), Hint: p.hintInstall()}
	case err != nil:
		return nil, "", "", &bot.PostError{Err: fmt.Errorf("slack: the token of workspace %s: %w", tenant, err)}
	}
	return slackapi.New(tok, p.opts...), id, tok, nil
}

// hintInstall says how to install the app again to a workspace.
func (p *Poster) hintInstall() string {
	return "the app is not installed in the channel's workspace (any more): install it there again at " + p.inst.InstallURL()
}

// classify says whether a failed call to the workspace of key is worth
// retrying: for a workspace installed through OAuth, a refused token
// means installing again, not setting slack.bot_token.
func (p *Poster) classify(key string, err error) *bot.PostError {
	pe := classify(err)
	if tenant, _ := splitChannel(key); tenant != "" && pe.Hint == hintReinstall {
		pe.Hint = p.hintInstall()
	}
	return pe
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
// With reply.Ping, the message starts with that user group's mention.
// With reply.Thread, once the post is out, the pick's whole commentary,
// as /why lays it out, follows as replies in the post's thread; when they
// fail, the post being out, Post returns a *bot.FollowUpError saying what
// failed. Its text never holds the token.
func (p *Poster) Post(ctx context.Context, channel, key string, reply bot.Reply) error {
	if reply.Ping != "" && !userGroupID.MatchString(reply.Ping) {
		return &bot.PostError{Permanent: true, Err: fmt.Errorf("slack: the post's mention %q is not a user group id", reply.Ping), Hint: hintPing}
	}
	m := Render(reply)
	if reply.Ping != "" {
		m = mention(m, reply.Ping)
	}
	api, id, tok, err := p.client(ctx, channel)
	if err != nil {
		return err
	}
	tctx, trace := sendtrace.With(ctx)
	_, ts, err := api.PostMessageContext(tctx, id,
		slackapi.MsgOptionText(m.Text, false),
		slackapi.MsgOptionBlocks(m.Blocks...),
		slackapi.MsgOptionMetadata(slackapi.SlackMetadata{EventType: MetadataEventType, EventPayload: map[string]any{"key": key}}),
	)
	if err != nil {
		pe := p.classify(channel, scrub(fmt.Errorf("slack: chat.postMessage to channel %s: %w", channel, err), p.token, tok))
		if trace.Written() && !pe.Permanent && pe.RetryAfter == 0 && !answered(err) {
			pe.Unknown = true
		}
		return pe
	}
	if reply.Thread {
		if fe := p.thread(ctx, api, id, tok, ts, reply); fe != nil {
			return fe
		}
	}
	return nil
}

// userGroupID is the shape of a Slack user group's id.
var userGroupID = regexp.MustCompile(`^S[A-Z0-9]{2,}$`)

const hintPing = "mention a user group by its id (S…), or as @group in /daily subscribe; fix daily.channels mention or subscribe the channel again"

// mention starts m, its notification text and its first block, with the
// mention of the user group id: in the first section when it has room,
// else in a section of its own before it.
func mention(m Message, id string) Message {
	at := "<!subteam^" + id + ">"
	m.Text = at + " " + m.Text
	if len(m.Blocks) > 0 {
		if sec, ok := m.Blocks[0].(*slackapi.SectionBlock); ok && sec.Text != nil && sec.Text.Type == slackapi.MarkdownType &&
			utf8.RuneCountInString(at)+1+utf8.RuneCountInString(sec.Text.Text) <= maxText {
			text := *sec.Text
			text.Text = at + " " + text.Text
			first := *sec
			first.Text = &text
			m.Blocks = append([]slackapi.Block{&first}, m.Blocks[1:]...)
			return m
		}
	}
	lead := slackapi.NewSectionBlock(slackapi.NewTextBlockObject(slackapi.MarkdownType, at, false, false), nil, nil, slackapi.SectionBlockOptionBlockID(blockMention))
	m.Blocks = append([]slackapi.Block{lead}, m.Blocks...)
	return m
}

// blockMention is the block id of a section that holds a post's mention
// alone.
const blockMention = "mention"

// thread posts the pick's whole commentary as replies in the thread of
// the message whose ts is ts: as many messages as Messages makes of it.
func (p *Poster) thread(ctx context.Context, api *slackapi.Client, channel, tok, ts string, reply bot.Reply) *bot.FollowUpError {
	if len(reply.Picks) == 0 || reply.Picks[0].Title == nil {
		return &bot.FollowUpError{Err: errors.New("the thread was not opened: the post has no pick to open it on")}
	}
	if ts == "" {
		return &bot.FollowUpError{Err: errors.New("the thread could not be opened: Slack named no ts for the post")}
	}
	msgs := Messages(bot.Reply{Commentary: reply.Picks[0].Title, Attribution: reply.Attribution})
	for i, m := range msgs {
		tctx, trace := sendtrace.With(ctx)
		_, _, err := api.PostMessageContext(tctx, channel,
			slackapi.MsgOptionText(m.Text, false),
			slackapi.MsgOptionBlocks(m.Blocks...),
			slackapi.MsgOptionTS(ts),
		)
		if err == nil {
			continue
		}
		pe := classify(scrub(fmt.Errorf("slack: chat.postMessage to the thread of message %s in channel %s: %w", ts, channel, err), p.token, tok))
		what := "the thread could not be opened"
		if i > 0 {
			what = fmt.Sprintf("the thread opened, but only %d of the %d messages of its commentary were posted", i, len(msgs))
		}
		switch {
		case pe.Permanent:
			return &bot.FollowUpError{Err: fmt.Errorf("%s: %w (%s)", what, pe.Err, pe.Hint)}
		case trace.Written() && pe.RetryAfter == 0 && !answered(err):
			return &bot.FollowUpError{Err: fmt.Errorf("%s: %w (it may have gone through)", what, pe.Err)}
		}
		return &bot.FollowUpError{Err: fmt.Errorf("%s: %w", what, pe.Err)}
	}
	return nil
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
	api, id, tok, err := p.client(ctx, channel)
	if err != nil {
		if pe, ok := errors.AsType[*bot.PostError](err); ok && pe.Permanent {
			return false, fmt.Errorf("%w: %v (%s)", bot.ErrCannotLook, pe.Err, pe.Hint)
		}
		return false, err
	}
	params := &slackapi.GetConversationHistoryParameters{ChannelID: id, Limit: lookPage, IncludeAllMetadata: true, Inclusive: true}
	if !since.IsZero() {
		from := since.Add(-lookBack)
		params.Oldest = fmt.Sprintf("%d.%06d", from.Unix(), from.Nanosecond()/1000)
	}
	for range lookPages {
		resp, err := api.GetConversationHistoryContext(ctx, params)
		if err != nil {
			pe := p.classify(channel, scrub(fmt.Errorf("slack: conversations.history of channel %s: %w", channel, err), p.token, tok))
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
