package bot

import "testing"

// TestZones: what someone types finds the zone they mean first, and every
// suggestion is a zone LoadZone reads. (Moved from the Discord adapter.)
func TestZones(t *testing.T) {
	t.Parallel()
	tests := []struct {
		typed string
		first string
		max   int
	}{
		{"", "Europe/London", 25},
		{"lond", "Europe/London", 25},
		{"new york", "America/New_York", 25},
		{"europe/be", "Europe/Belgrade", 25},
		{"US/Eastern", "US/Eastern", 25},
		{"a", "", 25},
		{"zzzz", "", 0},
	}
	for _, tc := range tests {
		t.Run(tc.typed, func(t *testing.T) {
			got := zones(tc.typed, 25)
			if len(got) > tc.max || (tc.first != "" && (len(got) == 0 || got[0] != tc.first)) {
				t.Errorf("zones(%q) = %q, want at most %d starting with %q", tc.typed, got, tc.max, tc.first)
			}
			for _, z := range got {
				if _, err := LoadZone(z); err != nil {
					t.Errorf("zones(%q) suggests %q: %v", tc.typed, z, err)
				}
			}
		})
	}
}
