// Package output renders what a scan found: the end-of-scan summary and the
// alert table on a terminal, alerts as JSONL (DESIGN.md §9), CSV for Excel
// and Timeline Explorer, OCSF Detection Findings, a CSV timeline of matched
// events, and one self-contained HTML report.
//
// Every writer is deterministic: it sorts what it is given (alerts by first
// seen, then level, rule and id) and never reads the clock, so golden files
// stay stable and two runs over the same input produce the same bytes.
//
// Everything taken from a log is attacker-controlled text. The terminal
// writers strip control characters (no escape-sequence injection), the CSV
// writers neutralise cells that spreadsheet programs would evaluate as
// formulas, and the HTML report is rendered with html/template under a
// Content-Security-Policy that forbids any network access.
package output
