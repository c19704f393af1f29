package format

import (
	"strings"
	"testing"
)

func TestParseFormat(t *testing.T) {
	for _, s := range []string{"table", "CSV", "json", "md", "markdown"} {
		if _, err := Parse(s); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
	if _, err := Parse("xml"); err == nil || !strings.Contains(err.Error(), Names) {
		t.Errorf("xml: got %v", err)
	}
}
