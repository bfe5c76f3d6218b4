package bot_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestCoreDependsOnNoAdapter keeps dependencies pointing inward: the core
// imports no adapter, no platform SDK, no CLI or configuration library.
func TestCoreDependsOnNoAdapter(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/industrybot/industrybot/bot").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	forbidden := []string{
		"github.com/industrybot/industrybot/adapters",
		"github.com/industrybot/industrybot/cmd",
		"github.com/bwmarrin/discordgo",
		"github.com/slack-go/slack",
		"github.com/spf13/",
		"github.com/gorilla/websocket",
		"modernc.org/sqlite",
		"github.com/jackc/pgx",
		"github.com/prometheus/",
		"net/http",
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, f := range forbidden {
			if dep == f || strings.HasPrefix(dep, f+"/") || strings.HasSuffix(f, "/") && strings.HasPrefix(dep, f) {
				t.Errorf("bot imports %s", dep)
			}
		}
	}
}
