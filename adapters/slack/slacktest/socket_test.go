package slacktest_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	slackapi "github.com/slack-go/slack"

	"github.com/industrybot/industrybot/adapters/slack/slacktest"
)

// socketClient is a bare Socket Mode client: a WebSocket to the fake whose
// messages arrive on msgs until it is closed.
type socketClient struct {
	ws   *websocket.Conn
	msgs chan map[string]any
}

func dialSocket(ctx context.Context, t *testing.T, s *slacktest.Server) *socketClient {
	t.Helper()
	api := slackapi.New(slacktest.BotToken, slackapi.OptionAppLevelToken(slacktest.AppToken), slackapi.OptionAPIURL(s.APIURL()))
	_, url, err := api.StartSocketModeContext(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ws, _, err := websocket.DefaultDialer.DialContext(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	c := &socketClient{ws: ws, msgs: make(chan map[string]any, 16)}
	go func() {
		defer close(c.msgs)
		for {
			var m map[string]any
			if err := ws.ReadJSON(&m); err != nil {
				return
			}
			c.msgs <- m
		}
	}()
	if m := c.next(ctx, t); m["type"] != "hello" {
		t.Fatalf("first message %v, want hello", m)
	}
	return c
}

func (c *socketClient) next(ctx context.Context, t *testing.T) map[string]any {
	t.Helper()
	select {
	case m, ok := <-c.msgs:
		if !ok {
			t.Fatal("the fake closed the connection")
		}
		return m
	case <-ctx.Done():
		t.Fatal(ctx.Err())
		return nil
	}
}

// TestDisconnectSendsToTheNewConnection: once the fake has asked a client
// to reconnect, envelopes go to the new connection, even while the old one
// is still open. slack-go closes the old one as soon as it reads the
// request, and an envelope sent there was lost.
func TestDisconnectSendsToTheNewConnection(t *testing.T) {
	s := slacktest.New(t)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	old := dialSocket(ctx, t, s)
	if err := s.WaitConnected(ctx, 1); err != nil { // the fake counts it after its hello
		t.Fatal(err)
	}
	if err := s.Disconnect(); err != nil {
		t.Fatal(err)
	}
	if m := old.next(ctx, t); m["type"] != "disconnect" {
		t.Fatalf("after Disconnect: %v, want a disconnect request", m)
	}
	fresh := dialSocket(ctx, t, s)
	if err := s.WaitConnected(ctx, 2); err != nil {
		t.Fatal(err)
	}

	acked := make(chan error, 1)
	go func() {
		_, err := s.SendSlashCommand(ctx, slackapi.SlashCommand{ChannelID: "C1", UserID: "U1", Command: "/help"})
		acked <- err
	}()
	select {
	case m := <-old.msgs:
		t.Fatalf("the connection asked to reconnect got %v", m)
	case m := <-fresh.msgs:
		if m["type"] != "slash_commands" {
			t.Fatalf("new connection got %v, want the slash command", m)
		}
		ack, err := json.Marshal(map[string]any{"envelope_id": m["envelope_id"]})
		if err != nil {
			t.Fatal(err)
		}
		if err := fresh.ws.WriteMessage(websocket.TextMessage, ack); err != nil {
			t.Fatal(err)
		}
	case <-ctx.Done():
		t.Fatal(ctx.Err())
	}
	if err := <-acked; err != nil {
		t.Fatal(err)
	}
}
