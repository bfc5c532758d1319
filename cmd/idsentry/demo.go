package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/idsentry/idsentry/internal/demo"
	"github.com/spf13/cobra"
)

func newDemo() *cobra.Command {
	var (
		opts    demo.Options
		out     string
		noScan  bool
		noColor bool
	)
	c := &cobra.Command{
		Use:   "demo",
		Short: "Generate a realistic example tenant with attacks inside, then scan it and write the HTML report",
		Long: `demo writes a week of logs of an example organisation (users, apps, service principals, working hours,
countries, devices) in every export format idsentry reads — Graph pages, Azure Monitor records, Log Analytics
JSON and CSV, Purview CSV, Management API blobs, CloudTrail, Kubernetes audit, gzipped and not — with attack
stories inside (consent phishing, MFA fatigue, token replay, an app credential backdoor, STS federation token
abuse, service-account token harvesting, …) and a ground-truth file naming every record of every story. Then
it runs idsentry scan on the logs and writes report.html beside them. The same --seed gives the same bytes.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Dir = out
			start := time.Now()
			m, err := demo.Generate(opts)
			if err != nil {
				return exitf(exitUnreadable, "demo: %v", err)
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "Generated %d records (%.1f MB) in %d files under %s in %s: %d users, %d days, %d attack stories.\n",
				m.Records, float64(m.Bytes)/1e6, len(m.Files), m.Dir, time.Since(start).Round(time.Millisecond), m.Users, m.Days, len(m.Stories))
			if noScan {
				return nil
			}
			var logs []string
			for _, f := range m.Files {
				if f.Kind == "" && len(f.Kinds) == 0 {
					continue // tenant.json, ground-truth.json, identities.json
				}
				logs = append(logs, filepath.Join(m.Dir, filepath.FromSlash(f.Path)))
			}
			f := scanFlags{html: filepath.Join(m.Dir, "report.html"), jsonl: filepath.Join(m.Dir, "alerts.jsonl"), tz: "UTC", minIPPriority: -1, noColor: noColor}
			if m.Identities != "" {
				f.identities = filepath.Join(m.Dir, m.Identities)
			}
			if t, err := readTenant(filepath.Join(m.Dir, m.Tenant)); err == nil {
				f.verifiedDomains = t.VerifiedDomains
				f.businessHours = t.BusinessHours
			}
			fmt.Fprintf(w, "Scanning them: idsentry scan --verified-domain … --business-hours %q --identities %s --html %s --jsonl %s %s/…\n\n",
				f.businessHours, f.identities, f.html, f.jsonl, m.Dir)
			err = runScan(cmd, logs, f)
			fmt.Fprintf(w, "\nLogs:         %s\nGround truth: %s (which records belong to which story)\nAlerts:       %s\nReport:       %s\n",
				m.Dir, filepath.Join(m.Dir, m.GroundTruth), f.jsonl, f.html)
			return err
		},
	}
	fl := c.Flags()
	fl.StringVar(&out, "out", "idsentry-demo", "directory to write the example tenant's logs to")
	fl.Int64Var(&opts.Seed, "seed", 1, "random seed: the same seed gives the same files")
	fl.IntVar(&opts.Users, "users", 50, "users in the organisation (at least 20)")
	fl.IntVar(&opts.Days, "days", 7, "days of logs (at least 3)")
	fl.Int64Var(&opts.Size, "size", 0, "scale the benign background to about this many bytes (e.g. 1000000000 for a 1 GB benchmark)")
	fl.BoolVar(&noScan, "no-scan", false, "only generate the logs")
	fl.BoolVar(&noColor, "no-color", false, "no colours")
	return c
}

// tenantFile is the part of the demo's tenant.json the scan uses.
type tenantFile struct {
	VerifiedDomains []string `json:"verifiedDomains"`
	BusinessHours   string   `json:"-"`
	Hours           struct {
		Days     []string `json:"days"`
		Start    string   `json:"start"`
		End      string   `json:"end"`
		TimeZone string   `json:"timeZone"`
	} `json:"businessHours"`
}

func readTenant(path string) (*tenantFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var t tenantFile
	if err := json.Unmarshal(data, &t); err != nil {
		return nil, err
	}
	if t.Hours.Start != "" && len(t.Hours.Days) > 0 {
		tz := t.Hours.TimeZone
		if tz == "" {
			tz = "UTC"
		}
		t.BusinessHours = fmt.Sprintf("%.3s-%.3s %s-%s %s", t.Hours.Days[0], t.Hours.Days[len(t.Hours.Days)-1], t.Hours.Start, t.Hours.End, tz)
	}
	return &t, nil
}
