package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/mentorbot/mentorbot/internal/mentoring"
)

// bucketWeeks holds each week's programme figures: WeekKey (2006-01-02, which sorts
// in time) -> JSON Week. Counts only: no id, so nothing here is erased with a person.
var bucketWeeks = []byte("weeks")

func (t *tx) Weeks(from, to string) ([]mentoring.Week, error) {
	c := t.Bucket(bucketWeeks).Cursor()
	var out []mentoring.Week
	for k, v := c.Seek([]byte(from)); k != nil && (to == "" || bytes.Compare(k, []byte(to)) <= 0); k, v = c.Next() {
		var w mentoring.Week
		if err := json.Unmarshal(v, &w); err != nil {
			return nil, fmt.Errorf("decode week %s: %w", k, err)
		}
		out = append(out, w)
	}
	return out, nil
}

func (t *tx) AddToWeek(key string, fn func(w *mentoring.Week)) error {
	b := t.Bucket(bucketWeeks)
	var w mentoring.Week
	found, err := get(b, []byte(key), &w)
	if err != nil {
		return err
	}
	if !found {
		start, err := time.Parse(time.DateOnly, key)
		if err != nil {
			return err
		}
		w.Start = start
	}
	fn(&w)
	return putJSON(b, []byte(key), &w)
}

// backfillWeeks counts the figures of every week before weekly figures were kept,
// once, from the records a file already holds (migration 7): check-ins by the week
// they were sent, kudos, goals set and done, and the pairings active at the end of
// each week in which one started or ended (or now, for the current week). The people
// asked each week are counted from (person, period) pairs held only in memory.
func backfillWeeks(btx *bolt.Tx, now time.Time) error {
	weeks := map[string]*mentoring.Week{}
	week := func(t time.Time) *mentoring.Week {
		k := mentoring.WeekKey(t)
		w := weeks[k]
		if w == nil {
			w = &mentoring.Week{Start: mentoring.WeekOf(t)}
			weeks[k] = w
		}
		return w
	}
	asked := map[string]bool{}
	if err := each(btx.Bucket(bucketCheckins), nil, func(_ []byte, c mentoring.Checkin) error {
		w := week(c.SentAt)
		w.CheckinsSent++
		if c.Answered() {
			w.CheckinsAnswered++
		}
		if c.Answer == mentoring.AnswerMet {
			w.MeetingsReported++
		}
		if key := c.UserID + "\x00" + c.Period; !asked[key] {
			asked[key] = true
			w.CheckinPeople++
		}
		return nil
	}); err != nil {
		return err
	}
	if err := each(btx.Bucket(bucketKudos), nil, func(_ []byte, k mentoring.Kudos) error {
		week(k.At).KudosGiven++
		return nil
	}); err != nil {
		return err
	}
	if err := each(btx.Bucket(bucketParticipants), nil, func(_ []byte, p mentoring.Participant) error {
		for _, g := range p.Goals {
			week(g.CreatedAt).GoalsSet++
			if g.DoneAt != nil {
				week(*g.DoneAt).GoalsDone++
			}
		}
		return nil
	}); err != nil {
		return err
	}
	var pairings []mentoring.Pairing
	if err := each(btx.Bucket(bucketPairings), nil, func(_ []byte, p mentoring.Pairing) error {
		pairings = append(pairings, p)
		return nil
	}); err != nil {
		return err
	}
	changed := map[string]time.Time{}
	for _, p := range pairings {
		changed[mentoring.WeekKey(p.StartedAt)] = mentoring.WeekOf(p.StartedAt)
		if p.EndedAt != nil {
			changed[mentoring.WeekKey(*p.EndedAt)] = mentoring.WeekOf(*p.EndedAt)
		}
	}
	for _, start := range changed {
		end := start.AddDate(0, 0, 7)
		if end.After(now) {
			end = now
		}
		n := 0
		for _, p := range pairings {
			if p.StartedAt.Before(end) && (p.EndedAt == nil || !p.EndedAt.Before(end)) {
				n++
			}
		}
		w := week(start)
		w.ActivePairs, w.PairsChanged = n, true
	}
	b := btx.Bucket(bucketWeeks)
	for k, w := range weeks {
		if err := putJSON(b, []byte(k), w); err != nil {
			return err
		}
	}
	return nil
}
