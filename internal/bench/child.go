package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// child runs one stage once in a child process and adds its wall time and
// CPU time. one sets GOMAXPROCS=1; profile names the profiles written
// under ProfileDir ("" for none).
func (o *Options) child(ctx context.Context, so StageOptions, one bool, profile string) (*StageResult, error) {
	args := append([]string(nil), o.StageArgs...)
	if so.Sigma != "" {
		args = append(args, "--sigma", so.Sigma)
	}
	if so.Users > 0 {
		args = append(args, "--users", strconv.Itoa(so.Users))
	}
	if so.NoDedup {
		args = append(args, "--no-dedup")
	}
	if o.ProfileDir != "" && profile != "" && so.Name == StageScan {
		args = append(args, "--cpuprofile", filepath.Join(o.ProfileDir, profile+".cpu.pprof"),
			"--memprofile", filepath.Join(o.ProfileDir, profile+".mem.pprof"))
	}
	args = append(args, so.Name)
	if so.File != "" {
		args = append(args, so.File)
	}
	cmd := exec.CommandContext(ctx, o.Exe, args...)
	cmd.Env = append(os.Environ(), o.Env...)
	if one {
		cmd.Env = append(cmd.Env, "GOMAXPROCS=1")
	} else {
		cmd.Env = append(cmd.Env, "GOMAXPROCS=")
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	limit := o.MaxRSS
	if limit <= 0 {
		limit = DefaultMaxRSS
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("stage %s: %w", so.Name, err)
	}
	over := watchRSS(cmd.Process, limit)
	err := cmd.Wait()
	wall := time.Since(start)
	if rss := over(); rss > 0 {
		return nil, &stoppedError{rss: rss, after: wall}
	}
	if err != nil {
		return nil, fmt.Errorf("stage %s: %w: %s", so.Name, err, bytes.TrimSpace(stderr.Bytes()))
	}
	out := bytes.TrimSpace(stdout.Bytes())
	if i := bytes.LastIndexByte(out, '\n'); i >= 0 {
		out = out[i+1:]
	}
	var res StageResult
	if err := json.Unmarshal(out, &res); err != nil {
		return nil, fmt.Errorf("stage %s: bad report %q: %w", so.Name, out, err)
	}
	res.Wall, res.Runs = wall, 1
	var rss int64
	res.CPU, rss = usage(cmd.ProcessState)
	if res.MaxRSS <= 0 {
		res.MaxRSS = rss // no /proc: getrusage, an upper bound
	}
	return &res, nil
}

// usage is the CPU time (user + system) and getrusage maxrss in bytes of
// an exited child (which includes the parent's high-water mark; see
// peakRSS; 0 where the platform has no getrusage).
func usage(ps *os.ProcessState) (cpu time.Duration, rss int64) {
	if ps == nil {
		return 0, 0
	}
	return ps.UserTime() + ps.SystemTime(), maxRSS(ps)
}

// jqFilter is the jq program of row (d): failed sign-ins with error 65004
// (user declined consent), on the Azure Monitor record shape.
const jqFilter = `select(.properties.status.errorCode==65004)`

// jqPath returns the jq executable of row (d), or why it is skipped.
func (o *Options) jqPath() (string, string) {
	switch o.Jq {
	case "-":
		return "", "skipped"
	case "":
		p, err := exec.LookPath("jq")
		if err != nil {
			return "", "jq not found on PATH"
		}
		return p, ""
	}
	return o.Jq, ""
}

// runJq runs row (d) once.
func runJq(ctx context.Context, jq string, ds *Dataset) (*StageResult, error) {
	cmd := exec.CommandContext(ctx, jq, "-c", jqFilter, ds.NDJSON)
	lines := &lineCounter{}
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = lines, &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("jq: %w", err)
	}
	polled := pollPeakRSS(cmd.Process.Pid)
	err := cmd.Wait()
	wall := time.Since(start)
	peak := polled()
	if err != nil {
		return nil, fmt.Errorf("jq: %w: %s", err, bytes.TrimSpace(stderr.Bytes()))
	}
	r := &StageResult{Stage: "jq", Bytes: ds.Bytes, Records: ds.Records, Matches: lines.n, Elapsed: wall, Wall: wall, Runs: 1}
	r.CPU, r.MaxRSS = usage(cmd.ProcessState)
	if peak > 0 {
		r.MaxRSS = peak
	}
	return r, nil
}

// watchRSS kills p when its resident set (VmRSS) passes limit. The
// returned function stops watching and returns the resident set p was
// stopped at, or 0.
func watchRSS(p *os.Process, limit int64) func() int64 {
	var (
		killed atomic.Int64
		stop   = make(chan struct{})
		done   = make(chan struct{})
	)
	id := strconv.Itoa(p.Pid)
	go func() {
		defer close(done)
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
			}
			if rss := procBytes(id, "VmRSS"); rss > limit {
				killed.Store(rss)
				p.Kill() //nolint:errcheck // it may have exited meanwhile
				return
			}
		}
	}()
	return func() int64 {
		close(stop)
		<-done
		return killed.Load()
	}
}

// pollPeakRSS samples the peak resident set (VmHWM) of a running process
// every 10 ms; the returned function stops sampling and returns the last
// value read (0 without /proc). VmHWM only grows, so the last sample before
// the process exits is its peak, short of the final 10 ms.
func pollPeakRSS(pid int) func() int64 {
	var (
		mu   sync.Mutex
		peak int64
		stop = make(chan struct{})
		done = make(chan struct{})
	)
	id := strconv.Itoa(pid)
	go func() {
		defer close(done)
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			if v := peakRSS(id); v > 0 {
				mu.Lock()
				peak = max(peak, v)
				mu.Unlock()
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	return func() int64 {
		close(stop)
		<-done
		mu.Lock()
		defer mu.Unlock()
		return peak
	}
}

// lineCounter counts the lines written to it.
type lineCounter struct{ n int64 }

func (c *lineCounter) Write(p []byte) (int, error) {
	c.n += int64(bytes.Count(p, []byte{'\n'}))
	return len(p), nil
}
