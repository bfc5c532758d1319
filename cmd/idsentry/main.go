// Command idsentry detects identity and application-access threats in
// Microsoft Entra ID, Microsoft 365, AWS CloudTrail and Kubernetes audit logs
// with Sigma rules. See README.md.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

// Exit codes, documented in README.md.
const (
	exitOK         = 0
	exitFindings   = 1 // alerts at or above --fail-on; rules test failures; rule check errors
	exitUsage      = 2 // bad flags or arguments
	exitUnreadable = 3 // an input could not be read or recognised (or --strict and bad records)
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// exitError carries an exit code through cobra.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func exitf(code int, format string, args ...any) error {
	return &exitError{code: code, err: fmt.Errorf(format, args...)}
}

func newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:           "idsentry",
		Short:         "Identity-threat detection for Entra ID, Microsoft 365, AWS STS and Kubernetes logs",
		Long:          "idsentry reads exported logs as Microsoft, AWS and Kubernetes emit them and runs Sigma detections and correlations over them.",
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       version,
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &exitError{code: exitUsage, err: err}
	})
	root.AddCommand(newInspect(), newRules(), newScan(), newDemo(), newBench(), newBenchStage())
	return root
}

func main() {
	os.Exit(run(os.Args[1:]))
}

// run executes the command line and returns the process exit code.
func run(args []string) int {
	root := newRoot()
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil && ee.err.Error() != "" {
			fmt.Fprintln(os.Stderr, "idsentry:", ee.err)
		}
		return ee.code
	}
	fmt.Fprintln(os.Stderr, "idsentry:", err)
	return exitUsage
}
