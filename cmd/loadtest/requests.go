package main

import (
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// request is one prepared, signed request.
type request struct {
	path        string
	contentType string
	header      http.Header
	body        []byte
	want        string // a substring of a good answer
}

// mix is a kind of load: which requests, in turn.
type mix struct {
	name  string
	about string
	// slack says the mix is Slack's alone, which Bolt can be measured on.
	slack bool
	make  func(secret string, key ed25519.PrivateKey) []request
}

// mixes are the loads of a run: Slack's /why alone, as the figures
// were measured (and Bolt can be compared on), Slack's commands, Discord's
// interactions, and both platforms half and half.
func mixes() []mix {
	return []mix{
		{"Slack /why", "/why of 4 titles in 8 channels", true, func(s string, _ ed25519.PrivateKey) []request { return slackRequests(s, slackWhy) }},
		{"Slack", "/recommend ×3, /why ×2, /random in 8 channels", true, func(s string, _ ed25519.PrivateKey) []request { return slackRequests(s, slackCommands) }},
		{"Discord", "/recommend ×3, /why ×2, /random in 8 channels", false, func(_ string, k ed25519.PrivateKey) []request { return discordRequests(k) }},
		{"half and half", "the Slack and Discord mixes interleaved", false, func(s string, k ed25519.PrivateKey) []request {
			return interleave(slackRequests(s, slackCommands), discordRequests(k))
		}},
	}
}

var (
	slackWhy      = [][2]string{{"/why", "heat"}, {"/why", "the social network"}, {"/why", "mad men"}, {"/why", "moneyball"}}
	slackCommands = [][2]string{{"/recommend", "something tense"}, {"/recommend", "talky kind:film"}, {"/why", "heat"}, {"/why", "social netwrok"}, {"/random", "tv"}, {"/recommend", "like Succession"}}
)

// slackRequests prepares slash commands in 8 channels, signed now (Slack
// accepts 5 minutes).
func slackRequests(secret string, cmds [][2]string) []request {
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	var out []request
	for ch := range 8 {
		for i, c := range cmds {
			form := url.Values{
				"token": {"x"}, "team_id": {"T1"}, "team_domain": {"load"}, "channel_id": {fmt.Sprintf("C%d", ch)},
				"channel_name": {"load"}, "user_id": {fmt.Sprintf("U%d", i)}, "user_name": {"load"}, "command": {c[0]},
				"text": {c[1]}, "response_url": {"http://127.0.0.1:1/unused"}, "trigger_id": {"1.2.3"},
			}
			body := []byte(form.Encode())
			mac := hmac.New(sha256.New, []byte(secret))
			fmt.Fprintf(mac, "v0:%s:%s", ts, body)
			h := http.Header{}
			h.Set("X-Slack-Request-Timestamp", ts)
			h.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
			out = append(out, request{"/slack/commands", "application/x-www-form-urlencoded", h, body, "blocks"})
		}
	}
	return out
}

// discordRequests prepares interactions in 8 channels, signed now.
func discordRequests(key ed25519.PrivateKey) []request {
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	cmds := []struct {
		name string
		opt  string
		val  string
	}{{"recommend", "query", "something tense"}, {"recommend", "query", "british comedy"}, {"why", "title", "heat"}, {"why", "title", "mad man"}, {"random", "kind", "film"}, {"recommend", "query", "like Succession"}}
	var out []request
	for ch := range 8 {
		for i, c := range cmds {
			in := map[string]any{
				"id": fmt.Sprint(1000 + i*10 + ch), "application_id": "1", "type": 2, "token": "interaction-token", "version": 1,
				"channel_id": fmt.Sprint(500 + ch), "guild_id": "42",
				"member": map[string]any{"user": map[string]any{"id": fmt.Sprint(77 + i), "username": "load"}, "permissions": "0"},
				"data":   map[string]any{"id": "9", "name": c.name, "type": 1, "options": []any{map[string]any{"name": c.opt, "type": 3, "value": c.val}}},
			}
			body, _ := json.Marshal(in)
			h := http.Header{}
			h.Set("X-Signature-Timestamp", ts)
			h.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(key, append([]byte(ts), body...))))
			out = append(out, request{"/discord/interactions", "application/json", h, body, `"type":4`})
		}
	}
	return out
}

func interleave(a, b []request) []request {
	var out []request
	for i := range max(len(a), len(b)) {
		if i < len(a) {
			out = append(out, a[i])
		}
		if i < len(b) {
			out = append(out, b[i])
		}
	}
	return out
}

// requests is the half-and-half mix, for the attack and shutdown tests.
func requests(secret string, key ed25519.PrivateKey) []request {
	return interleave(slackRequests(secret, slackCommands), discordRequests(key))
}
