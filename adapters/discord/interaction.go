package discord

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/bwmarrin/discordgo"
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

// discordgoFields are the top-level fields of an interaction that
// discordgo decodes for the adapter. discordgo fails on the whole
// interaction when any part of it is new to it, such as a component type
// it does not know in the message a button is on, or in a message of
// data.resolved (discordgo issues #1562, #1620), while Discord adds fields
// and types at any time and asks apps to ignore what they do not know. So
// discordgo is given only what the adapter reads through it; the rest
// (message, resolved, entitlements, the partial guild) is never decoded,
// and what the adapter reads besides (the channel object, context,
// authorizing_integration_owners, app_permissions, resolved roles) it
// reads itself, leniently.
var discordgoFields = []string{"id", "application_id", "type", "token", "version", "guild_id", "channel_id", "member", "user", "locale"}

// errNotInteraction is returned by decodeInteraction for what is not an
// interaction.
var errNotInteraction = errors.New("not an interaction")

// head is what the adapter reads of an interaction itself.
type head struct {
	Type      *discordgo.InteractionType `json:"type"`
	GuildID   string                     `json:"guild_id"`
	ChannelID string                     `json:"channel_id"`
	// Channel is the partial channel object, which Discord's docs prefer
	// to channel_id (marked deprecated in discord-api-types).
	Channel json.RawMessage `json:"channel"`
	// Context is absent from older payloads: nil.
	Context        *discordgo.InteractionContextType `json:"context"`
	Owners         map[string]json.RawMessage        `json:"authorizing_integration_owners"`
	AppPermissions json.RawMessage                   `json:"app_permissions"`
	Data           json.RawMessage                   `json:"data"`
}

// decodeInteraction reads an interaction as Discord sends it, over HTTP or
// the gateway. ChannelID holds the channel's id from the channel object,
// else from channel_id; Context is the interaction's context, or, when
// Discord sent none, the guild's when there is a guild and the bot's DM's
// when not. It fails only on what is not an interaction: not a JSON
// object, no type, or fields the adapter reads that are not what Discord
// documents.
func decodeInteraction(body []byte) (*interaction, error) {
	var h head
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, fmt.Errorf("%w: %v", errNotInteraction, err)
	}
	if err := json.Unmarshal(body, &h); err != nil || h.Type == nil {
		return nil, fmt.Errorf("%w: no type, or a field of the wrong type", errNotInteraction)
	}
	keep := make(map[string]json.RawMessage, len(discordgoFields)+1)
	for _, k := range discordgoFields {
		if v, ok := raw[k]; ok {
			keep[k] = v
		}
	}
	switch *h.Type {
	case discordgo.InteractionApplicationCommand, discordgo.InteractionApplicationCommandAutocomplete, discordgo.InteractionMessageComponent:
		keep["data"] = withoutResolved(h.Data)
	default:
		// The adapter answers any other type without reading its data
		// (a modal's, say, with components discordgo may not know).
		keep["data"] = json.RawMessage("{}")
	}
	b, err := json.Marshal(keep)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errNotInteraction, err)
	}
	i := &interaction{Interaction: &discordgo.Interaction{}}
	if err := json.Unmarshal(b, i.Interaction); err != nil {
		return nil, fmt.Errorf("%w: %v", errNotInteraction, err)
	}
	var ch struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(h.Channel, &ch) == nil && ch.ID != "" {
		i.ChannelID = ch.ID
	}
	switch {
	case h.Context != nil:
		i.Context = *h.Context
	case i.GuildID != "":
		i.Context = discordgo.InteractionContextGuild
	default:
		i.Context = discordgo.InteractionContextBotDM
	}
	i.AuthorizingIntegrationOwners = owners(h.Owners)
	i.perms, i.knownPerms = permissions(h.AppPermissions)
	i.AppPermissions = i.perms
	i.roles = roles(h.Data)
	i.noPost = noPost(i)
	return i, nil
}

// withoutResolved is an interaction's data without data.resolved; "{}"
// when there is no data, so that discordgo decodes a command or a press
// with no name or custom id instead of failing.
func withoutResolved(data json.RawMessage) json.RawMessage {
	var d map[string]json.RawMessage
	if json.Unmarshal(data, &d) != nil || d == nil {
		return json.RawMessage("{}")
	}
	delete(d, "resolved")
	b, err := json.Marshal(d)
	if err != nil {
		return json.RawMessage("{}")
	}
	return b
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
func roles(data json.RawMessage) map[string]resolvedRole {
	var d struct {
		Resolved struct {
			Roles map[string]json.RawMessage `json:"roles"`
		} `json:"resolved"`
	}
	if json.Unmarshal(data, &d) != nil || len(d.Resolved.Roles) == 0 {
		return nil
	}
	out := map[string]resolvedRole{}
	for id, raw := range d.Resolved.Roles {
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
