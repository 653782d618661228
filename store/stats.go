package store

import (
	"context"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/mentorbot/mentorbot/internal/mentoring"
)

// Stats computes the programme's aggregate figures in one read transaction.
func (s *Store) Stats(ctx context.Context) (mentoring.Stats, error) {
	var st mentoring.Stats
	if err := ctx.Err(); err != nil {
		return st, err
	}
	now := s.Now()
	err := s.view(func(tx *bolt.Tx) error {
		paired := map[string]bool{} // mentees in an active pairing
		err := tx.Bucket(bucketPairings).ForEach(func(k, v []byte) error {
			var p mentoring.Pairing
			if err := json.Unmarshal(v, &p); err != nil {
				return fmt.Errorf("decode pairing %x: %w", k, err)
			}
			if p.Active() {
				st.ActivePairs++
				paired[p.MenteeID] = true
			}
			return nil
		})
		if err != nil {
			return err
		}
		err = tx.Bucket(bucketParticipants).ForEach(func(k, v []byte) error {
			var p mentoring.Participant
			if err := json.Unmarshal(v, &p); err != nil {
				return fmt.Errorf("decode participant %s: %w", k, err)
			}
			st.GoalsSet += len(p.Goals)
			for _, g := range p.Goals {
				if g.Done() {
					st.GoalsDone++
				}
			}
			if p.LeftAt != nil {
				return nil
			}
			switch p.Role {
			case mentoring.RoleMentor:
				st.Mentors++
			case mentoring.RoleMentee:
				st.Mentees++
			case mentoring.RoleBoth:
				st.Both++
			}
			if !p.Active(now) {
				st.Paused++
			} else if p.Role.Mentored() && !paired[p.ID] {
				st.UnmatchedMentees++
			}
			return nil
		})
		if err != nil {
			return err
		}
		st.KudosGiven = tx.Bucket(bucketKudos).Stats().KeyN
		people := map[string]bool{}
		return forEachCheckin(tx, func(_ []byte, c mentoring.Checkin) error {
			st.CheckinsSent++
			people[c.UserID] = true
			st.CheckinPeople = len(people)
			if c.Answer != mentoring.AnswerNone {
				st.CheckinsAnswered++
			}
			if c.Answer == mentoring.AnswerMet {
				st.MeetingsReported++
			}
			return nil
		})
	})
	return st, err
}
