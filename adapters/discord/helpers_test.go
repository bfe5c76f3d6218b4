package discord

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/industrybot/industrybot/adapters/discord/discordtest"
	"github.com/industrybot/industrybot/bot"
	"github.com/industrybot/industrybot/bot/bottest"
	"github.com/industrybot/industrybot/bot/convtest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

const testToken = "test-token-4f1c9"

// waitTimeout bounds every wait for the fake: a test that hangs fails
// instead.
const waitTimeout = 10 * time.Second

func waitCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	t.Cleanup(cancel)
	return ctx
}

// logBuffer collects log output, to check what is (never) logged.
type logBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// transport delivers interactions to the adapter, by gateway or HTTP, and
// returns the first answer's JSON.
type transport interface {
	ask(t *testing.T, i *discordgo.Interaction) json.RawMessage
	fake() *discordtest.Server
}

// harnessConfig shapes a test adapter.
type harnessConfig struct {
	handler    bot.Handler
	deferAfter time.Duration
	shardID    int
	shardCount int
	logs       *logBuffer
	mode       string            // ModeGateway when empty
	key        ed25519.PublicKey // ModeHTTP
}

func (hc harnessConfig) adapter(t *testing.T, rest *discordgo.Session) *Adapter {
	t.Helper()
	h := hc.handler
	if h == nil {
		h = bottest.Bot(t)
	}
	log := slog.New(slog.DiscardHandler)
	if hc.logs != nil {
		log = slog.New(slog.NewTextHandler(hc.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	// Completions come from the catalog alone, as testdata/answers holds
	// them: with the knowledge, titles outside the list ("Peaky Blinders"
	// for "pe") would join them.
	titles := bottest.Engine(t, bot.WithKnowledge(nil))
	a, err := New(Config{Handler: h, Engine: titles, Session: rest, Mode: hc.mode, PublicKey: hc.key, Logger: log, DeferAfter: hc.deferAfter})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// gatewayHarness runs the adapter on a gateway session to a fake Discord.
type gatewayHarness struct {
	f    *discordtest.Server
	a    *Adapter
	sess *discordgo.Session
}

func (h *gatewayHarness) fake() *discordtest.Server { return h.f }

func (h *gatewayHarness) ask(t *testing.T, i *discordgo.Interaction) json.RawMessage {
	t.Helper()
	if _, err := h.f.Dispatch(i); err != nil {
		t.Fatal(err)
	}
	cb, err := h.f.WaitCallback(waitCtx(t), i)
	if err != nil {
		t.Fatalf("no answer to interaction %s: %v", i.ID, err)
	}
	return cb
}

// startGateway connects an adapter to a new fake Discord over the gateway
// and disconnects it when the test ends.
func startGateway(t *testing.T, hc harnessConfig) *gatewayHarness {
	t.Helper()
	f := discordtest.Start(t, discordtest.Options{Token: testToken})
	return connectGateway(t, f, hc)
}

func connectGateway(t *testing.T, f *discordtest.Server, hc harnessConfig) *gatewayHarness {
	t.Helper()
	sess, err := NewSession(SessionConfig{Token: testToken, APIURL: f.URL, ShardID: hc.shardID, ShardCount: hc.shardCount})
	if err != nil {
		t.Fatal(err)
	}
	a := hc.adapter(t, sess)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("gateway Run: %v", err)
		}
	})
	// Connected once discordgo has read READY: it starts heartbeating
	// only then.
	err = f.Wait(waitCtx(t), func() bool {
		for _, s := range f.Sessions() {
			if s.Shard == [2]int{hc.shardID, max(hc.shardCount, 1)} {
				return f.Heartbeats() > 0
			}
		}
		return false
	})
	if err != nil {
		t.Fatalf("the gateway did not connect: %v", err)
	}
	return &gatewayHarness{f: f, a: a, sess: sess}
}

// httpHarness serves the adapter's HTTP interactions endpoint.
type httpHarness struct {
	f      *discordtest.Server
	a      *Adapter
	signer *discordtest.Signer
	srv    *httptest.Server
	now    time.Time
}

func (h *httpHarness) fake() *discordtest.Server { return h.f }

// startHTTP serves the adapter over HTTP with no bot token: HTTP mode
// needs only the public key.
func startHTTP(t *testing.T, hc harnessConfig) *httpHarness {
	t.Helper()
	f := discordtest.Start(t, discordtest.Options{Token: testToken})
	sess, err := NewSession(SessionConfig{APIURL: f.URL})
	if err != nil {
		t.Fatal(err)
	}
	h := &httpHarness{f: f, signer: discordtest.NewSigner(), now: time.Now()}
	hc.mode, hc.key = ModeHTTP, h.signer.Public
	h.a = hc.adapter(t, sess)
	h.a.now = func() time.Time { return h.now }
	h.srv = httptest.NewServer(h.a.Handler())
	t.Cleanup(func() {
		h.srv.Close()
		if err := h.a.Drain(waitCtx(t)); err != nil {
			t.Error(err)
		}
	})
	return h
}

// post sends a signed interaction and returns the response.
func (h *httpHarness) post(t *testing.T, v any) (int, []byte) {
	t.Helper()
	req, err := h.signer.Request(h.srv.URL+"/discord/interactions", v, h.now)
	if err != nil {
		t.Fatal(err)
	}
	return do(t, req)
}

func do(t *testing.T, req *http.Request) (int, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

func (h *httpHarness) ask(t *testing.T, i *discordgo.Interaction) json.RawMessage {
	t.Helper()
	code, body := h.post(t, []byte(h.f.Payload(i)))
	if code != http.StatusOK {
		t.Fatalf("HTTP %d: %s", code, body)
	}
	return body
}

// wire is an interaction response as the tests read it.
type wire struct {
	Type int `json:"type"`
	Data *struct {
		Content string                    `json:"content"`
		Embeds  []*discordgo.MessageEmbed `json:"embeds"`
		Flags   int                       `json:"flags"`
		Choices []struct {
			Name  string `json:"name"`
			Value string `json:"value"`
		} `json:"choices"`
		Components []struct {
			Type       int                  `json:"type"`
			Components []discordtest.Button `json:"components"`
		} `json:"components"`
		AllowedMentions *struct {
			Parse []string `json:"parse"`
		} `json:"allowed_mentions"`
	} `json:"data"`
}

func decode(t *testing.T, b []byte) wire {
	t.Helper()
	var w wire
	if err := json.Unmarshal(b, &w); err != nil {
		t.Fatalf("decoding %s: %v", b, err)
	}
	return w
}

func (w wire) buttons() []discordtest.Button {
	if w.Data == nil {
		return nil
	}
	var out []discordtest.Button
	for _, row := range w.Data.Components {
		out = append(out, row.Components...)
	}
	return out
}

func (w wire) private() bool {
	return w.Data != nil && w.Data.Flags&int(discordgo.MessageFlagsEphemeral) != 0
}

// content reduces a message to what the conversation script compares:
// embed titles are the titles shown, buttons their labels, text every word
// shown (content, embed author, title, description, fields, the link the
// title opens, footer) with Markdown emphasis removed.
func content(flags int, text string, embeds []*discordgo.MessageEmbed, buttons []discordtest.Button) convtest.Content {
	c := convtest.Content{Private: flags&int(discordgo.MessageFlagsEphemeral) != 0}
	parts := []string{text}
	for _, e := range embeds {
		if e.Author != nil {
			parts = append(parts, e.Author.Name)
		}
		if e.Title != "" {
			c.Titles = append(c.Titles, e.Title)
			parts = append(parts, e.Title)
		}
		parts = append(parts, e.Description)
		for _, f := range e.Fields {
			if f.Name != blank {
				parts = append(parts, f.Name)
			}
			parts = append(parts, f.Value)
		}
		parts = append(parts, e.URL)
		if e.Footer != nil {
			parts = append(parts, e.Footer.Text)
		}
	}
	for _, b := range buttons {
		c.Buttons = append(c.Buttons, b.Label)
	}
	c.Text = convtest.Normalize(plain(strings.Join(parts, " ")))
	return c
}

// plain is Markdown as Discord shows it: emphasis markers dropped,
// backslash escapes resolved.
func plain(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && i+1 < len(s) && strings.IndexByte(`\\*_~`+"`"+`|[]#>-<`, s[i+1]) >= 0:
			b.WriteByte(s[i+1])
			i++
		case c == '*':
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func (w wire) content() convtest.Content {
	if w.Data == nil {
		return convtest.Content{}
	}
	return content(w.Data.Flags, w.Data.Content, w.Data.Embeds, w.buttons())
}

// options turns a chat line's options into Discord's.
func options(opts map[string]string) []*discordgo.ApplicationCommandInteractionDataOption {
	var out []*discordgo.ApplicationCommandInteractionDataOption
	for _, name := range []string{bot.OptQuery, bot.OptTitle, bot.OptKind} {
		if v, ok := opts[name]; ok {
			out = append(out, discordtest.String(name, v))
		}
	}
	return out
}

// say sends a chat line as the slash command Discord would send for it.
func say(t *testing.T, tr transport, c discordtest.Caller, line string) wire {
	t.Helper()
	cmd, opts, err := bot.ParseCommand(line)
	if err != nil {
		t.Fatalf("%q: %v", line, err)
	}
	return decode(t, tr.ask(t, tr.fake().Command(c, cmd, options(opts)...)))
}

// channels hands out distinct channels, so tests sharing a fake and a bot
// do not see each other's history.
type channels struct {
	mu sync.Mutex
	n  int
}

func (c *channels) next(guild string) discordtest.Caller {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	return discordtest.Caller{GuildID: guild, ChannelID: fmt.Sprintf("5%017d", c.n), UserID: "900000000000000042", Username: "ana"}
}

const testGuild = "800000000000000001"

// groupDM is a new group DM of a user who installed the app to their
// account: no bot is a member of it.
func (c *channels) groupDM() discordtest.Caller {
	ca := c.next("")
	ca.GroupDM, ca.UserInstall = true, true
	return ca
}
