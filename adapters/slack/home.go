package slack

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	slackapi "github.com/slack-go/slack"

	"github.com/industrybot/industrybot/bot"
)

// Daily is what the App Home shows of a workspace's daily picks: the
// subscriptions, and where each stands. The core's *bot.Scheduler with its
// store, as cmd wires them, is one.
type Daily interface {
	ListSubscriptions(ctx context.Context) ([]bot.Subscription, error)
	Status(ctx context.Context, ch bot.ChannelKey) (bot.Status, error)
}

// Home tab limits: Slack takes at most 100 blocks in a view, and the
// Home shows at most maxHomeChannels daily channels.
const (
	maxViewBlocks   = 100
	maxHomeChannels = 20
)

// Block ids of the Home tab's own parts; the answer shown in it keeps the
// renderer's.
const (
	blockHomeHeader  = "home-header"
	blockHomeButtons = "home-buttons"
	blockHomeDaily   = "home-daily"
)

// onHome reports whether a press came from the App Home tab, which
// carries no channel, message or response_url.
func onHome(ic slackapi.InteractionCallback) bool {
	return ic.Container.Type == "view" && ic.View.Type == slackapi.VTHomeTab
}

// homeChannel is the channel the core remembers a user's Home tab by,
// so that Another there skips what the Home showed.
func homeChannel(user string) string { return "home-" + user }

// pressHome answers a press in the Home tab: the Home is published again
// with the answer in place of what it showed.
func (a *Adapter) pressHome(ctx context.Context, ic slackapi.InteractionCallback) {
	team, enterprise, orgWide := pressTeam(ic)
	ws, err := a.workspace(ctx, team, enterprise, orgWide)
	if err != nil {
		a.log.Warn("slack: a press in the Home tab of a workspace the app cannot act in", "team", team, "err", err)
		return
	}
	for _, act := range ic.ActionCallback.BlockActions {
		req, err := bot.ParseAction(act.Value)
		if err != nil {
			continue
		}
		req.Platform, req.Channel, req.User = bot.Slack, ws.channel(homeChannel(ic.User.ID)), bot.User{ID: ic.User.ID, Name: userName(ic.User)}
		a.log.Debug("slack: button in the Home tab", "command", req.Command, "tenant", ws.tenant, "user", ic.User.ID)
		r := a.h.Handle(ctx, req)
		a.publishHome(ctx, ws, ic.User.ID, &r)
		return
	}
}

// publishHome publishes user's Home tab in ws (views.publish): answer,
// the answer to a button pressed there, or else today's pick of the
// workspace; its buttons Another, Why? and Surprise me; and the channels
// the workspace's daily picks go to, with when each is next due.
func (a *Adapter) publishHome(ctx context.Context, ws workspace, user string, answer *bot.Reply) {
	if user == "" {
		return
	}
	api, tok, err := a.webAPI(ctx, ws)
	if err != nil || api == nil {
		a.log.Warn("slack: no bot token to publish the Home tab with", "tenant", ws.tenant, "err", err)
		return
	}
	subs, statuses := a.homeDaily(ctx, ws)
	var r bot.Reply
	if answer != nil {
		r = *answer
	} else {
		r = a.todaysPick(ctx, ws, user, statuses)
	}
	view := slackapi.HomeTabViewRequest{
		Type:       slackapi.VTHomeTab,
		CallbackID: "industrybot_home",
		Blocks:     slackapi.Blocks{BlockSet: homeBlocks(r, subs, statuses)},
	}
	err = a.retry(ctx, func() error {
		_, err := api.PublishViewContext(ctx, slackapi.PublishViewContextRequest{UserID: user, View: view})
		return err
	})
	if err != nil {
		hint := ""
		var se slackapi.SlackErrorResponse
		if errors.As(err, &se) && se.Err == "not_enabled" {
			hint = "turn the Home tab on: App Home → Show Tabs → Home Tab (the manifest of `industrybot slack manifest --mode http` with OAuth has it)"
		}
		a.log.Warn("slack: publishing the Home tab failed", "tenant", ws.tenant, "user", user, "err", scrub(err, tok, a.botTok), "hint", hint)
	}
}

// homeDaily returns the daily subscriptions of ws, ordered by channel, and
// the status of each (nil where it could not be read).
func (a *Adapter) homeDaily(ctx context.Context, ws workspace) ([]bot.Subscription, []*bot.Status) {
	if a.daily == nil {
		return nil, nil
	}
	all, err := a.daily.ListSubscriptions(ctx)
	if err != nil {
		a.log.Warn("slack: reading the daily picks for the Home tab failed", "tenant", ws.tenant, "err", err)
		return nil, nil
	}
	var subs []bot.Subscription
	for _, s := range all {
		if t, _ := splitChannel(s.Channel.Channel); s.Channel.Platform == bot.Slack && t == ws.tenant {
			subs = append(subs, s)
		}
	}
	subs = subs[:min(len(subs), maxHomeChannels)]
	statuses := make([]*bot.Status, len(subs))
	for i, s := range subs {
		if s.Paused != "" {
			continue
		}
		st, err := a.daily.Status(ctx, s.Channel)
		if err != nil {
			a.log.Warn("slack: reading a daily pick for the Home tab failed", "channel", s.Channel.String(), "err", err)
			continue
		}
		statuses[i] = &st
	}
	return subs, statuses
}

// todaysPick is what the Home shows when opened: the pick of the
// workspace's first daily channel today (posted already, or due later),
// else a random pick, as /random deals them to this Home.
func (a *Adapter) todaysPick(ctx context.Context, ws workspace, user string, statuses []*bot.Status) bot.Reply {
	for _, st := range statuses {
		if st == nil {
			continue
		}
		t := st.NextPick
		if st.Last != nil && st.LastTitle != nil && st.Zone != nil && st.Last.Date == a.now().In(st.Zone).Format(bot.DateLayout) && st.Last.Dealt() {
			t = st.LastTitle
		}
		if t == nil {
			continue
		}
		// The core's answer to /why of the pick has the attribution of
		// the words quoted, and makes the pick the Home's last, which
		// Another then skips.
		why := a.h.Handle(ctx, bot.Request{Platform: bot.Slack, Channel: ws.channel(homeChannel(user)), User: bot.User{ID: user},
			Command: bot.CmdWhy, Options: map[string]string{bot.OptTitle: t.ID}})
		return bot.Reply{
			Text:        homeToday,
			Picks:       []bot.Pick{{Title: t, Excerpt: excerpt(t)}},
			Actions:     []bot.Action{{Label: "Why?", Command: bot.CmdWhy, Arg: t.ID}},
			Attribution: why.Attribution,
		}
	}
	return a.h.Handle(ctx, bot.Request{Platform: bot.Slack, Channel: ws.channel(homeChannel(user)), User: bot.User{ID: user}, Command: bot.CmdRandom, Options: map[string]string{}})
}

// excerpt is the start of a title's commentary, for a pick shown without
// a query to pull from.
func excerpt(t *bot.Title) string {
	if len(t.Commentary) == 0 {
		return ""
	}
	return clip(t.Commentary[0], 280)
}

// Words of the Home tab.
const (
	homeTitle    = "industrybot"
	homeAbout    = "The films and series behind Industry (HBO/BBC), in the words of its creators, Mickey Down and Konrad Kay."
	homeToday    = "Today's pick"
	homeDaily    = "*Daily picks in this workspace*"
	homeNoDaily  = "No channel here has a daily pick yet. In a channel the bot is in, an admin can start one with /daily subscribe 09:00 Europe/London."
	homeMore     = "More channels have daily picks than the Home shows: /daily status in a channel tells its own."
	labelAnother = "Another"
	labelSurpise = "Surprise me"
)

// homeBlocks lays the Home tab out: the title, the answer or today's pick
// without its buttons, the buttons, and the daily channels.
func homeBlocks(r bot.Reply, subs []bot.Subscription, statuses []*bot.Status) []slackapi.Block {
	blocks := []slackapi.Block{
		slackapi.NewHeaderBlock(slackapi.NewTextBlockObject(slackapi.PlainTextType, homeTitle, false, false), slackapi.HeaderBlockOptionBlockID(blockHomeHeader)),
		slackapi.NewContextBlock(blockHomeHeader+"-about", slackapi.NewTextBlockObject(slackapi.MarkdownType, escape(homeAbout), false, false)),
	}
	actions := homeActions(r)
	r.Actions = nil
	body := render(r)
	daily := dailyBlocks(subs, statuses)
	room := maxViewBlocks - len(blocks) - len(daily) - 2 // buttons, divider
	blocks = append(blocks, body[:min(len(body), room)]...)
	buttons := make([]slackapi.BlockElement, 0, len(actions))
	for i, act := range actions {
		label := slackapi.NewTextBlockObject(slackapi.PlainTextType, clip(act.Label, maxButtonText), false, false)
		buttons = append(buttons, slackapi.NewButtonBlockElement("home-"+strconv.Itoa(i+1), act.ID(), label))
	}
	blocks = append(blocks, slackapi.NewActionBlock(blockHomeButtons, buttons...), slackapi.NewDividerBlock())
	return append(blocks, daily...)
}

// homeActions are the Home's buttons under r: r's own, with Another (a
// random pick) when r has none, and Surprise me (a free choice of the
// creators' list), at most Slack's 25.
func homeActions(r bot.Reply) []bot.Action {
	acts := slices.Clone(r.Actions)
	if !slices.ContainsFunc(acts, func(a bot.Action) bool { return a.Label == labelAnother }) {
		acts = append([]bot.Action{{Label: labelAnother, Command: bot.CmdRandom, Effect: bot.ReplaceMessage}}, acts...)
	}
	acts = append(acts, bot.Action{Label: labelSurpise, Command: bot.CmdRecommend, Effect: bot.ReplaceMessage})
	return acts[:min(len(acts), 25)]
}

// dailyBlocks lists the daily channels: each with when its next pick is
// due, in every reader's own zone, or why it is paused.
func dailyBlocks(subs []bot.Subscription, statuses []*bot.Status) []slackapi.Block {
	lines := []string{homeDaily}
	if len(subs) == 0 {
		lines = append(lines, escape(homeNoDaily))
	}
	for i, s := range subs {
		_, id := splitChannel(s.Channel.Channel)
		line := "<#" + escape(id) + ">"
		switch st := statuses[i]; {
		case s.Paused != "":
			line += " · paused: " + escape(s.Paused)
		case st != nil && !st.Next.IsZero():
			line += " · next " + date(st.Next)
			if st.NextPick != nil {
				line += ": " + escape(st.NextPick.Title)
			}
		}
		lines = append(lines, line)
	}
	if len(subs) == maxHomeChannels {
		lines = append(lines, escape(homeMore))
	}
	text := strings.Join(lines, "\n")
	return []slackapi.Block{slackapi.NewSectionBlock(slackapi.NewTextBlockObject(slackapi.MarkdownType, clip(text, maxText), false, false), nil, nil, slackapi.SectionBlockOptionBlockID(blockHomeDaily))}
}
