package bot

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned by store methods that look up one record that does
// not exist.
var ErrNotFound = errors.New("not found")

// ErrNotOwner is returned by FinishPost when the caller no longer holds the
// post's claim: another process took it over.
var ErrNotOwner = errors.New("the claim on this post is held by another process")

// Store is everything the bot keeps between requests and across restarts:
// what each channel was shown, the daily subscriptions, the daily posts and
// each channel's deck. SQLite and PostgreSQL implement it for production,
// MemoryStore in process; bot/storetest holds them all to one contract.
type Store interface {
	Memory
	DailyStore
	// Ping reports whether the store answers, for readiness checks.
	Ping(ctx context.Context) error
	// Close releases the store.
	Close() error
}

// DailyStore keeps the daily picks: who is subscribed, what was posted on
// which local day, and each channel's deck. Every method returns an error
// only if the store failed, or the sentinel it names.
type DailyStore interface {
	// PutSubscription creates or replaces the subscription of s.Channel,
	// clearing any pause.
	PutSubscription(ctx context.Context, s Subscription) error
	// DeleteSubscription removes a subscription; ErrNotFound if there is none.
	DeleteSubscription(ctx context.Context, ch ChannelKey) error
	// GetSubscription returns a channel's subscription; ErrNotFound if none.
	GetSubscription(ctx context.Context, ch ChannelKey) (Subscription, error)
	// ListSubscriptions returns every subscription ordered by platform and
	// channel.
	ListSubscriptions(ctx context.Context) ([]Subscription, error)
	// PauseSubscription stops posting to a channel until it subscribes
	// again, recording why; ErrNotFound if it has no subscription.
	PauseSubscription(ctx context.Context, ch ChannelKey, reason string) error

	// ClaimPost records p for (p.Channel, p.Date) when there is no record
	// yet, and takes over a record left PostPending, or PostClaimed or
	// PostSending by p.Owner itself (a restarted process) or with a
	// ClaimedAt before staleBefore (its claimer is presumed dead), keeping
	// the record's Pick. A record taken over from PostSending stays
	// PostSending, with its Sending: the platform may have the post. It
	// returns the record as it stands afterwards and whether the caller,
	// p.Owner, now holds it: of many concurrent callers at most one wins.
	// p.State is PostClaimed to post, or PostMissed or PostSkipped to
	// record a day without a post (those are never taken over).
	ClaimPost(ctx context.Context, p Post, staleBefore time.Time) (Post, bool, error)
	// MarkSending records, before the platform is called, that p.Owner,
	// which holds the post, is sending it: the record becomes PostSending
	// with p.Sending and p.Error, and stays held. Whoever takes it over
	// then knows the platform may have it. ErrNotOwner if the claim was
	// taken over.
	MarkSending(ctx context.Context, p Post) error
	// FinishPost records the outcome of a post p.Owner holds (PostClaimed
	// or PostSending): PostSent or PostUnknown (and then deck, when not
	// nil, becomes the channel's deck in the same transaction: see
	// Post.Dealt), PostPending (retry later), PostMissed or PostFailed.
	// ErrNotOwner if the claim was taken over.
	FinishPost(ctx context.Context, p Post, deck *Deck) error
	// GetPost returns the record for a channel and local date; ErrNotFound
	// if there is none.
	GetPost(ctx context.Context, ch ChannelKey, date string) (Post, error)
	// RecentPosts returns up to n records of a channel, newest date first.
	RecentPosts(ctx context.Context, ch ChannelKey, n int) ([]Post, error)
	// UnfinishedPosts returns every record in PostClaimed, PostSending or
	// PostPending.
	UnfinishedPosts(ctx context.Context) ([]Post, error)
	// GetDeck returns a channel's deck; ErrNotFound before its first post.
	GetDeck(ctx context.Context, ch ChannelKey) (Deck, error)
}

// Subscription asks for a daily pick in a channel at a local time.
type Subscription struct {
	Channel  ChannelKey
	Time     string // local time of day, "09:00"
	Timezone string // IANA zone, "Europe/London"
	// Source is "config" for daily.channels, "chat" for /daily subscribe.
	Source    string
	CreatedBy string    // user id, for chat
	Since     time.Time // when it was created or last changed: no day before it is missed
	Paused    string    // why posting stopped, empty while it runs
}

// PostState is where a daily post stands.
type PostState string

// The states of a daily post.
const (
	PostClaimed PostState = "claimed" // a process is posting it
	// PostSending: a process holds it and has called the platform, which
	// may have the post whatever the process heard back (or if it died).
	// Whoever takes it over settles it before sending anything anew.
	PostSending PostState = "sending"
	PostPending PostState = "pending" // a failure that left nothing in the channel: the next tick retries
	PostSent    PostState = "sent"
	// PostUnknown: the platform may have the post, its answer was lost,
	// and the bot could not find out; it does not send it again.
	PostUnknown PostState = "unknown"
	PostMissed  PostState = "missed"  // too late to post
	PostSkipped PostState = "skipped" // /daily skip
	PostFailed  PostState = "failed"  // a permanent failure: the subscription is paused
)

// Post is the record of one channel's daily pick on one local date.
type Post struct {
	Channel    ChannelKey
	Date       string // local date, "2026-11-26"
	Pick       string // id of the pick
	State      PostState
	Owner      string    // the process that claimed it
	Due        time.Time // when it was due
	ClaimedAt  time.Time
	FinishedAt time.Time
	Attempts   int // claims so far: more than one means a retry or a takeover
	// Sending is when the first call to the platform that may have reached
	// it began, while the post is PostSending.
	Sending time.Time
	Error   string
}

// Held reports whether a process holds the post: PostClaimed or
// PostSending.
func (p Post) Held() bool { return p.State == PostClaimed || p.State == PostSending }

// Dealt reports whether the post's pick is dealt from the channel's deck:
// sent, or unknown (it may be in the channel, so it must not come again
// the next day).
func (p Post) Dealt() bool { return p.State == PostSent || p.State == PostUnknown }

// Key names the post on its platform, the same for every attempt, process
// and restart: a Discord nonce is made of it, a Slack message carries it.
func (p Post) Key() string { return p.Channel.String() + "/" + p.Date }

// Deck is a channel's rotation: the cards left to deal in this shuffle.
type Deck struct {
	Cycle int      // shuffles dealt before this one
	Cards []string // pick ids still to deal, in order
	Last  string   // the card dealt last, which the next shuffle must not start with
}
