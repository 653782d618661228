package scheduler

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/mentorbot/mentorbot/internal/mentoring"
	"github.com/mentorbot/mentorbot/store"
)

// DefaultInterval is how often the scheduler looks for due messages. Schedules name
// minutes, so looking every minute sends each message within a minute of its time.
const DefaultInterval = time.Minute

// Config says when each kind of message goes out.
type Config struct {
	Checkin, Nudge, Recognition cron.Schedule
	// NudgeAfter is how long a pair may go without a reported meeting before a nudge.
	NudgeAfter time.Duration
	// DefaultZone is the zone of people whose Slack profile has none.
	DefaultZone *time.Location
	// Interval overrides DefaultInterval.
	Interval time.Duration
	// Now is the clock; nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger
}

// Due is one scheduled message due for one person this period.
type Due struct {
	Kind   mentoring.Kind
	UserID string
	Period mentoring.Period
	// Pairings the message is about: every active pairing for a check-in, the stale ones
	// for a nudge, those whose mentee did something this period for recognition. Empty
	// means there is nothing to send this period, which is still recorded.
	Pairings []mentoring.Pairing
	// Achievements, for recognition: what each mentee did this period, by mentee id.
	Achievements map[string][]string
}

// Queuer renders due messages and queues them (the bot). It returns how many it
// queued; the rest were handled already or had nothing to send.
type Queuer interface {
	Queue(ctx context.Context, due []Due) (int, error)
}

// Scheduler finds due messages and hands them to its Queuer.
type Scheduler struct {
	cfg    Config
	store  *store.Store
	queuer Queuer
}

// New makes a scheduler; SetQueuer must be called before Run or RunOnce.
func New(cfg Config, st *store.Store) *Scheduler {
	if cfg.Interval == 0 {
		cfg.Interval = DefaultInterval
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.DefaultZone == nil {
		cfg.DefaultZone = time.UTC
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Scheduler{cfg: cfg, store: st}
}

// SetQueuer sets who renders and queues due messages. Call it before Run.
func (s *Scheduler) SetQueuer(q Queuer) { s.queuer = q }

// Kinds are the kinds of scheduled message, in the order they are looked at.
var Kinds = []mentoring.Kind{mentoring.KindCheckin, mentoring.KindNudge, mentoring.KindRecognition}

// Run looks for due messages at once (so what came due while the bot was down goes out
// now, once) and then every Interval, until ctx ends.
func (s *Scheduler) Run(ctx context.Context) {
	t := time.NewTicker(s.cfg.Interval)
	defer t.Stop()
	for {
		if _, err := s.RunOnce(ctx, Kinds...); err != nil && ctx.Err() == nil {
			s.cfg.Logger.Error("scheduler", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RunOnce queues what is due now of the given kinds and not yet handled this period,
// and returns how many messages it queued. Pairs made during a period are not asked
// about it: nobody gets "how did it go this week?" minutes after their intro.
func (s *Scheduler) RunOnce(ctx context.Context, kinds ...mentoring.Kind) (int, error) {
	return s.run(ctx, false, kinds)
}

// RunNow is RunOnce for an admin's /mentor run: asked to send now, it includes pairs
// made during the current period.
func (s *Scheduler) RunNow(ctx context.Context, kind mentoring.Kind) (int, error) {
	return s.run(ctx, true, []mentoring.Kind{kind})
}

func (s *Scheduler) run(ctx context.Context, now bool, kinds []mentoring.Kind) (int, error) {
	total := 0
	for _, k := range kinds {
		due, err := s.Due(ctx, k, now)
		if err != nil {
			return total, err
		}
		if len(due) == 0 {
			continue
		}
		n, err := s.queuer.Queue(ctx, due)
		total += n
		if err != nil {
			return total, fmt.Errorf("queue %s: %w", k, err)
		}
	}
	return total, nil
}

func (s *Scheduler) schedule(k mentoring.Kind) cron.Schedule {
	switch k {
	case mentoring.KindNudge:
		return s.cfg.Nudge
	case mentoring.KindRecognition:
		return s.cfg.Recognition
	}
	return s.cfg.Checkin
}

// Due returns the messages of kind k due now that were not handled yet this period;
// includeNew includes pairs made during the current period.
func (s *Scheduler) Due(ctx context.Context, k mentoring.Kind, includeNew bool) ([]Due, error) {
	people, err := s.store.Participants(ctx)
	if err != nil {
		return nil, err
	}
	pairings, err := s.store.Pairings(ctx)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]*mentoring.Participant, len(people))
	for i := range people {
		byID[people[i].ID] = &people[i]
	}
	active := map[string][]mentoring.Pairing{}
	for _, p := range pairings {
		if p.Active() {
			active[p.MentorID] = append(active[p.MentorID], p)
			active[p.MenteeID] = append(active[p.MenteeID], p)
		}
	}
	now := s.cfg.Now()
	sched := s.schedule(k)
	// First who is in a period not yet handled (cheap), then what to say to them.
	type candidate struct {
		due  Due
		prev time.Time
	}
	var cands []candidate
	for _, p := range people {
		if len(active[p.ID]) == 0 || !p.Active(now) {
			continue
		}
		start, prev, ok := Current(sched, now, p.Location(s.cfg.DefaultZone))
		if !ok {
			continue
		}
		cands = append(cands, candidate{Due{Kind: k, UserID: p.ID, Period: mentoring.Period{Kind: k, Start: start}}, prev})
	}
	users, periods := make([]string, len(cands)), make([]string, len(cands))
	for i, c := range cands {
		users[i], periods[i] = c.due.UserID, c.due.Period.Key()
	}
	handled, err := s.store.Handled(ctx, users, periods)
	if err != nil {
		return nil, err
	}
	var due []Due
	for i, c := range cands {
		if handled[i] {
			continue
		}
		d, start := c.due, c.due.Period.Start
		for _, pr := range active[d.UserID] {
			if pr.StartedAt.After(start) && !includeNew {
				continue
			}
			switch k {
			case mentoring.KindCheckin:
				d.Pairings = append(d.Pairings, pr)
			case mentoring.KindNudge:
				last := pr.StartedAt
				if pr.LastMetAt != nil {
					last = *pr.LastMetAt
				}
				if start.Sub(last) >= s.cfg.NudgeAfter {
					d.Pairings = append(d.Pairings, pr)
				}
			case mentoring.KindRecognition:
				if pr.MentorID != d.UserID {
					continue
				}
				did, err := s.achievements(ctx, pr, byID[pr.MenteeID], c.prev, now)
				if err != nil {
					return nil, err
				}
				if len(did) > 0 {
					d.Pairings = append(d.Pairings, pr)
					if d.Achievements == nil {
						d.Achievements = map[string][]string{}
					}
					d.Achievements[pr.MenteeID] = did
				}
			}
		}
		if k == mentoring.KindCheckin && len(d.Pairings) == 0 {
			continue // every pairing began this period: nothing to ask yet, and nothing to record
		}
		due = append(due, d)
	}
	return due, nil
}

// achievements lists what a mentee did in [from, to]: meetings, progress, goals. The
// window runs from the period before to now, so a prompt sent later in its period (a
// catch-up, or an admin's run) sees what happened since it began too.
func (s *Scheduler) achievements(ctx context.Context, pr mentoring.Pairing, mentee *mentoring.Participant, from, to time.Time) ([]string, error) {
	in := func(t *time.Time) bool { return t != nil && !t.Before(from) && !t.After(to) }
	checkins, err := s.store.CheckinsOf(ctx, pr.ID, pr.MenteeID)
	if err != nil {
		return nil, err
	}
	var did []string
	met, progress := false, 0
	for _, c := range checkins {
		if !in(c.AnsweredAt) {
			continue
		}
		met = met || c.Answer == mentoring.AnswerMet
		progress = max(progress, c.Progress)
	}
	if met {
		did = append(did, "met with you")
	}
	if progress > 0 {
		did = append(did, fmt.Sprintf("reported progress %d/5", progress))
	}
	if mentee != nil {
		for _, g := range mentee.Goals {
			if in(g.DoneAt) {
				did = append(did, "finished a goal: "+g.Text)
			}
		}
	}
	return did, nil
}
