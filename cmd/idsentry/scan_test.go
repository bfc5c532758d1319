package main

import (
	"fmt"
	"slices"
	"testing"
)

func TestEvaluationWarnings(t *testing.T) {
	var errs []error
	for i := range 7 {
		errs = append(errs, fmt.Errorf("error %d", i))
	}
	got := evaluationWarnings(errs)
	want := []string{"evaluation: error 0", "evaluation: error 1", "evaluation: error 2", "evaluation: error 3",
		"evaluation: error 4", "2 more evaluation errors"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := evaluationWarnings(nil); got != nil {
		t.Errorf("no errors: got %q", got)
	}
}
