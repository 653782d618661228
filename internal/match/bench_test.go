package match

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// benchRound makes a round shaped like a large company's: capacities 1–5, 50 topics
// (each person 1–4), 12 time zones, 10 teams, one mentor in ten also a mentee, one
// person in ten with a manager on the other side, 5% of mentees with a previous
// partner who shares a topic, and 1% with a pair ended by rematch.
func benchRound(r *rand.Rand, mentees, mentors int) Input {
	offsets := []int{-480, -420, -300, -240, -180, 0, 60, 120, 180, 330, 480, 540}
	topics := func() []string {
		ts := make([]string, 0, 4)
		for _, k := range r.Perm(50)[:1+r.IntN(4)] {
			ts = append(ts, fmt.Sprintf("topic%02d", k))
		}
		return ts
	}
	team := func() string { return fmt.Sprintf("team%d", r.IntN(10)) }
	in := Input{
		Mentees:  make([]Mentee, mentees),
		Mentors:  make([]Mentor, mentors),
		Previous: map[Key]bool{},
		Blocked:  map[Key]bool{},
	}
	for i := range in.Mentees {
		in.Mentees[i] = Mentee{
			ID: fmt.Sprintf("UE%06d", i), Topics: topics(), Team: team(),
			Offset: offsets[r.IntN(len(offsets))],
		}
	}
	byTopic := map[string][]string{}
	for j := range in.Mentors {
		id := fmt.Sprintf("UM%06d", j)
		if r.IntN(10) == 0 {
			id = in.Mentees[r.IntN(mentees)].ID // role "both"
		}
		in.Mentors[j] = Mentor{
			ID: id, Topics: topics(), Team: team(),
			Offset: offsets[r.IntN(len(offsets))], Capacity: 1 + r.IntN(5),
		}
		if r.IntN(10) == 0 {
			in.Mentors[j].ManagerID = in.Mentees[r.IntN(mentees)].ID
		}
		for _, t := range in.Mentors[j].Topics {
			byTopic[t] = append(byTopic[t], id)
		}
	}
	for i := range in.Mentees {
		e := &in.Mentees[i]
		if r.IntN(10) == 0 {
			e.ManagerID = in.Mentors[r.IntN(mentors)].ID
		}
		sharing := byTopic[e.Topics[0]]
		if len(sharing) == 0 {
			continue
		}
		switch k := r.IntN(100); {
		case k < 5:
			in.Previous[Key{e.ID, sharing[r.IntN(len(sharing))]}] = true
		case k < 6:
			in.Blocked[Key{e.ID, sharing[r.IntN(len(sharing))]}] = true
		}
	}
	return in
}

// BenchmarkMatch times Solve on rounds of growing size and reports, per round, the
// pairs made, their total score, the candidate pairs (mentee-mentor pairs sharing a
// topic that no rule forbids) and the process's peak resident memory so far (run one
// size per process to read it for that size).
func BenchmarkMatch(b *testing.B) {
	for _, size := range []struct{ mentees, mentors int }{{100, 30}, {2000, 500}, {10000, 2500}} {
		b.Run(fmt.Sprintf("%dx%d", size.mentees, size.mentors), func(b *testing.B) {
			in := benchRound(rand.New(rand.NewPCG(1, uint64(size.mentees))), size.mentees, size.mentors)
			var res Result
			b.ReportAllocs()
			for b.Loop() {
				res = Solve(in)
			}
			b.ReportMetric(float64(len(newProblem(in).graph.to)), "candidates")
			b.ReportMetric(float64(len(res.Pairs)), "pairs")
			b.ReportMetric(res.Total, "total")
			if rss := peakRSS(); rss > 0 {
				b.ReportMetric(float64(rss)/(1<<20), "peak-RSS-MiB")
			}
		})
	}
}
