package output

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// findChromium returns the Debian chromium binary, or "".
func findChromium() string {
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// runChromium runs headless chromium with a fresh profile on url plus args
// and returns its stdout and stderr.
func runChromium(t *testing.T, bin, url string, args ...string) (stdout, stderr []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir(), "--enable-logging=stderr", "--v=0"}
	cmd := exec.CommandContext(ctx, bin, append(append(base, args...), url)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, errb.Bytes())
	}
	return out.Bytes(), errb.Bytes()
}

// consoleErrors returns the log lines that report a script error, a
// console error or a Content-Security-Policy violation (an attempted
// network or inline-code load).
func consoleErrors(log []byte) []string {
	var bad []string
	for _, line := range strings.Split(string(log), "\n") {
		if strings.Contains(line, "Uncaught") || strings.Contains(line, "ERROR:CONSOLE") ||
			(strings.Contains(line, ":CONSOLE") && strings.Contains(line, "Refused to")) {
			bad = append(bad, line)
		}
	}
	return bad
}

// TestHTMLInChromium renders the fixture report in a real browser (Debian's
// chromium, headless): it must load without console errors or CSP
// violations, show the alert titles, run its script (the filter bar counts
// the alerts), and produce a non-empty screenshot. Set
// IDSENTRY_REPORT_OUT=DIR to keep the report and screenshot.
func TestHTMLInChromium(t *testing.T) {
	bin := findChromium()
	if bin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium not found: CI must run the HTML report browser test (apt-get install -y chromium)")
		}
		t.Skip("install Debian's chromium (apt-get install -y chromium) to run this test")
	}
	dir := t.TempDir()
	if keep := os.Getenv("IDSENTRY_REPORT_OUT"); keep != "" {
		dir = keep
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	report := filepath.Join(dir, "report.html")
	shot := filepath.Join(dir, "report.png")
	f, err := os.Create(report)
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteHTML(f, fixtureReport(t)); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	url := "file://" + report

	_, log := runChromium(t, bin, url, "--screenshot="+shot, "--window-size=1400,2000")
	if bad := consoleErrors(log); len(bad) > 0 {
		t.Errorf("console errors while rendering:\n%s", strings.Join(bad, "\n"))
	}
	png, err := os.ReadFile(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v\n%s", err, log)
	}
	if len(png) < 1000 || !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Fatalf("screenshot %s is not a PNG (%d bytes)", shot, len(png))
	}
	t.Logf("screenshot: %s (%d bytes)", shot, len(png))

	dom, log := runChromium(t, bin, url, "--dump-dom")
	if bad := consoleErrors(log); len(bad) > 0 {
		t.Errorf("console errors while dumping the DOM:\n%s", strings.Join(bad, "\n"))
	}
	for _, a := range fixtureAlerts() {
		if !bytes.Contains(dom, []byte(a.Rule.Title)) {
			t.Errorf("DOM lacks alert %q", a.Rule.Title)
		}
	}
	if want := "5 of 5 shown"; !bytes.Contains(dom, []byte(want)) {
		t.Errorf("DOM lacks %q: the report's script did not run", want)
	}
	if bytes.Contains(dom, []byte("<script>alert(")) {
		t.Error("log-derived markup became live in the DOM")
	}
}
