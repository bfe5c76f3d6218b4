package discord

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/bwmarrin/discordgo"
	jsonv1 "github.com/go-json-experiment/json/v1"
)

// interaction is one interaction as the adapter reads it: discordgo's
// decoding of what the adapter uses, with what discordgo has no field for
// (the channel object) or reads too strictly.
type interaction struct {
	*discordgo.Interaction
	// perms are the app's permissions in the channel (app_permissions);
	// knownPerms is false when Discord sent none.
	perms      int64
	knownPerms bool
	// roles are the roles that options name (data.resolved.roles), by id.
	roles map[string]resolvedRole
	// noPost says why the bot cannot post in the channel on its own, as
	// daily picks do; "" when it can.
	noPost string
}

// resolvedRole is what the adapter reads of a role in data.resolved.
type resolvedRole struct {
	Name        string `json:"name"`
	Mentionable bool   `json:"mentionable"`
}

// interactionJSON is what the adapter reads of an interaction, in one pass.
// discordgo fails on the whole interaction when any part of it is new to
// it, such as a component type it does not know in the message a button
// is on, or in a message of data.resolved (discordgo issues #1562, #1620),
// while Discord adds fields and types at any time and asks apps to ignore
// what they do not know. So only the fields the adapter reads are decoded,
// into discordgo's types where discordgo has them; the rest (message,
// resolved, entitlements, the partial guild) is skipped unread, and what
// discordgo has no field for or reads too strictly (the channel object,
// context, authorizing_integration_owners, app_permissions, resolved
// roles) is read here, leniently.
type interactionJSON struct {
	ID        string                     `json:"id"`
	AppID     string                     `json:"application_id"`
	Type      *discordgo.InteractionType `json:"type"`
	Token     string                     `json:"token"`
	Version   int                        `json:"version"`
	GuildID   string                     `json:"guild_id"`
	ChannelID string                     `json:"channel_id"`
	Member    *discordgo.Member          `json:"member"`
	User      *discordgo.User            `json:"user"`
	Locale    discordgo.Locale           `json:"locale"`
	// Channel is the partial channel object, which Discord's docs prefer
	// to channel_id (marked deprecated in discord-api-types).
	Channel json.RawMessage `json:"channel"`
	// Context is absent from older payloads: nil.
	Context        *discordgo.InteractionContextType `json:"context"`
	Owners         map[string]json.RawMessage        `json:"authorizing_integration_owners"`
	AppPermissions json.RawMessage                   `json:"app_permissions"`
	Data           json.RawMessage                   `json:"data"`
}

// commandData and componentData are discordgo's data of a command (or an
// autocomplete) and of a press, with data.resolved kept raw instead: the
// outer field takes "resolved" from the embedded one.
type (
	commandData struct {
		discordgo.ApplicationCommandInteractionData
		Resolved json.RawMessage `json:"resolved"`
	}
	componentData struct {
		discordgo.MessageComponentInteractionData
		Resolved json.RawMessage `json:"resolved"`
	}
)

// errNotInteraction is returned by decodeInteraction for what is not an
// interaction.
var errNotInteraction = errors.New("not an interaction")

// decodeInteraction reads an interaction as Discord sends it, over HTTP or
// the gateway, with encoding/json's rules but go-json-experiment's
// decoder, which takes half the time and a third of the allocations. ChannelID holds the channel's id from the channel object,
// else from channel_id; Context is the interaction's context, or, when
// Discord sent none, the guild's when there is a guild and the bot's DM's
// when not. It fails only on what is not an interaction: not a JSON
// object, no type, or fields the adapter reads that are not what Discord
// documents. Data that is not an object reads as empty, so that a command
// or a press with no name or custom id is answered.
func decodeInteraction(body []byte) (*interaction, error) {
	var w interactionJSON
	if err := jsonv1.Unmarshal(body, &w); err != nil {
		return nil, fmt.Errorf("%w: %v", errNotInteraction, err)
	}
	if w.Type == nil {
		return nil, fmt.Errorf("%w: no type", errNotInteraction)
	}
	i := &interaction{Interaction: &discordgo.Interaction{
		ID: w.ID, AppID: w.AppID, Type: *w.Type, Token: w.Token, Version: w.Version,
		GuildID: w.GuildID, ChannelID: w.ChannelID, Member: w.Member, User: w.User, Locale: w.Locale,
	}}
	var resolved json.RawMessage
	switch *w.Type {
	case discordgo.InteractionApplicationCommand, discordgo.InteractionApplicationCommandAutocomplete:
		var d commandData
		if err := decodeData(w.Data, &d); err != nil {
			return nil, err
		}
		i.Data, resolved = d.ApplicationCommandInteractionData, d.Resolved
	case discordgo.InteractionMessageComponent:
		var d componentData
		if err := decodeData(w.Data, &d); err != nil {
			return nil, err
		}
		i.Data, resolved = d.MessageComponentInteractionData, d.Resolved
	case discordgo.InteractionModalSubmit:
		// The adapter answers a modal without reading its data, whose
		// components discordgo may not know.
		i.Data = discordgo.ModalSubmitInteractionData{}
	}
	if len(w.Channel) > 0 {
		var ch struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(w.Channel, &ch) == nil && ch.ID != "" {
			i.ChannelID = ch.ID
		}
	}
	switch {
	case w.Context != nil:
		i.Context = *w.Context
	case i.GuildID != "":
		i.Context = discordgo.InteractionContextGuild
	default:
		i.Context = discordgo.InteractionContextBotDM
	}
	i.AuthorizingIntegrationOwners = owners(w.Owners)
	i.perms, i.knownPerms = permissions(w.AppPermissions)
	i.AppPermissions = i.perms
	i.roles = roles(resolved)
	i.noPost = noPost(i)
	return i, nil
}

// decodeData decodes an interaction's data into d, leaving d empty when
// the data is not an object (absent, null).
func decodeData(data json.RawMessage, d any) error {
	data = bytes.TrimLeft(data, " \t\r\n")
	if len(data) == 0 || data[0] != '{' {
		return nil
	}
	if err := jsonv1.Unmarshal(data, d); err != nil {
		return fmt.Errorf("%w: %v", errNotInteraction, err)
	}
	return nil
}

// owners reads authorizing_integration_owners: installation type ("0"
// guild, "1" user) to the guild's or the user's id, which older payloads
// sent as numbers. Keys that are not installation types are skipped.
func owners(raw map[string]json.RawMessage) map[discordgo.ApplicationIntegrationType]string {
	if len(raw) == 0 {
		return nil
	}
	out := make(map[discordgo.ApplicationIntegrationType]string, len(raw))
	for k, v := range raw {
		t, err := strconv.ParseUint(k, 10, 8)
		if err != nil {
			continue
		}
		if id, ok := readID(v); ok {
			out[discordgo.ApplicationIntegrationType(t)] = id
		}
	}
	return out
}

// readID reads an id sent as a string, as Discord does, or as a number.
func readID(v json.RawMessage) (string, bool) {
	// What Discord sends, a string of digits, and what it leaves out are
	// read without a decoder, which costs more than the rest of a
	// request's decoding (BenchmarkDecodeInteraction).
	if len(v) == 0 {
		return "", false
	}
	if n := len(v); n > 2 && v[0] == '"' && v[n-1] == '"' && digits(v[1:n-1]) {
		return string(v[1 : n-1]), true
	}
	return decodeID(v)
}

// decodeID is readID by decoding v: a JSON string, or a JSON integer.
func decodeID(v json.RawMessage) (string, bool) {
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s, true
	}
	var n json.Number
	d := json.NewDecoder(bytes.NewReader(v))
	d.UseNumber()
	if d.Decode(&n) == nil && !strings.ContainsAny(n.String(), ".eE-") {
		return n.String(), true
	}
	return "", false
}

func digits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// permissions reads app_permissions, a bit set sent as a string of digits.
func permissions(v json.RawMessage) (int64, bool) {
	s, ok := readID(v)
	if !ok {
		return 0, false
	}
	p, err := strconv.ParseInt(s, 10, 64)
	return p, err == nil
}

// roles reads data.resolved.roles, skipping any role it cannot read.
func roles(resolved json.RawMessage) map[string]resolvedRole {
	if len(resolved) == 0 {
		return nil
	}
	var d struct {
		Roles map[string]json.RawMessage `json:"roles"`
	}
	if json.Unmarshal(resolved, &d) != nil || len(d.Roles) == 0 {
		return nil
	}
	out := map[string]resolvedRole{}
	for id, raw := range d.Roles {
		var r resolvedRole
		if json.Unmarshal(raw, &r) == nil {
			out[id] = r
		}
	}
	return out
}

// noPost says why the bot cannot post in an interaction's channel on its
// own (a REST call with the bot token, as daily picks are posted); "" when
// it can. The interaction itself is answered whatever the channel: its
// callback and webhook need no membership. Discord says where the app is
// installed in authorizing_integration_owners: a guild install ("0") puts
// the bot in the guild; an app installed only to a user's account ("1")
// is in no guild or group DM by that install, and Discord refuses its bot
// there. A payload without owners is from before user installs: a guild
// install, or the bot's DM.
func noPost(i *interaction) string {
	_, guildInstall := i.AuthorizingIntegrationOwners[discordgo.ApplicationIntegrationGuildInstall]
	switch {
	case i.ChannelID == "":
		return "Discord named no channel for this interaction"
	case i.Context == discordgo.InteractionContextPrivateChannel:
		return "industrybot is not a member of this group DM (no bot can be): it answers here only because it is installed to your account"
	case i.Context == discordgo.InteractionContextBotDM:
		return ""
	case i.GuildID != "" && len(i.AuthorizingIntegrationOwners) > 0 && !guildInstall:
		return "industrybot is installed to your account, not to this server, so it is not a member here"
	}
	return ""
}

// noThread says why the bot may not open a thread on its posts in the
// channel and post the commentary in it; "" when it may, or when Discord
// did not send the app's permissions.
func (i *interaction) noThread() string {
	if !i.knownPerms || i.perms&discordgo.PermissionAdministrator != 0 {
		return ""
	}
	var lacks []string
	if i.perms&discordgo.PermissionCreatePublicThreads == 0 {
		lacks = append(lacks, "Create Public Threads")
	}
	if i.perms&discordgo.PermissionSendMessagesInThreads == 0 {
		lacks = append(lacks, "Send Messages in Threads")
	}
	if len(lacks) == 0 {
		return ""
	}
	what := " permission"
	if len(lacks) > 1 {
		what += "s"
	}
	return "industrybot lacks the " + strings.Join(lacks, " and ") + what + " in this channel"
}

// noMention says why the bot may not mention the role with this id in
// the channel: Discord lets it when the role is mentionable by anyone, or
// when the bot has Mention Everyone; "" when it may, or when Discord did
// not send the app's permissions.
func (i *interaction) noMention(id string) string {
	const may = discordgo.PermissionMentionEveryone | discordgo.PermissionAdministrator
	if !i.knownPerms || i.perms&may != 0 {
		return ""
	}
	r, ok := i.roles[id]
	switch {
	case !ok:
		return "Discord did not say whether that role may be mentioned, and industrybot lacks the Mention Everyone permission in this channel"
	case r.Mentionable:
		return ""
	}
	name := "that role"
	if r.Name != "" {
		name = "the role " + clip("@"+strings.TrimPrefix(r.Name, "@"), 60)
	}
	return name + " is not mentionable by everyone, and industrybot lacks the Mention Everyone permission in this channel"
}
