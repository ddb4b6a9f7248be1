package bench

import (
	"bufio"
	"os"
	"strconv"
	"strings"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// Memory is what /proc/<pid>/status says about a process's resident memory.
type Memory struct {
	// PeakRSS is VmHWM: the most resident memory the process ever had.
	PeakRSS int64 `json:"peakRSSBytes"`

	// RSS is VmRSS: its resident memory now, the sum of RSSAnon and
	// RSSFile (and any shared memory).
	RSS int64 `json:"rssBytes"`

	// RSSAnon is RssAnon: the resident part of RSS that no file backs,
	// e.g. a Go program's heap and stacks.
	RSSAnon int64 `json:"rssAnonBytes"`

	// RSSFile is RssFile: the resident part of RSS that files back, e.g.
	// the pages of its own binary it has touched.
	RSSFile int64 `json:"rssFileBytes"`
}

// ReadMemory reads the resident memory of process pid from procfs, so it
// works only on Linux.
func ReadMemory(pid int) (Memory, error) {
	path := "/proc/" + strconv.Itoa(pid) + "/status"
	f, err := os.Open(path)
	if err != nil {
		return Memory{}, errors.Wrap(err, "cannot read process memory (procfs is Linux only)")
	}
	defer f.Close()
	var m Memory
	fields := map[string]*int64{"VmHWM": &m.PeakRSS, "VmRSS": &m.RSS, "RssAnon": &m.RSSAnon, "RssFile": &m.RSSFile}
	found := 0
	s := bufio.NewScanner(f)
	for s.Scan() {
		name, value, ok := strings.Cut(s.Text(), ":")
		field := fields[name]
		if !ok || field == nil {
			continue
		}
		b, err := parseKB(value)
		if err != nil {
			return Memory{}, errors.Wrapf(err, "cannot parse %s in %s", name, path)
		}
		*field = b
		found++
	}
	if err := s.Err(); err != nil {
		return Memory{}, errors.Wrapf(err, "cannot read %s", path)
	}
	if found != len(fields) {
		return Memory{}, errors.Errorf("%s lacks some of the VmHWM, VmRSS, RssAnon and RssFile lines", path)
	}
	return m, nil
}

// parseKB parses a procfs size such as "  123456 kB" into bytes.
func parseKB(s string) (int64, error) {
	f := strings.Fields(s)
	if len(f) != 2 || f[1] != "kB" {
		return 0, errors.Errorf("%q is not a size in kB", strings.TrimSpace(s))
	}
	n, err := strconv.ParseInt(f[0], 10, 64)
	return n * 1024, errors.Wrapf(err, "%q is not a size in kB", strings.TrimSpace(s))
}

// MB formats bytes in megabytes (10^6 bytes), the stricter reading of a
// target given in MB.
func MB(b int64) string {
	return strconv.FormatFloat(float64(b)/1e6, 'f', 1, 64) + " MB"
}

// userHZ is the unit of the CPU times procfs reports: clock ticks, which the
// Linux ABI fixes at 100 a second.
const userHZ = 100

// CPUTimes are CPU times in seconds.
type CPUTimes struct {
	// Process is the user and system time of one process.
	Process float64
	// Busy and Total are the whole machine's non-idle and total time,
	// summed over its CPUs.
	Busy, Total float64
}

// ReadCPU reads the CPU time process pid and the whole machine have used.
func ReadCPU(pid int) (CPUTimes, error) {
	path := "/proc/" + strconv.Itoa(pid) + "/stat"
	b, err := os.ReadFile(path)
	if err != nil {
		return CPUTimes{}, errors.Wrap(err, "cannot read process CPU time (procfs is Linux only)")
	}
	// The command name in parentheses may hold spaces; fields count from
	// the state after it: utime and stime are fields 14 and 15 of the line.
	_, after, ok := strings.Cut(string(b), ") ")
	f := strings.Fields(after)
	if !ok || len(f) < 13 {
		return CPUTimes{}, errors.Errorf("%s is not a process stat line", path)
	}
	var t CPUTimes
	for _, s := range f[11:13] {
		n, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return CPUTimes{}, errors.Wrapf(err, "cannot parse CPU time in %s", path)
		}
		t.Process += n / userHZ
	}

	b, err = os.ReadFile("/proc/stat")
	if err != nil {
		return CPUTimes{}, errors.Wrap(err, "cannot read machine CPU time")
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f = strings.Fields(line)
	if len(f) < 6 || f[0] != "cpu" {
		return CPUTimes{}, errors.New("/proc/stat does not start with a cpu line")
	}
	// user nice system idle iowait irq softirq steal ...; idle and
	// iowait are not busy.
	for i, s := range f[1:] {
		n, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return CPUTimes{}, errors.Wrap(err, "cannot parse /proc/stat")
		}
		if i >= 8 {
			break // guest times are already counted in user and nice
		}
		t.Total += n / userHZ
		if i != 3 && i != 4 {
			t.Busy += n / userHZ
		}
	}
	return t, nil
}

// LoadAverage returns the machine's one-minute load average.
func LoadAverage() (float64, error) {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0, errors.Wrap(err, "cannot read load average (procfs is Linux only)")
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return 0, errors.New("/proc/loadavg is empty")
	}
	l, err := strconv.ParseFloat(f[0], 64)
	return l, errors.Wrap(err, "cannot parse /proc/loadavg")
}
