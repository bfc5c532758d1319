// Package bench is idsentry's reproducible benchmark (`idsentry bench`).
//
// It generates a sign-in-heavy dataset with the demo tenant generator (one
// big NDJSON file of Azure Monitor sign-in records and a gzip copy), then
// measures, each in a child process of the same binary so each has its own
// peak RSS: (a) a raw read counting newlines, (b) fastjson parsing only,
// (c) a naive baseline (encoding/json into maps and an interpreter walking
// the Sigma AST of the same rules), (d) jq with a one-field filter, (e) the
// scan path (scan.Run and package detect with the built-in pack and every
// SigmaHQ rule for the log kinds idsentry reads) on one core and on all
// cores, (f) the same on the gzip copy, and the correlation state of one
// million distinct users. The report checks the targets of issue 6 in the
// same run, so the ratios hold on a noisy machine.
package bench
