package bench

import (
	"bufio"
	"bytes"
	"os"
	"runtime"
	"strconv"
	"strings"
)

// Machine describes the computer a run was measured on.
type Machine struct {
	CPU    string `json:"cpu"`
	Cores  int    `json:"cores"`
	Memory int64  `json:"memory"`
	Go     string `json:"go"`
	OS     string `json:"os"`
	Arch   string `json:"arch"`
	// Load is the 1-, 5- and 15-minute load average when the run started.
	Load string `json:"load"`
}

// ReadMachine reads the CPU model (/proc/cpuinfo), memory (/proc/meminfo)
// and load average (/proc/loadavg) where the system has them.
func ReadMachine() Machine {
	m := Machine{CPU: "unknown CPU", Cores: runtime.NumCPU(), Go: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH, Load: "unknown"}
	if v := procField("/proc/cpuinfo", "model name"); v != "" {
		m.CPU = v
	}
	if v := procField("/proc/meminfo", "MemTotal"); v != "" {
		if kb, err := strconv.ParseInt(strings.TrimSuffix(v, " kB"), 10, 64); err == nil {
			m.Memory = kb * 1024
		}
	}
	if data, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(data)); len(f) >= 3 {
			m.Load = strings.Join(f[:3], " ")
		}
	}
	return m
}

// procField returns the value of the first "key: value" line of a /proc
// file with the given key.
func procField(path, key string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// peakRSS returns the peak resident set of process pid ("self" for this
// one) in bytes: VmHWM of /proc/PID/status, or 0 where there is none.
//
// getrusage's maxrss is no substitute for a child's peak: Linux carries
// the parent's high-water mark over a fork and exec into the child's
// figure, so a small child of a big parent reports the parent's size.
func peakRSS(pid string) int64 { return procBytes(pid, "VmHWM") }

// procBytes reads a "NAME: N kB" field of /proc/PID/status in bytes (0 when
// absent).
func procBytes(pid, name string) int64 {
	v := procField("/proc/"+pid+"/status", name)
	kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(v, "kB")), 10, 64)
	if err != nil {
		return 0
	}
	return kb * 1024
}
