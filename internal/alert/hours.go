package alert

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// BusinessHours are the working hours against which `outside_hours` and
// `outside-hours: raise` are judged. The zero value means Monday to Friday,
// 08:00 to 18:00 UTC.
type BusinessHours struct {
	// Days are the working weekdays; empty means Monday to Friday.
	Days []time.Weekday
	// Start and End are minutes after local midnight; [Start, End) is
	// working time. When End <= Start the working time wraps past midnight
	// (a night shift: 22:00–06:00), and the day is that of the shift's
	// start. Both zero means 08:00–18:00.
	Start, End int
	// Location is the time zone of the hours; nil means UTC.
	Location *time.Location
}

func (h BusinessHours) norm() BusinessHours {
	if len(h.Days) == 0 {
		h.Days = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
	}
	if h.Start == 0 && h.End == 0 {
		h.Start, h.End = 8*60, 18*60
	}
	if h.Location == nil {
		h.Location = time.UTC
	}
	return h
}

// Outside reports whether t falls outside business hours.
func (h BusinessHours) Outside(t time.Time) bool {
	h = h.norm()
	lt := t.In(h.Location)
	min := lt.Hour()*60 + lt.Minute()
	day := lt.Weekday()
	if h.End > h.Start {
		return !(h.workday(day) && min >= h.Start && min < h.End)
	}
	// Wrapping shift: after Start on a working day, or before End on the
	// day after a working day.
	if min >= h.Start {
		return !h.workday(day)
	}
	if min < h.End {
		return !h.workday((day + 6) % 7)
	}
	return true
}

func (h BusinessHours) workday(d time.Weekday) bool {
	for _, w := range h.Days {
		if w == d {
			return true
		}
	}
	return false
}

// String renders the hours in the form ParseBusinessHours reads.
func (h BusinessHours) String() string {
	h = h.norm()
	days := make([]string, len(h.Days))
	for i, d := range h.Days {
		days[i] = d.String()[:3]
	}
	return fmt.Sprintf("%s %02d:%02d-%02d:%02d %s", strings.Join(days, ","),
		h.Start/60, h.Start%60, h.End/60, h.End%60, h.Location)
}

var weekdays = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// ParseBusinessHours parses "DAYS HH:MM-HH:MM [ZONE]": DAYS is a
// comma-separated list of weekdays or ranges ("Mon-Fri", "Mon,Wed,Sat-Sun",
// three-letter English names, case-insensitive), ZONE an IANA time zone
// ("Europe/Paris"; default UTC). Example: "Mon-Fri 08:00-18:00 Europe/Paris".
func ParseBusinessHours(s string) (BusinessHours, error) {
	var h BusinessHours
	f := strings.Fields(s)
	if len(f) < 2 || len(f) > 3 {
		return h, fmt.Errorf("business hours %q: want \"DAYS HH:MM-HH:MM [ZONE]\"", s)
	}
	for _, part := range strings.Split(strings.ToLower(f[0]), ",") {
		from, to, isRange := strings.Cut(part, "-")
		a, ok1 := weekdays[from]
		b, ok2 := a, true
		if isRange {
			b, ok2 = weekdays[to]
		}
		if !ok1 || !ok2 {
			return h, fmt.Errorf("business hours %q: bad day %q", s, part)
		}
		for d := a; ; d = (d + 1) % 7 {
			if !h.workday(d) {
				h.Days = append(h.Days, d)
			}
			if d == b {
				break
			}
		}
	}
	from, to, ok := strings.Cut(f[1], "-")
	if !ok {
		return h, fmt.Errorf("business hours %q: bad time range %q", s, f[1])
	}
	var err error
	if h.Start, err = clock(from); err != nil {
		return h, fmt.Errorf("business hours %q: %w", s, err)
	}
	if h.End, err = clock(to); err != nil {
		return h, fmt.Errorf("business hours %q: %w", s, err)
	}
	if h.Start == h.End {
		return h, fmt.Errorf("business hours %q: empty time range", s)
	}
	h.Location = time.UTC
	if len(f) == 3 {
		loc, err := time.LoadLocation(f[2])
		if err != nil {
			return h, fmt.Errorf("business hours %q: %w", s, err)
		}
		h.Location = loc
	}
	return h, nil
}

// clock parses HH:MM (or HH) into minutes after midnight; 24:00 is allowed
// as an end.
func clock(s string) (int, error) {
	hh, mm, _ := strings.Cut(s, ":")
	hv, err1 := strconv.Atoi(hh)
	mv := 0
	var err2 error
	if mm != "" {
		mv, err2 = strconv.Atoi(mm)
	}
	if err1 != nil || err2 != nil || hv < 0 || mv < 0 || mv > 59 || hv > 24 || (hv == 24 && mv != 0) {
		return 0, fmt.Errorf("bad time %q", s)
	}
	return hv*60 + mv, nil
}
