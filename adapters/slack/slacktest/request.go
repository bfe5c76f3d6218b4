package slacktest

import (
	"bytes"
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	slackapi "github.com/slack-go/slack"
)

// Sign returns the X-Slack-Signature Slack sends with body at timestamp ts
// (Unix seconds, as in X-Slack-Request-Timestamp):
// "v0=" + hex(HMAC-SHA256(secret, "v0:" + ts + ":" + body)).
func Sign(secret, ts string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + ts + ":"))
	mac.Write(body)
	return "v0=" + hex.EncodeToString(mac.Sum(nil))
}

// SignedRequest returns the POST Slack sends to target: body as a form,
// timestamped at and signed with secret.
func SignedRequest(ctx context.Context, target, secret string, at time.Time, body []byte) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	ts := strconv.FormatInt(at.Unix(), 10)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", Sign(secret, ts, body))
	return req, nil
}

// CommandForm is the form Slack POSTs for a slash command.
func CommandForm(c slackapi.SlashCommand) url.Values {
	f := url.Values{
		"token":        {"verification-token-unused"},
		"team_id":      {c.TeamID},
		"team_domain":  {c.TeamDomain},
		"channel_id":   {c.ChannelID},
		"channel_name": {c.ChannelName},
		"user_id":      {c.UserID},
		"user_name":    {c.UserName},
		"command":      {c.Command},
		"text":         {c.Text},
		"response_url": {c.ResponseURL},
		"trigger_id":   {c.TriggerID},
		"api_app_id":   {c.APIAppID},
	}
	if f.Get("team_id") == "" {
		f.Set("team_id", TeamID)
	}
	if c.EnterpriseID != "" {
		f.Set("enterprise_id", c.EnterpriseID)
		f.Set("enterprise_name", c.EnterpriseName)
	}
	if c.IsEnterpriseInstall {
		f.Set("is_enterprise_install", "true")
	}
	if f.Get("api_app_id") == "" {
		f.Set("api_app_id", AppID)
	}
	return f
}

// InteractionForm is the form Slack POSTs for an interaction.
func InteractionForm(payload json.RawMessage) url.Values {
	return url.Values{"payload": {string(payload)}}
}

// Button is a button of a message.
type Button struct {
	BlockID  string
	ActionID string
	Label    string
	Value    string
}

// Press is a click on a button.
type Press struct {
	Button
	Team        string // the workspace; default TeamID
	Channel     string // where the message is
	User        string // who clicked: a user id
	UserName    string
	MessageTS   string // the message the button is on
	Ephemeral   bool   // the message was seen only by the user
	ResponseURL string
	Blocks      slackapi.Blocks // the message's blocks, when the test cares
}

// BlockActionsPayload is the block_actions payload Slack sends for a
// press, shaped as Slack's.
func BlockActionsPayload(p Press) json.RawMessage {
	ts := p.MessageTS
	if ts == "" {
		ts = "1700000000.000001"
	}
	message := map[string]any{"type": "message", "ts": ts, "bot_id": "B0BOT", "text": ""}
	if len(p.Blocks.BlockSet) > 0 {
		message["blocks"] = p.Blocks
	}
	team := cmp.Or(p.Team, TeamID)
	payload := map[string]any{
		"type":         "block_actions",
		"team":         map[string]any{"id": team, "domain": "slacktest"},
		"user":         map[string]any{"id": p.User, "username": p.UserName, "name": p.UserName, "team_id": team},
		"api_app_id":   AppID,
		"token":        "verification-token-unused",
		"container":    map[string]any{"type": "message", "message_ts": ts, "channel_id": p.Channel, "is_ephemeral": p.Ephemeral},
		"trigger_id":   "trigger-" + strconv.FormatInt(time.Now().UnixNano(), 10),
		"channel":      map[string]any{"id": p.Channel, "name": "general"},
		"message":      message,
		"state":        map[string]any{"values": map[string]any{}},
		"response_url": p.ResponseURL,
		"actions": []any{map[string]any{
			"type": "button", "action_id": p.ActionID, "block_id": p.BlockID, "value": p.Value,
			"text":      map[string]any{"type": "plain_text", "text": p.Label, "emoji": true},
			"action_ts": strconv.FormatInt(time.Now().Unix(), 10) + ".000001",
		}},
	}
	body, _ := json.Marshal(payload) // maps of strings and bools always encode
	return body
}

// PlainText is every word blocks show, in order, one text object a line:
// sections, context and headers, with mrkdwn markup removed (bold
// asterisks, &amp; escapes, <url|label> links). Buttons are left to Buttons.
func PlainText(blocks slackapi.Blocks) string {
	var lines []string
	add := func(t *slackapi.TextBlockObject) {
		if t == nil || t.Text == "" {
			return
		}
		if t.Type == slackapi.MarkdownType {
			lines = append(lines, unmrkdwn(t.Text))
			return
		}
		lines = append(lines, t.Text)
	}
	for _, b := range blocks.BlockSet {
		switch b := b.(type) {
		case *slackapi.SectionBlock:
			add(b.Text)
			for _, f := range b.Fields {
				add(f)
			}
		case *slackapi.ContextBlock:
			for _, e := range b.ContextElements.Elements {
				if t, ok := e.(*slackapi.TextBlockObject); ok {
					add(t)
				}
			}
		case *slackapi.HeaderBlock:
			add(b.Text)
		}
	}
	return strings.Join(lines, "\n")
}

// Buttons lists the buttons of blocks, in order.
func Buttons(blocks slackapi.Blocks) []Button {
	var out []Button
	for _, b := range blocks.BlockSet {
		ab, ok := b.(*slackapi.ActionBlock)
		if !ok || ab.Elements == nil {
			continue
		}
		for _, e := range ab.Elements.ElementSet {
			if btn, ok := e.(*slackapi.ButtonBlockElement); ok {
				label := ""
				if btn.Text != nil {
					label = btn.Text.Text
				}
				out = append(out, Button{BlockID: ab.BlockID, ActionID: btn.ActionID, Label: label, Value: btn.Value})
			}
		}
	}
	return out
}

// unmrkdwn removes the markup of Slack's mrkdwn.
func unmrkdwn(s string) string {
	var b strings.Builder
	for len(s) > 0 {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			b.WriteString(s)
			break
		}
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		link := s[i+1 : i+j]
		if _, label, ok := strings.Cut(link, "|"); ok {
			link = label
		}
		b.WriteString(link)
		s = s[i+j+1:]
	}
	out := strings.ReplaceAll(b.String(), "*", "")
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(out)
}
