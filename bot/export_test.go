package bot

// Exported for the tests of package bot_test only.
var (
	DueAt      = dueAt
	Shuffle    = shuffle
	DailyReply = dailyReply
)
