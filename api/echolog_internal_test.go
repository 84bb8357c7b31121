package api

import (
	"bytes"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/coalition-directory/coalition/internal/directory"
)

// TestEchoLogsIntoTheServerLog checks that what Echo logs itself goes into
// the server's structured log, at its level, and not to standard output.
func TestEchoLogsIntoTheServerLog(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	h, err := NewServer(log, directory.NewService(nil, nil), noDB{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	e := h.(*echo.Echo)
	if e.Logger.Output() == io.Writer(os.Stdout) {
		t.Fatal("Echo logs to standard output")
	}
	e.Logger.Error("route without handler")
	line := buf.String()
	if !strings.Contains(line, `"level":"ERROR"`) || !strings.Contains(line, `"msg":"echo: route without handler"`) {
		t.Errorf("Echo's line in the server log: %q", line)
	}
}
