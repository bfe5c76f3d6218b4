package discordtest

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"

	"github.com/bwmarrin/discordgo"
)

// Caller is who sends an interaction, and where.
type Caller struct {
	GuildID   string // "" for a direct message
	ChannelID string
	UserID    string
	Username  string
	// Permissions are the member's permissions in the channel (guild only),
	// such as discordgo.PermissionManageGuild.
	Permissions int64
	// UserInstall says the app is installed to the caller's account, not
	// to the guild: authorizing_integration_owners is {"1": the caller}
	// instead of {"0": the guild, or "0" in a DM}. Outside the bot's own
	// DM the bot is then in no channel the caller is in: the fake refuses
	// its posts there (403, 50001 Missing Access), as Discord does, while
	// the interaction's callback and webhook work.
	UserInstall bool
	// GroupDM puts the caller in a group DM (channel type 3, interaction
	// context PRIVATE_CHANNEL), which no bot can be a member of; only a
	// user install answers there. It takes no GuildID.
	GroupDM bool
	// AppPermissions are the app's permissions in the channel
	// (app_permissions). Zero means Discord's usual: in a guild, what the
	// invite grants (View Channel, Send Messages, Embed Links: 19456); in
	// a DM or group DM, Attach Files, Embed Links and Mention Everyone.
	AppPermissions int64
}

// InviteGrants are the permissions an invite of the bot grants, the
// app_permissions of guild interactions whose Caller names none.
const InviteGrants = discordgo.PermissionViewChannel | discordgo.PermissionSendMessages | discordgo.PermissionEmbedLinks

// dmGrants are an app's permissions in a DM or a group DM, as Discord
// sends them.
const dmGrants = discordgo.PermissionAttachFiles | discordgo.PermissionEmbedLinks | discordgo.PermissionMentionEveryone

// InteractionLog is what the bot sent to answer one interaction.
type InteractionLog struct {
	// Callbacks are the bodies POSTed to the callback endpoint; Discord
	// takes the first and refuses the others (400, code 40060), and
	// refuses a type that does not answer the interaction (400, 50035):
	// only a button press may be answered with an update of its message
	// (7) or a deferred one (6).
	Callbacks []json.RawMessage
	// Edits are the bodies PATCHed to the @original message.
	Edits []json.RawMessage
	// Deleted is set when the @original message was deleted.
	Deleted bool
	// Followups are the bodies POSTed to the interaction's webhook.
	Followups []json.RawMessage
	// Authorization is set when any call carried an Authorization header
	// (none needs one: the interaction token authorises them).
	Authorization bool
}

type record struct {
	i   *discordgo.Interaction
	log InteractionLog
}

// Track makes the fake accept callbacks and webhooks for i: the builders
// and Dispatch call it; an HTTP-mode test that builds its own interaction
// calls it too.
func (s *Server) Track(i *discordgo.Interaction) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.interactions[i.Token]; !ok {
		s.interactions[i.Token] = &record{i: i}
		s.byID[i.ID] = i.Token
	}
}

func (s *Server) newInteraction(c Caller, t discordgo.InteractionType, data discordgo.InteractionData) *discordgo.Interaction {
	s.mu.Lock()
	id := s.id()
	s.mu.Unlock()
	i := &discordgo.Interaction{
		ID: id, AppID: s.opts.ApplicationID, Type: t, Data: data,
		GuildID: c.GuildID, ChannelID: c.ChannelID, Token: "itoken-" + id, Version: 1, Locale: discordgo.EnglishGB,
	}
	u := &discordgo.User{ID: c.UserID, Username: c.Username}
	if u.ID == "" {
		u.ID = "900000000000000001"
	}
	if u.Username == "" {
		u.Username = "tester"
	}
	ch := partialChannel{ID: c.ChannelID, Type: discordgo.ChannelTypeGuildText}
	i.AppPermissions = c.AppPermissions
	switch {
	case c.GuildID != "":
		i.Member = &discordgo.Member{User: u, Permissions: c.Permissions, GuildID: c.GuildID}
		i.Context = discordgo.InteractionContextGuild
		if i.AppPermissions == 0 {
			i.AppPermissions = InviteGrants
		}
	case c.GroupDM:
		i.User = u
		i.Context = discordgo.InteractionContextPrivateChannel
		ch.Type = discordgo.ChannelTypeGroupDM
	default:
		i.User = u
		i.Context = discordgo.InteractionContextBotDM
		ch.Type = discordgo.ChannelTypeDM
	}
	if i.AppPermissions == 0 {
		i.AppPermissions = dmGrants
	}
	owner := c.GuildID
	if owner == "" {
		owner = "0"
	}
	i.AuthorizingIntegrationOwners = map[discordgo.ApplicationIntegrationType]string{discordgo.ApplicationIntegrationGuildInstall: owner}
	if c.UserInstall {
		i.AuthorizingIntegrationOwners = map[discordgo.ApplicationIntegrationType]string{discordgo.ApplicationIntegrationUserInstall: u.ID}
	}
	s.mu.Lock()
	s.channels[id] = ch
	if c.GroupDM || c.UserInstall && c.GuildID != "" {
		s.outsiders[c.ChannelID] = true
	}
	s.mu.Unlock()
	s.Track(i)
	return i
}

// partialChannel is the channel object of an interaction.
type partialChannel struct {
	ID   string                `json:"id"`
	Type discordgo.ChannelType `json:"type"`
}

// Payload is the interaction as Discord sends it, over the gateway or
// over HTTP: with the channel object discordgo has no field for
// ("channel": {"id", "type"}, beside channel_id) when the fake built it.
func (s *Server) Payload(i *discordgo.Interaction) json.RawMessage {
	b, err := json.Marshal(i)
	if err != nil {
		panic("discordtest: encoding an interaction: " + err.Error())
	}
	s.mu.Lock()
	ch, ok := s.channels[i.ID]
	s.mu.Unlock()
	if !ok {
		return b
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		panic("discordtest: decoding an interaction: " + err.Error())
	}
	m["channel"], _ = json.Marshal(ch)
	b, _ = json.Marshal(m)
	return b
}

// IsMember reports whether the bot is a member of a channel, as far as
// the fake knows: not of the group DMs, nor of the channels of guilds that
// only users installed it to, that it built interactions in.
func (s *Server) IsMember(channelID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.outsiders[channelID]
}

// AddRole makes a role in a guild. Role options of the interactions the
// fake builds resolve to it, in data.resolved.roles, as on Discord.
func (s *Server) AddRole(guildID, name string, mentionable bool) *discordgo.Role {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := &discordgo.Role{ID: s.id(), Name: name, Mentionable: mentionable}
	s.roles[r.ID] = r
	return r
}

// resolve returns data.resolved for options that name roles, nil when
// none does.
func (s *Server) resolve(opts []*discordgo.ApplicationCommandInteractionDataOption) *discordgo.ApplicationCommandInteractionDataResolved {
	var res *discordgo.ApplicationCommandInteractionDataResolved
	var walk func([]*discordgo.ApplicationCommandInteractionDataOption)
	walk = func(opts []*discordgo.ApplicationCommandInteractionDataOption) {
		for _, o := range opts {
			walk(o.Options)
			if o.Type != discordgo.ApplicationCommandOptionRole {
				continue
			}
			id, _ := o.Value.(string)
			s.mu.Lock()
			r := s.roles[id]
			s.mu.Unlock()
			if r == nil {
				continue
			}
			if res == nil {
				res = &discordgo.ApplicationCommandInteractionDataResolved{Roles: map[string]*discordgo.Role{}}
			}
			res.Roles[id] = r
		}
	}
	walk(opts)
	return res
}

// Command builds a slash command interaction.
func (s *Server) Command(c Caller, name string, opts ...*discordgo.ApplicationCommandInteractionDataOption) *discordgo.Interaction {
	return s.newInteraction(c, discordgo.InteractionApplicationCommand, discordgo.ApplicationCommandInteractionData{
		ID: "cmd-" + name, Name: name, CommandType: discordgo.ChatApplicationCommand, Options: opts, Resolved: s.resolve(opts),
	})
}

// Autocomplete builds an autocomplete interaction: one of opts should be
// Focused.
func (s *Server) Autocomplete(c Caller, name string, opts ...*discordgo.ApplicationCommandInteractionDataOption) *discordgo.Interaction {
	return s.newInteraction(c, discordgo.InteractionApplicationCommandAutocomplete, discordgo.ApplicationCommandInteractionData{
		ID: "cmd-" + name, Name: name, CommandType: discordgo.ChatApplicationCommand, Options: opts,
	})
}

// Button builds the press of a button with this custom id.
func (s *Server) Button(c Caller, customID string) *discordgo.Interaction {
	return s.newInteraction(c, discordgo.InteractionMessageComponent, discordgo.MessageComponentInteractionData{
		CustomID: customID, ComponentType: discordgo.ButtonComponent,
	})
}

// Ping builds a PING, as Discord sends to check an HTTP endpoint.
func (s *Server) Ping() *discordgo.Interaction {
	s.mu.Lock()
	id := s.id()
	s.mu.Unlock()
	return &discordgo.Interaction{ID: id, AppID: s.opts.ApplicationID, Type: discordgo.InteractionPing, Token: "itoken-" + id, Version: 1}
}

// String is a string option.
func String(name, value string) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionString, Value: value}
}

// Bool is a boolean option.
func Bool(name string, value bool) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionBoolean, Value: value}
}

// Role is a role option: its value is the role's id, which resolves to
// the role if AddRole made it.
func Role(name, id string) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionRole, Value: id}
}

// Focused is the string option being typed, in an autocomplete.
func Focused(name, value string) *discordgo.ApplicationCommandInteractionDataOption {
	o := String(name, value)
	o.Focused = true
	return o
}

// Subcommand is a subcommand with its options.
func Subcommand(name string, opts ...*discordgo.ApplicationCommandInteractionDataOption) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionSubCommand, Options: opts}
}

// Interaction returns what the bot sent for the interaction with this
// token.
func (s *Server) Interaction(token string) InteractionLog {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.interactions[token]
	if r == nil {
		return InteractionLog{}
	}
	l := r.log
	l.Callbacks = slices.Clone(l.Callbacks)
	l.Edits = slices.Clone(l.Edits)
	l.Followups = slices.Clone(l.Followups)
	return l
}

// WaitCallback waits for the first answer to i and returns its body.
func (s *Server) WaitCallback(ctx context.Context, i *discordgo.Interaction) (json.RawMessage, error) {
	var cb json.RawMessage
	err := s.Wait(ctx, func() bool {
		l := s.Interaction(i.Token)
		if len(l.Callbacks) > 0 {
			cb = l.Callbacks[0]
			return true
		}
		return false
	})
	return cb, err
}

func (s *Server) callback(w http.ResponseWriter, id, token string, body []byte) {
	s.mu.Lock()
	r := s.interactions[token]
	if r == nil || r.i.ID != id {
		s.mu.Unlock()
		apiError(w, http.StatusNotFound, 10062, "Unknown interaction")
		return
	}
	first := len(r.log.Callbacks) == 0
	r.log.Callbacks = append(r.log.Callbacks, json.RawMessage(body))
	s.change()
	s.mu.Unlock()
	if !first {
		apiError(w, http.StatusBadRequest, 40060, "Interaction has already been acknowledged.")
		return
	}
	var resp struct {
		Type *discordgo.InteractionResponseType `json:"type"`
	}
	if json.Unmarshal(body, &resp) != nil || resp.Type == nil {
		apiError(w, http.StatusBadRequest, 50035, "Invalid Form Body")
		return
	}
	if !answers(*resp.Type, r.i.Type) {
		apiError(w, http.StatusBadRequest, 50035, "Invalid Form Body: type: this response type does not answer this interaction")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// answers reports whether Discord takes a response of type rt to an
// interaction of type it: a message (4) or its deferral (5) answers a
// command or a button press; only a press may update the message its
// button is on (7) or defer that update (6); choices (8) answer an
// autocomplete, and a pong (1) a ping.
func answers(rt discordgo.InteractionResponseType, it discordgo.InteractionType) bool {
	switch rt {
	case discordgo.InteractionResponsePong:
		return it == discordgo.InteractionPing
	case discordgo.InteractionResponseChannelMessageWithSource, discordgo.InteractionResponseDeferredChannelMessageWithSource:
		return it == discordgo.InteractionApplicationCommand || it == discordgo.InteractionMessageComponent || it == discordgo.InteractionModalSubmit
	case discordgo.InteractionResponseDeferredMessageUpdate, discordgo.InteractionResponseUpdateMessage:
		return it == discordgo.InteractionMessageComponent || it == discordgo.InteractionModalSubmit
	case discordgo.InteractionApplicationCommandAutocompleteResult:
		return it == discordgo.InteractionApplicationCommandAutocomplete
	case discordgo.InteractionResponseModal:
		return it == discordgo.InteractionApplicationCommand || it == discordgo.InteractionMessageComponent
	}
	return false
}

// webhook serves /webhooks/{app}/{token}[/messages/@original].
func (s *Server) webhook(w http.ResponseWriter, r *http.Request, parts []string, body []byte) {
	app, token := parts[0], parts[1]
	s.mu.Lock()
	rec := s.interactions[token]
	s.mu.Unlock()
	if rec == nil || app != rec.i.AppID {
		apiError(w, http.StatusNotFound, 10015, "Unknown Webhook")
		return
	}
	original := len(parts) == 4 && parts[2] == "messages" && parts[3] == "@original"
	update := func(f func(l *InteractionLog)) {
		s.mu.Lock()
		f(&rec.log)
		if r.Header.Get("Authorization") != "" {
			rec.log.Authorization = true
		}
		s.change()
		s.mu.Unlock()
	}
	switch {
	case original && r.Method == http.MethodPatch:
		m, err := parseMessage(body)
		if err != nil {
			apiError(w, http.StatusBadRequest, 50109, "The request body contains invalid JSON.")
			return
		}
		update(func(l *InteractionLog) { l.Edits = append(l.Edits, json.RawMessage(body)) })
		m.ID, m.ChannelID = "original-"+rec.i.ID, rec.i.ChannelID
		writeJSON(w, 200, messageJSON(m, s.opts.ApplicationID))
	case original && r.Method == http.MethodDelete:
		update(func(l *InteractionLog) { l.Deleted = true })
		w.WriteHeader(http.StatusNoContent)
	case len(parts) == 2 && r.Method == http.MethodPost:
		m, err := parseMessage(body)
		if err != nil {
			apiError(w, http.StatusBadRequest, 50109, "The request body contains invalid JSON.")
			return
		}
		update(func(l *InteractionLog) { l.Followups = append(l.Followups, json.RawMessage(body)) })
		if r.URL.Query().Get("wait") != "true" {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		s.mu.Lock()
		m.ID, m.ChannelID = s.id(), rec.i.ChannelID
		s.mu.Unlock()
		writeJSON(w, 200, messageJSON(m, s.opts.ApplicationID))
	default:
		apiError(w, http.StatusNotFound, 0, "404: Not Found")
	}
}
