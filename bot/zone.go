package bot

import (
	"slices"
	"strings"
)

// commonZones are suggested before anything is typed.
var commonZones = []string{
	"Europe/London", "America/New_York", "America/Los_Angeles", "America/Chicago",
	"Europe/Paris", "Europe/Berlin", "Europe/Dublin", "Asia/Tokyo", "Asia/Kolkata",
	"Asia/Singapore", "Australia/Sydney", "America/Sao_Paulo", "America/Toronto", "UTC",
}

// zones suggests up to n IANA time zones for what someone typed: "lond",
// "new york", "europe/be". Zones whose city starts with it come first, then
// zones whose name starts with it, then zones that contain it. A valid zone
// name not in the list (a link such as "US/Eastern") comes first.
func zones(typed string, n int) []string {
	q := strings.ToLower(strings.Join(strings.Fields(typed), "_"))
	if q == "" {
		return slices.Clone(commonZones[:min(n, len(commonZones))])
	}
	var out []string
	if _, err := LoadZone(strings.TrimSpace(typed)); err == nil && !slices.ContainsFunc(zoneNames, func(z string) bool { return strings.EqualFold(z, typed) }) {
		out = append(out, strings.TrimSpace(typed))
	}
	for rank := range 3 {
		for _, z := range zoneNames {
			lz := strings.ToLower(z)
			city := lz[strings.LastIndexByte(lz, '/')+1:]
			var hit bool
			switch rank {
			case 0:
				hit = strings.HasPrefix(city, q)
			case 1:
				hit = !strings.HasPrefix(city, q) && strings.HasPrefix(lz, q)
			case 2:
				hit = !strings.HasPrefix(city, q) && !strings.HasPrefix(lz, q) && strings.Contains(lz, q)
			}
			if hit {
				out = append(out, z)
				if len(out) == n {
					return out
				}
			}
		}
	}
	return out
}
