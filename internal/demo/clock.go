package demo

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentoring"
	"github.com/mentorbot/mentorbot/internal/slacktest"
)

// Clock is the demo's time. It stands still until the session moves it, so a
// session typed twice plays the same way; the bot (Main.Now), its store and delivery,
// and the simulated Slack all read it. It is safe for concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock standing at start.
func NewClock(start time.Time) *Clock { return &Clock{t: start} }

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// set moves the clock to t.
func (c *Clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// DefaultStart is where the demo's clock starts unless told otherwise: 12:00 UTC on
// the last Sunday at or before now. At that moment, in every zone, the default
// schedules' week has not begun (Monday's check-ins are hours away everywhere), so
// people who join and pair first see the week unfold with clock +7d.
func DefaultStart(now time.Time) time.Time {
	now = now.UTC()
	d := time.Date(now.Year(), now.Month(), now.Day(), 12, 0, 0, 0, time.UTC)
	d = d.AddDate(0, 0, -int(d.Weekday()))
	if d.After(now) {
		d = d.AddDate(0, 0, -7)
	}
	return d
}

// Layouts of times shown to the person: the demo's time in UTC, and a time in a
// reader's own zone as the bot writes it.
const (
	longLayout = "Monday 2 January 2006, 15:04"
	dayTime    = "Monday 2 January, 15:04"
)

// LongTime is t as the demo shows its clock, in words and UTC: "Monday 7 December
// 2026, 10:00 UTC".
func LongTime(t time.Time) string { return t.UTC().Format(longLayout) + " UTC" }

// Limits of moving the clock.
const (
	// maxSpan is the furthest the clock moves in one go.
	maxSpan = 400 * 24 * time.Hour
	// nextPeriods is how many periods of a kind `clock next` looks through for one in
	// which the bot sends someone that kind of message.
	nextPeriods = 8
)

// kindNames are what a person may type for each scheduled kind, the first its name.
var kindNames = []struct {
	kind  mentoring.Kind
	names []string
}{
	{mentoring.KindCheckin, []string{"check-in", "checkin", "checkins", "check-ins"}},
	{mentoring.KindNudge, []string{"nudge", "nudges"}},
	{mentoring.KindRecognition, []string{"recognition prompt", "recognition", "recognitions", "prompt", "prompts"}},
}

func kindName(k mentoring.Kind) string {
	for _, kn := range kindNames {
		if kn.kind == k {
			return kn.names[0]
		}
	}
	return string(k)
}

// clockVerb shows the time, or moves the clock on by a span.
func (s *session) clockVerb(ctx context.Context, args []string) error {
	if len(args) == 0 {
		s.showClock()
		return nil
	}
	arg := args[0]
	if !strings.HasPrefix(arg, "+") {
		return errors.New("write it as: clock +7d (or +2w, +3h, +90m), or clock next checkin|nudge|recognition")
	}
	d, err := parseSpan(arg[1:])
	if err != nil {
		return err
	}
	s.flush(ctx)
	target := s.clock.Now().Add(d)
	n, _, err := s.walk(ctx, target, nil)
	if err != nil {
		return err
	}
	if !s.clock.Now().Equal(target) {
		recs, err := s.step(ctx, target)
		if err != nil {
			return err
		}
		n += len(recs)
	}
	if n == 0 {
		fmt.Fprintln(s.cfg.Out, "(nothing came due)")
	}
	fmt.Fprintf(s.cfg.Out, "The clock is now %s.\n", LongTime(s.clock.Now()))
	return nil
}

// clockNext moves the clock to the next firing of a kind's schedule at which the bot
// sends someone that kind of message, through at most nextPeriods firings.
func (s *session) clockNext(ctx context.Context, args []string) error {
	kind, ok := parseKind(args[0])
	if !ok {
		return fmt.Errorf("%q is not a kind of scheduled message: write clock next checkin, clock next nudge or clock next recognition", args[0])
	}
	if s.cfg.Calendar == nil {
		return errors.New("this session has no schedules to follow")
	}
	limit := s.clock.Now()
	for i := range nextPeriods {
		next, _ := s.nextFiring(limit, []mentoring.Kind{kind})
		if next.IsZero() {
			if i == 0 {
				return fmt.Errorf("the %s schedule never comes round", kindName(kind))
			}
			break
		}
		limit = next
	}
	s.flush(ctx)
	sent := func(recs []slacktest.Record) bool {
		return slices.ContainsFunc(recs, func(r slacktest.Record) bool { return eventType(r) == string(kind) })
	}
	_, found, err := s.walk(ctx, limit, sent)
	if err != nil {
		return err
	}
	if !found {
		fmt.Fprintf(s.cfg.Out, "Nobody was due a %s in the next %d times it came round.\n", kindName(kind), nextPeriods)
	}
	fmt.Fprintf(s.cfg.Out, "The clock is now %s.\n", LongTime(s.clock.Now()))
	return nil
}

// showClock prints the time and when each scheduled kind next comes due, and for whom.
func (s *session) showClock() {
	now := s.clock.Now()
	fmt.Fprintf(s.cfg.Out, "It is %s.\n", LongTime(now))
	if s.cfg.Calendar == nil {
		return
	}
	for _, k := range mentoring.ScheduledKinds {
		next, zones := s.nextFiring(now, []mentoring.Kind{k})
		if next.IsZero() {
			fmt.Fprintf(s.cfg.Out, "  next %s: never\n", kindName(k))
			continue
		}
		fmt.Fprintf(s.cfg.Out, "  next %s time: %s (%s)\n", kindName(k), LongTime(next), s.localTimes(next, s.peopleIn(zones)))
	}
}

// parseKind reads a kind's name.
func parseKind(s string) (mentoring.Kind, bool) {
	s = strings.ToLower(s)
	for _, kn := range kindNames {
		if slices.Contains(kn.names, s) {
			return kn.kind, true
		}
	}
	return "", false
}

var spanPart = regexp.MustCompile(`^(\d+)([dw])`)

// parseSpan reads how far to move the clock: days as d and weeks as w ("7d", "2w",
// "1w2d"), then optionally a Go duration ("3h", "90m", "1d12h").
func parseSpan(s string) (time.Duration, error) {
	bad := fmt.Errorf("%q is not a span such as 7d, 2w, 3h or 90m", "+"+s)
	var d time.Duration
	rest := s
	for {
		m := spanPart.FindStringSubmatch(rest)
		if m == nil {
			break
		}
		n, err := strconv.Atoi(m[1])
		if err != nil || n > 1000 {
			return 0, bad
		}
		unit := 24 * time.Hour
		if m[2] == "w" {
			unit *= 7
		}
		d += time.Duration(n) * unit
		rest = rest[len(m[0]):]
	}
	if rest != "" {
		g, err := time.ParseDuration(rest)
		if err != nil || g < 0 {
			return 0, bad
		}
		d += g
	}
	switch {
	case d <= 0:
		return 0, fmt.Errorf("the clock only moves forward: write clock +%s with a span above zero", strings.TrimPrefix(s, "-"))
	case d > maxSpan:
		return 0, fmt.Errorf("the clock moves at most %d days at a time", int(maxSpan.Hours()/24))
	}
	return d, nil
}

// scheduleZones are the zones schedules are read in for the people of the workspace:
// each person's, and the default zone for anyone whose profile names none.
func (s *session) scheduleZones() []*time.Location {
	var zones []*time.Location
	add := func(loc *time.Location) {
		if !slices.ContainsFunc(zones, func(z *time.Location) bool { return z.String() == loc.String() }) {
			zones = append(zones, loc)
		}
	}
	for _, p := range s.ws.People {
		add(s.location(p))
	}
	add(s.cfg.DefaultZone)
	return zones
}

// nextFiring is the first moment after t at which one of kinds comes due in one of
// the people's zones, and the zones where it does then; zero when none ever does.
func (s *session) nextFiring(t time.Time, kinds []mentoring.Kind) (time.Time, []*time.Location) {
	var first time.Time
	var zones []*time.Location
	if s.cfg.Calendar == nil {
		return first, nil
	}
	for _, k := range kinds {
		for _, z := range s.zones {
			at := s.cfg.Calendar.Next(k, t, z)
			switch {
			case at.IsZero() || !first.IsZero() && at.After(first):
			case first.IsZero() || at.Before(first):
				first, zones = at, []*time.Location{z}
			case !slices.Contains(zones, z):
				zones = append(zones, z)
			}
		}
	}
	return first, zones
}

// walk moves the clock on through each moment up to until at which a scheduled kind
// comes due in someone's zone, has the bot look for what is due at each (step) and
// prints what it sent. stop, when set, ends the walk after a step whose records it
// accepts. It returns how many records it printed and whether stop ended it.
func (s *session) walk(ctx context.Context, until time.Time, stop func([]slacktest.Record) bool) (n int, stopped bool, err error) {
	for {
		next, _ := s.nextFiring(s.clock.Now(), mentoring.ScheduledKinds)
		if next.IsZero() || next.After(until) {
			return n, false, nil
		}
		recs, err := s.step(ctx, next)
		n += len(recs)
		if err != nil {
			return n, false, err
		}
		if stop != nil && stop(recs) {
			return n, true, nil
		}
	}
}

// step moves the clock to t, has the bot look for what is due then, and prints what
// it sent under a line with the time, in UTC and for each person who received
// something, in their zone.
func (s *session) step(ctx context.Context, t time.Time) ([]slacktest.Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.clock.set(t.UTC())
	tctx, cancel := context.WithTimeout(ctx, deliverTimeout)
	s.tick(tctx)
	cancel()
	fresh := s.takeFresh()
	if len(fresh) > 0 {
		// What the bot sent at one moment went out at once, in no particular order:
		// shown in the team's order (a person's own messages keep theirs), so a
		// session replays the same way.
		slices.SortStableFunc(fresh, func(a, b slacktest.Record) int { return s.firstRecipient(a) - s.firstRecipient(b) })
		var who []Person
		for _, p := range s.ws.People {
			if slices.ContainsFunc(fresh, func(r slacktest.Record) bool { return slices.Contains(s.recipients(r), p.ID) }) {
				who = append(who, p)
			}
		}
		line := "⏰ " + LongTime(t)
		if len(who) > 0 {
			line += " — " + s.localTimes(t, who)
		}
		fmt.Fprintln(s.cfg.Out, line)
		s.print(fresh)
	}
	return fresh, ctx.Err()
}

// flush prints what came in since the last input, before the clock moves.
func (s *session) flush(ctx context.Context) {
	s.settle(ctx)
	s.print(s.takeFresh())
}

// recipients are the people who see r.
func (s *session) recipients(r slacktest.Record) []string {
	if r.User != "" {
		return []string{r.User}
	}
	if u, ok := strings.CutPrefix(r.Channel, "D"); ok {
		return []string{u}
	}
	return s.names.Groups[r.Channel]
}

// firstRecipient is the place in the team of the first person who sees r, after
// everyone for a message in a channel.
func (s *session) firstRecipient(r slacktest.Record) int {
	first := len(s.ws.People)
	for _, id := range s.recipients(r) {
		if i := slices.IndexFunc(s.ws.People, func(p Person) bool { return p.ID == id }); i >= 0 {
			first = min(first, i)
		}
	}
	return first
}

// peopleIn are the people whose schedules are read in one of zones.
func (s *session) peopleIn(zones []*time.Location) []Person {
	var out []Person
	for _, p := range s.ws.People {
		if slices.ContainsFunc(zones, func(z *time.Location) bool { return z.String() == s.location(p).String() }) {
			out = append(out, p)
		}
	}
	return out
}

// localTimes is t for each of people in their own zone: "chen Monday 10:00,
// farah Monday 07:30".
func (s *session) localTimes(t time.Time, people []Person) string {
	parts := make([]string, len(people))
	for i, p := range people {
		parts[i] = p.Name + " " + t.In(s.location(p)).Format("Monday 15:04")
	}
	if len(parts) == 0 {
		return "for people in " + t.In(s.cfg.DefaultZone).Location().String()
	}
	return strings.Join(parts, ", ")
}
