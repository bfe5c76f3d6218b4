package bot

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Handler answers requests. Adapters translate platform events into
// requests and render the replies.
type Handler interface {
	Handle(ctx context.Context, req Request) Reply
}

// Poster sends a scheduled message, such as the daily pick, to a channel on
// one platform. Discord and Slack adapters implement it.
type Poster interface {
	// Post sends reply to channel as the post named key (Post.Key): every
	// attempt at one post has the same key. A failure is a *PostError
	// saying whether retrying can help, and whether the platform may have
	// taken the post all the same (Unknown).
	Post(ctx context.Context, channel, key string, reply Reply) error
	// Look reports whether channel has the post named key, sent no
	// earlier than since, for a post whose answer was lost. An error
	// wrapping ErrCannotLook means the poster cannot tell (the platform
	// offers no way, or the bot lacks the permission); another is a
	// *PostError, a failure that may pass.
	Look(ctx context.Context, channel, key string, since time.Time) (bool, error)
	// Dedup is how long after a post its platform answers another with
	// the same key with the first instead of posting it again (Discord's
	// nonce), so that sending a post in doubt again is safe; 0 if never.
	Dedup() time.Duration
}

// ErrCannotLook is wrapped by the error of Poster.Look when the poster
// cannot tell whether a post is in the channel.
var ErrCannotLook = errors.New("cannot look for the post")

// PostError is a failed post.
type PostError struct {
	// Permanent is set when retrying cannot help until someone acts: the
	// channel is unknown, the bot is not in it or lacks permission.
	Permanent bool
	// Unknown is set when the request may have reached the platform and
	// no answer came back (the connection broke after it was sent, or the
	// answer was slower than the client's timeout): the post may be in
	// the channel. Sending it again as new could post it twice.
	Unknown bool
	// RetryAfter, when set, is how long the platform asked to wait (429).
	RetryAfter time.Duration
	// Global, with RetryAfter, says the wait holds every post to the
	// platform (Discord's global limit); otherwise only this channel's
	// route waits and other channels post on time.
	Global bool
	// Hint tells an operator what to do, for a permanent failure.
	Hint string
	Err  error
}

func (e *PostError) Error() string {
	switch {
	case e.Permanent && e.Hint != "":
		return fmt.Sprintf("permanent: %v (%s)", e.Err, e.Hint)
	case e.Permanent:
		return fmt.Sprintf("permanent: %v", e.Err)
	case e.Unknown:
		return fmt.Sprintf("%v (the request was sent: the post may be in the channel)", e.Err)
	case e.RetryAfter > 0:
		return fmt.Sprintf("%v (retry after %s)", e.Err, e.RetryAfter)
	}
	return e.Err.Error()
}

func (e *PostError) Unwrap() error { return e.Err }

// FollowUpError is returned by Poster.Post when the post went out but what
// was to follow it did not: its thread could not be opened. The post is
// sent, and is never sent again for it; the error is recorded with it.
type FollowUpError struct {
	Err error
}

func (e *FollowUpError) Error() string { return "the post went out, but " + e.Err.Error() }

func (e *FollowUpError) Unwrap() error { return e.Err }

// Memory remembers what each channel was shown, so /why with no title
// explains the last pick, "Another" skips what the channel has seen and
// /random deals every pick before repeating one.
type Memory interface {
	// Remember records that ids were shown in ch; ids[0] becomes the
	// channel's last pick. It returns an error only if the store failed.
	Remember(ctx context.Context, ch ChannelKey, ids []string) error
	// Recent returns up to n distinct ids shown in ch since its rotation last
	// started over, newest first; a channel with no history returns none and
	// a nil error.
	Recent(ctx context.Context, ch ChannelKey, n int) ([]string, error)
	// Restart starts ch's rotation over: Recent forgets what was shown
	// before. The caller remembers the pick that opens the new rotation.
	Restart(ctx context.Context, ch ChannelKey) error
}

// Clock tells the time and waits. Anything that schedules takes one, so
// tests move time instead of sleeping.
type Clock interface {
	Now() time.Time
	// Sleep waits for d, or returns ctx's error when it ends first.
	Sleep(ctx context.Context, d time.Duration) error
}

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
