package bot

// Failure is the reply to a request that failed on the bot's side.
func Failure() Reply {
	return Reply{Private: true, Error: "Something went wrong on our side and it has been logged. Please try again."}
}

func kindNoun(k Kind, n int) string {
	switch {
	case k == Film && n == 1:
		return "film"
	case k == Film:
		return "films"
	case k == TV:
		return "series"
	}
	if n == 1 {
		return "pick"
	}
	return "picks"
}
