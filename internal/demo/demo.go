// Package demo generates a realistic example tenant: a week of Microsoft
// Entra ID, Microsoft 365, Azure, AWS CloudTrail and Kubernetes logs in the
// export formats those systems really produce, with attack stories inside
// and a ground-truth file naming every record that belongs to a story.
//
// The organisation (users with job titles, admins with roles, working hours
// in their time zones, devices, first- and third-party applications,
// service principals, managed identities, a key vault, an AWS account and a
// Kubernetes cluster) and everything it does is a pure function of
// Options.Seed: the same options give the same bytes. All names live under
// RFC 2606 example domains and all addresses in the RFC 5737 and RFC 3849
// documentation ranges; tenant.json lists which range stands for which
// place. Output is written as it is generated, so memory stays flat however
// large Options.Size makes it.
//
// Layout under Options.Dir (every log kind in several export formats):
//
//	entra/signins/azure-monitor/<Category>.json      Azure Monitor records, NDJSON, per category
//	entra/signins/event-hub/signins-<day>.json.gz    {"records":[…]}, gzipped, one per day
//	entra/signins/graph/signIns-<n>.json             Graph beta pages with @odata.nextLink
//	entra/signins/log-analytics/<Table>.json|.csv    Log Analytics JSON and portal CSV exports
//	entra/audit/{graph,azure-monitor,log-analytics}  directory audits (and in the UAL files below)
//	entra/apps/graph/*.json                          application and service principal inventory
//	m365/management-api/<ContentType>/<day>.json     Management API content blobs (JSON arrays)
//	m365/purview/AuditLog_<from>_<to>.csv            Purview audit search export
//	azure/keyvault, azure/activity                   resource-log NDJSON and {"records":[…]}
//	aws/AWSLogs/<account>/CloudTrail/…json.gz        CloudTrail {"Records":[…]}, one per day
//	kubernetes/kube-apiserver-audit.log, eventlist-* audit.k8s.io/v1 NDJSON and EventList
//	tenant.json, identities.json, ground-truth.json  the organisation, a Graph users export, the stories
//
// The stories are S1-S6 of issue 5 and the S7 identity attacks of
// detections.md §4; traps T1 and T2 are benign activity that looks
// malicious. ground-truth.json lists, per story, the detections it should
// raise and every record (file, line, index, ID) that belongs to it.
package demo

import (
	"errors"
	"fmt"
	"os"
	"time"
)

// Options configures a run of Generate.
type Options struct {
	// Dir is the directory the files are written under; it is created if
	// needed. Required.
	Dir string
	// Seed selects the tenant, its background activity and the stories'
	// details.
	Seed int64
	// Users is the number of people in the organisation (default 50,
	// at least 20: the stories need that many).
	Users int
	// Days is the length of the window (default 7, at least 3).
	Days int
	// Size, when positive, scales the background volume so the output
	// totals about that many bytes. Zero keeps the default small demo.
	Size int64
	// Start is the first instant of the window, truncated to a UTC
	// midnight (default DefaultStart).
	Start time.Time
	// SignInHeavy puts the scaled volume into sign-in logs only (for
	// sign-in benchmarks); without Size it triples sign-in background.
	SignInHeavy bool
}

// DefaultStart is the default first instant: Monday 16 November 2026 UTC.
var DefaultStart = time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC)

// Defaults.
const (
	DefaultUsers = 50
	DefaultDays  = 7
	minDays      = 3
	maxUsers     = 20000
)

// Manifest describes what Generate wrote.
type Manifest struct {
	Dir         string      `json:"dir"`
	Seed        int64       `json:"seed"`
	Users       int         `json:"users"`
	Days        int         `json:"days"`
	Start       time.Time   `json:"start"`
	End         time.Time   `json:"end"`
	Scale       float64     `json:"backgroundScale"`
	Files       []FileInfo  `json:"files"`
	Records     int64       `json:"records"`
	Bytes       int64       `json:"bytes"`
	Stories     []StoryInfo `json:"stories"`
	GroundTruth string      `json:"groundTruth"`
	Tenant      string      `json:"tenant"`
	Identities  string      `json:"identities"`
}

// FileInfo is one written file.
type FileInfo struct {
	// Path is slash-separated and relative to Manifest.Dir.
	Path string `json:"path"`
	// Format names the export format (graph-page, azure-monitor-ndjson,
	// azure-monitor-records, log-analytics-json, log-analytics-csv,
	// ual-management-api, ual-purview-csv, cloudtrail-records,
	// k8s-audit-ndjson, k8s-eventlist, graph-inventory, graph-users,
	// demo-tenant, demo-ground-truth).
	Format string `json:"format"`
	// Kind is the event.Kind name of the records when they are all of one
	// kind; Kinds lists every kind present (a UAL Audit.AzureActiveDirectory
	// blob holds sign-ins and directory audits). Both are empty for the
	// metadata files.
	Kind    string   `json:"kind,omitempty"`
	Kinds   []string `json:"kinds,omitempty"`
	Gzip    bool     `json:"gzip,omitempty"`
	Records int64    `json:"records"`
	Bytes   int64    `json:"bytes"`
}

// StoryInfo summarises one story (or benign trap) of the ground truth.
type StoryInfo struct {
	ID      string `json:"id"`
	Title   string `json:"title"`
	Trap    bool   `json:"trap,omitempty"`
	Records int    `json:"records"`
}

// Generate writes the example tenant under opts.Dir and returns what it
// wrote.
func Generate(opts Options) (*Manifest, error) {
	if err := opts.normalise(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", opts.Dir, err)
	}
	g := newGenerator(opts)
	if err := g.run(); err != nil {
		return nil, err
	}
	return g.manifest(), nil
}

func (o *Options) normalise() error {
	if o.Dir == "" {
		return errors.New("demo: output directory is required")
	}
	if o.Users == 0 {
		o.Users = DefaultUsers
	}
	if o.Days == 0 {
		o.Days = DefaultDays
	}
	if o.Users < minUsers || o.Users > maxUsers {
		return fmt.Errorf("demo: users must be between %d and %d, not %d", minUsers, maxUsers, o.Users)
	}
	if o.Days < minDays {
		return fmt.Errorf("demo: days must be at least %d, not %d", minDays, o.Days)
	}
	if o.Size < 0 {
		return fmt.Errorf("demo: size must not be negative, not %d", o.Size)
	}
	if o.Start.IsZero() {
		o.Start = DefaultStart
	}
	o.Start = o.Start.UTC().Truncate(24 * time.Hour)
	return nil
}
