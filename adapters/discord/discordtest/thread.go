package discordtest

import (
	"encoding/json"
	"net/http"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
)

// Thread is a thread the bot started on a message
// (POST /channels/{channel}/messages/{message}/threads). Its id is the
// message's, as on Discord, and posts to it are a channel's like any:
// Messages(thread.ID) returns them.
type Thread struct {
	ID                  string // the message's id
	ParentID            string // the channel of the message
	Name                string
	AutoArchiveDuration int // minutes
	// JSON is the body the bot sent.
	JSON json.RawMessage
}

// threads are the threads of a Server, under its mu.
type threads struct {
	byID  map[string]Thread // by id, the id of the message it was started on
	order []string          // ids, in the order they were started
	// failures fail starting threads on a channel's messages,
	// postFailures the posts to those threads, by the channel.
	failures     map[string]*Failure
	postFailures map[string]*Failure
	attempts     map[string]int // starts, by the channel
}

func newThreads() threads {
	return threads{byID: map[string]Thread{}, failures: map[string]*Failure{}, postFailures: map[string]*Failure{}, attempts: map[string]int{}}
}

// Discord's limits on a thread: its name's length and the auto-archive
// durations it takes, in minutes.
const maxThreadName = 100

var archiveDurations = []int{60, 1440, 4320, 10080}

// ThreadAlreadyExists is Discord's answer to a second thread on a message.
func ThreadAlreadyExists() Failure {
	return Failure{Status: http.StatusBadRequest, Code: 160004, Message: "A thread has already been created for this message"}
}

// FailThreads makes starting a thread on a message of channelID fail
// with f, such as MissingPermissions (the bot lacks Create Public
// Threads).
func (s *Server) FailThreads(channelID string, f Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.threads.failures[channelID] = &f
}

// FailThreadPosts makes posts to every thread started on a message of
// channelID fail with f, such as MissingPermissions (the bot lacks Send
// Messages in Threads), unless FailChannel fails the thread itself.
func (s *Server) FailThreadPosts(channelID string, f Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.threads.postFailures[channelID] = &f
}

// ClearThreadFailure makes starting threads on messages of channelID, and
// posting to them, work again.
func (s *Server) ClearThreadFailure(channelID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.threads.failures, channelID)
	delete(s.threads.postFailures, channelID)
}

// Threads returns the threads started on messages of channelID, in the
// order they were started.
func (s *Server) Threads(channelID string) []Thread {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Thread
	for _, id := range s.threads.order {
		if t := s.threads.byID[id]; t.ParentID == channelID {
			out = append(out, t)
		}
	}
	return out
}

// ThreadAttempts counts the requests to start a thread on a message of
// channelID, failed ones included.
func (s *Server) ThreadAttempts(channelID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.threads.attempts[channelID]
}

// startThread starts a thread on a message, as Discord does: the message
// must be in the channel and have no thread yet, the name 1 to 100
// characters, the auto-archive duration one Discord offers.
func (s *Server) startThread(w http.ResponseWriter, channel, messageID string, body []byte) {
	s.mu.Lock()
	s.threads.attempts[channel]++
	fail, failed := take(s.threads.failures, channel)
	if s.outsiders[channel] {
		fail, failed = MissingAccess(), true
	}
	s.change()
	s.mu.Unlock()
	if failed {
		writeFailure(w, fail)
		return
	}
	var start discordgo.ThreadStart
	if err := json.Unmarshal(body, &start); err != nil {
		apiError(w, http.StatusBadRequest, 50109, "The request body contains invalid JSON.")
		return
	}
	if n := utf8.RuneCountInString(start.Name); n == 0 || n > maxThreadName {
		apiError(w, http.StatusBadRequest, 50035, "Invalid Form Body: name: Must be between 1 and 100 in length.")
		return
	}
	if start.AutoArchiveDuration != 0 && !slices.Contains(archiveDurations, start.AutoArchiveDuration) {
		apiError(w, http.StatusBadRequest, 50035, "Invalid Form Body: auto_archive_duration: Value must be one of (60, 1440, 4320, 10080).")
		return
	}
	if start.AutoArchiveDuration == 0 {
		start.AutoArchiveDuration = 4320 // the channel's default, as Discord's is often three days
	}
	s.mu.Lock()
	found := slices.ContainsFunc(s.messages[channel], func(m Message) bool { return m.ID == messageID })
	_, exists := s.threads.byID[messageID]
	var t Thread
	if found && !exists {
		t = Thread{ID: messageID, ParentID: channel, Name: start.Name, AutoArchiveDuration: start.AutoArchiveDuration, JSON: json.RawMessage(body)}
		s.threads.byID[messageID] = t
		s.threads.order = append(s.threads.order, messageID)
		s.change()
	}
	s.mu.Unlock()
	switch {
	case !found:
		apiError(w, http.StatusNotFound, 10008, "Unknown Message")
	case exists:
		f := ThreadAlreadyExists()
		apiError(w, f.Status, f.Code, f.Message)
	default:
		writeJSON(w, http.StatusCreated, map[string]any{
			"id": t.ID, "type": discordgo.ChannelTypeGuildPublicThread, "parent_id": t.ParentID, "name": t.Name,
			"owner_id": s.opts.ApplicationID, "message_count": 0, "member_count": 1,
			"thread_metadata": map[string]any{
				"archived": false, "locked": false, "auto_archive_duration": t.AutoArchiveDuration,
				"archive_timestamp": time.Now().UTC().Format(time.RFC3339),
			},
		})
	}
}
