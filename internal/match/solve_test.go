package match

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// randomRound makes a small round with everything the rules care about: people in both
// lists, managers in both directions, full mentors, shared and unshared topics, zones
// that wrap around, teams, and Previous, Blocked and Hidden pairs named in either
// direction.
func randomRound(r *rand.Rand, maxMentees, maxMentors int) Input {
	pool := []string{"U0", "U1", "U2", "U3", "U4", "U5", "U6", "U7", "U8", "U9", "UA", "UB"}
	topicSet := []string{"go", "rust", "sql", "ml"}
	offsets := []int{-720, -600, -300, -180, 0, 60, 330, 345, 480, 540, 780, 840}
	teams := []string{"", "a", "b", "c"}
	topics := func() []string {
		var ts []string
		if r.IntN(20) == 0 {
			return nil
		}
		for _, k := range r.Perm(len(topicSet))[:1+r.IntN(3)] {
			ts = append(ts, topicSet[k])
		}
		return ts
	}
	manager := func() string {
		if r.IntN(3) == 0 {
			return pool[r.IntN(len(pool))]
		}
		return ""
	}
	var in Input
	for _, k := range r.Perm(len(pool))[:r.IntN(maxMentees+1)] {
		in.Mentees = append(in.Mentees, Mentee{
			ID: pool[k], Topics: topics(), ManagerID: manager(),
			Team: teams[r.IntN(len(teams))], Offset: offsets[r.IntN(len(offsets))],
		})
	}
	for _, k := range r.Perm(len(pool))[:r.IntN(maxMentors+1)] {
		in.Mentors = append(in.Mentors, Mentor{
			ID: pool[k], Topics: topics(), ManagerID: manager(),
			Team: teams[r.IntN(len(teams))], Offset: offsets[r.IntN(len(offsets))],
			Capacity: r.IntN(4),
		})
	}
	in.Previous, in.Blocked, in.Hidden = map[Key]bool{}, map[Key]bool{}, map[Key]bool{}
	for _, e := range in.Mentees {
		for _, m := range in.Mentors {
			k := Key{e.ID, m.ID}
			if r.IntN(2) == 0 {
				k = Key{m.ID, e.ID}
			}
			switch r.IntN(12) {
			case 0, 1:
				in.Previous[k] = true
			case 2:
				in.Blocked[k] = true
			case 3:
				in.Previous[k] = false // a false entry names nothing
			case 4:
				in.Hidden[k] = true // an avoid list or a declined proposal
			case 5:
				in.Hidden[k], in.Previous[k] = true, true
			}
		}
	}
	return in
}

func named(m map[Key]bool, a, b string) bool { return m[Key{a, b}] || m[Key{b, a}] }

// bruteForce returns the best total and, among rounds with that total, the most pairs,
// by trying every assignment (memoised on the mentors' remaining capacities). It uses
// only Score and the rules as the documentation states them.
func bruteForce(in Input) (total float64, pairs int) {
	type option struct {
		mentor int
		score  float64
	}
	options := make([][]option, len(in.Mentees))
	for i, e := range in.Mentees {
		for j, m := range in.Mentors {
			score, _, ok := Score(e, m, named(in.Previous, e.ID, m.ID))
			if ok && score > 0 && m.Capacity > 0 && !named(in.Blocked, e.ID, m.ID) && !named(in.Hidden, e.ID, m.ID) {
				options[i] = append(options[i], option{j, score})
			}
		}
	}
	type value struct {
		total float64
		pairs int
	}
	memo := map[string]value{}
	var best func(i int, left []int) value
	best = func(i int, left []int) value {
		if i == len(in.Mentees) {
			return value{}
		}
		key := fmt.Sprint(i, left)
		if v, ok := memo[key]; ok {
			return v
		}
		v := best(i+1, left) // mentee i unmatched
		for _, o := range options[i] {
			if left[o.mentor] == 0 {
				continue
			}
			left[o.mentor]--
			w := best(i+1, left)
			left[o.mentor]++
			w.total += o.score
			w.pairs++
			if w.total > v.total || w.total == v.total && w.pairs > v.pairs {
				v = w
			}
		}
		memo[key] = v
		return v
	}
	left := make([]int, len(in.Mentors))
	for j, m := range in.Mentors {
		left[j] = max(m.Capacity, 0)
	}
	v := best(0, left)
	return v.total, v.pairs
}

// checkRules reports every way res breaks a hard rule, is inconsistent with Score, or
// misplaces a mentee.
func checkRules(in Input, res Result) []string {
	var errs []string
	mentees := map[string]Mentee{}
	for _, e := range in.Mentees {
		mentees[e.ID] = e
	}
	mentors := map[string]Mentor{}
	for _, m := range in.Mentors {
		mentors[m.ID] = m
	}
	seen := map[string]bool{}
	load := map[string]int{}
	var total float64
	for _, p := range res.Pairs {
		e, ok1 := mentees[p.MenteeID]
		m, ok2 := mentors[p.MentorID]
		if !ok1 || !ok2 {
			errs = append(errs, fmt.Sprintf("pair %s-%s names someone not in the round", p.MenteeID, p.MentorID))
			continue
		}
		if seen[e.ID] {
			errs = append(errs, fmt.Sprintf("mentee %s placed twice", e.ID))
		}
		seen[e.ID] = true
		load[m.ID]++
		if load[m.ID] > m.Capacity {
			errs = append(errs, fmt.Sprintf("mentor %s over capacity %d", m.ID, m.Capacity))
		}
		if named(in.Blocked, e.ID, m.ID) {
			errs = append(errs, fmt.Sprintf("blocked pair %s-%s made", e.ID, m.ID))
		}
		if named(in.Hidden, e.ID, m.ID) {
			errs = append(errs, fmt.Sprintf("hidden pair %s-%s (avoided or declined) made", e.ID, m.ID))
		}
		score, reasons, ok := Score(e, m, named(in.Previous, e.ID, m.ID))
		if !ok || score <= 0 {
			errs = append(errs, fmt.Sprintf("pair %s-%s forbidden or worthless (ok %v, score %v)", e.ID, m.ID, ok, score))
		}
		if e.ID == m.ID || e.ManagerID == m.ID || m.ManagerID == e.ID || len(reasons.SharedTopics) == 0 {
			errs = append(errs, fmt.Sprintf("pair %s-%s breaks a hard rule that Score missed", e.ID, m.ID))
		}
		if score != p.Score || !reflect.DeepEqual(reasons, p.Reasons) {
			errs = append(errs, fmt.Sprintf("pair %s-%s: score %v %+v, Score says %v %+v", e.ID, m.ID, p.Score, p.Reasons, score, reasons))
		}
		total += p.Score
	}
	if total != res.Total {
		errs = append(errs, fmt.Sprintf("Total %v, pairs add up to %v", res.Total, total))
	}
	for _, u := range res.Unmatched {
		if seen[u.MenteeID] {
			errs = append(errs, fmt.Sprintf("mentee %s both paired and unmatched", u.MenteeID))
		}
		seen[u.MenteeID] = true
		if u.Reason == "" || u.Cause == "" {
			errs = append(errs, fmt.Sprintf("mentee %s unmatched without a reason", u.MenteeID))
		}
	}
	if len(seen) != len(mentees) {
		errs = append(errs, fmt.Sprintf("%d mentees in the result, %d in the round", len(seen), len(mentees)))
	}
	if !slices.IsSortedFunc(res.Pairs, func(a, b Pair) int { return strings.Compare(a.MenteeID, b.MenteeID) }) ||
		!slices.IsSortedFunc(res.Unmatched, func(a, b Unmatched) int { return strings.Compare(a.MenteeID, b.MenteeID) }) {
		errs = append(errs, "result not sorted by mentee")
	}
	return errs
}

// shuffled returns in with its lists, and each person's topics, in another order.
func shuffled(r *rand.Rand, in Input) Input {
	out := Input{Previous: in.Previous, Blocked: in.Blocked, Hidden: in.Hidden}
	for _, k := range r.Perm(len(in.Mentees)) {
		e := in.Mentees[k]
		e.Topics = slices.Clone(e.Topics)
		r.Shuffle(len(e.Topics), func(a, b int) { e.Topics[a], e.Topics[b] = e.Topics[b], e.Topics[a] })
		out.Mentees = append(out.Mentees, e)
	}
	for _, k := range r.Perm(len(in.Mentors)) {
		m := in.Mentors[k]
		m.Topics = slices.Clone(m.Topics)
		r.Shuffle(len(m.Topics), func(a, b int) { m.Topics[a], m.Topics[b] = m.Topics[b], m.Topics[a] })
		out.Mentors = append(out.Mentors, m)
	}
	return out
}

// TestSolveMatchesBruteForce is the property test: on thousands of small random rounds
// Solve finds the brute-force optimum, breaks no rule, agrees with Score, and gives the
// same result whatever the input order. The seed is fixed so a failure reproduces;
// the failing round is printed.
func TestSolveMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(2024, 7))
	rounds := 10000
	if testing.Short() {
		rounds = 1000
	}
	for n := range rounds {
		in := randomRound(r, 8, 5)
		res := Solve(in)
		fail := func(format string, args ...any) {
			t.Helper()
			t.Fatalf("round %d: %s\ninput: %+v\nresult: %+v", n, fmt.Sprintf(format, args...), in, res)
		}
		if errs := checkRules(in, res); len(errs) > 0 {
			fail("%s", strings.Join(errs, "\n"))
		}
		total, pairs := bruteForce(in)
		if res.Total != total || len(res.Pairs) != pairs {
			fail("total %v with %d pairs, brute force %v with %d pairs", res.Total, len(res.Pairs), total, pairs)
		}
		if again := Solve(shuffled(r, in)); !reflect.DeepEqual(again, res) {
			fail("shuffled input gave %+v", again)
		}
	}
}

// TestSolveOptimalLarge checks rounds too big for brute force against the solver's own
// certificate: node potentials under which no residual edge has a negative reduced
// cost, which proves the flow has the least cost (the highest total) there is.
func TestSolveOptimalLarge(t *testing.T) {
	r := rand.New(rand.NewPCG(99, 1))
	for _, size := range []struct{ mentees, mentors int }{{100, 30}, {400, 100}, {2000, 500}} {
		in := benchRound(r, size.mentees, size.mentors)
		p := newProblem(in)
		s := newSolver(p.graph)
		s.run()
		if err := s.certify(); err != nil {
			t.Errorf("%d×%d: %v", size.mentees, size.mentors, err)
		}
		res := p.result(in, s)
		if errs := checkRules(in, res); len(errs) > 0 {
			t.Errorf("%d×%d: %s", size.mentees, size.mentors, strings.Join(errs, "\n"))
		}
		if again := Solve(shuffled(r, in)); !reflect.DeepEqual(again, res) {
			t.Errorf("%d×%d: shuffled input gave another result", size.mentees, size.mentors)
		}
	}
}

// certify checks the optimality conditions of the min-cost flow (see add's comment for
// the reduced costs of each kind of residual edge).
func (s *solver) certify() error {
	load := make([]int32, s.m)
	for i := range s.n {
		own := s.match[i]
		if own >= 0 {
			load[own]++
			if s.potE[i] < 0 {
				return fmt.Errorf("mentee %d → sink: reduced cost %d", i, s.potE[i])
			}
		} else if s.potE[i] > 0 {
			return fmt.Errorf("sink → unmatched mentee %d: reduced cost %d", i, -s.potE[i])
		}
		for k := s.start[i]; k < s.start[i+1]; k++ {
			j, w := s.to[k], s.weight[k]
			if j == own {
				if rc := s.potM[j] + w - s.potE[i]; rc < 0 {
					return fmt.Errorf("mentor %d → mentee %d: reduced cost %d", j, i, rc)
				}
			} else if rc := s.potE[i] - w - s.potM[j]; rc < 0 {
				return fmt.Errorf("mentee %d → mentor %d: reduced cost %d", i, j, rc)
			}
		}
	}
	for j := range s.m {
		if load[j] > s.capacity[j] || int(load[j]) != len(s.held[j]) {
			return fmt.Errorf("mentor %d: load %d, capacity %d", j, load[j], s.capacity[j])
		}
		if load[j] < s.capacity[j] && s.potM[j] < 0 {
			return fmt.Errorf("mentor %d → sink: reduced cost %d", j, s.potM[j])
		}
		if load[j] > 0 && s.potM[j] > 0 {
			return fmt.Errorf("sink → mentor %d: reduced cost %d", j, -s.potM[j])
		}
	}
	return nil
}

func TestSolveEmpty(t *testing.T) {
	if got := Solve(Input{}); !reflect.DeepEqual(got, Result{}) {
		t.Errorf("Solve(empty) = %+v", got)
	}
	got := Solve(Input{Mentees: []Mentee{{ID: "E", Topics: []string{"go"}}}})
	want := []Unmatched{{MenteeID: "E", Cause: CauseNoSharedTopic,
		Reason: "No mentor in the programme shares your topics (go) yet; you stay in the pool for the next round."}}
	if !reflect.DeepEqual(got.Unmatched, want) || got.Pairs != nil {
		t.Errorf("Solve(no mentors) = %+v", got)
	}
}

// TestSolveNotGreedy is a round a greedy matcher gets wrong: the best single pair
// (A with X) would leave B with nobody.
func TestSolveNotGreedy(t *testing.T) {
	in := Input{
		Mentees: []Mentee{
			{ID: "A", Topics: []string{"go", "sql"}},
			{ID: "B", Topics: []string{"go"}},
		},
		Mentors: []Mentor{
			{ID: "X", Topics: []string{"go", "sql"}, Capacity: 1},
			{ID: "Y", Topics: []string{"sql"}, Capacity: 1},
		},
	}
	got := Solve(in)
	var pairs []string
	for _, p := range got.Pairs {
		pairs = append(pairs, p.MenteeID+"-"+p.MentorID)
	}
	if want := []string{"A-Y", "B-X"}; !slices.Equal(pairs, want) || got.Total != 260 {
		t.Errorf("pairs %v total %v, want %v total 260", pairs, got.Total, want)
	}
}

func TestUnmatchedReasons(t *testing.T) {
	goOnly := []string{"go"}
	next := "; you stay in the pool for the next round."
	tests := []struct {
		name   string
		in     Input
		cause  Cause
		reason string
	}{
		{
			name:   "no topics",
			in:     Input{Mentees: []Mentee{{ID: "E"}}, Mentors: []Mentor{{ID: "M", Topics: goOnly, Capacity: 1}}},
			cause:  CauseNoTopics,
			reason: "You have not listed any topics, so no mentor can be matched with you: add some with `/mentor join`.",
		},
		{
			name:   "nobody shares a topic",
			in:     Input{Mentees: []Mentee{{ID: "E", Topics: []string{"rust", "go"}}}, Mentors: []Mentor{{ID: "M", Topics: []string{"sql"}, Capacity: 1}}},
			cause:  CauseNoSharedTopic,
			reason: "No mentor in the programme shares your topics (go, rust) yet" + next,
		},
		{
			name:   "only yourself, as a mentor, shares a topic",
			in:     Input{Mentees: []Mentee{{ID: "E", Topics: goOnly}}, Mentors: []Mentor{{ID: "E", Topics: goOnly, Capacity: 1}}},
			cause:  CauseNoSharedTopic,
			reason: "No mentor in the programme shares your topics (go) yet" + next,
		},
		{
			name: "only your manager shares a topic",
			in: Input{
				Mentees: []Mentee{{ID: "E", Topics: goOnly, ManagerID: "BOSS"}},
				Mentors: []Mentor{{ID: "BOSS", Topics: goOnly, Capacity: 3}, {ID: "M", Topics: []string{"sql"}, Capacity: 3}},
			},
			cause:  CauseManager,
			reason: "The only mentor who shares your topics (go) is your manager, and you are never paired with your own manager" + next,
		},
		{
			name: "only your manager and your report share a topic",
			in: Input{
				Mentees: []Mentee{{ID: "E", Topics: goOnly, ManagerID: "BOSS"}},
				Mentors: []Mentor{{ID: "BOSS", Topics: goOnly, Capacity: 3}, {ID: "R", Topics: goOnly, ManagerID: "E", Capacity: 3}},
			},
			cause:  CauseManager,
			reason: "The only mentors who share your topics (go) are your manager or people you manage, and mentoring never pairs a manager with their report" + next,
		},
		{
			name: "your manager and a mentor who ended a pairing by rematch share a topic",
			in: Input{
				Mentees: []Mentee{{ID: "E", Topics: goOnly, ManagerID: "BOSS"}},
				Mentors: []Mentor{{ID: "BOSS", Topics: goOnly, Capacity: 3}, {ID: "N", Topics: goOnly, Capacity: 2}},
				Blocked: map[Key]bool{{"E", "N"}: true},
			},
			cause:  CauseManagerOrRematch,
			reason: "Each mentor who shares your topics (go) is either your manager (or someone you manage) or ended a pairing with you by rematch, and you are paired with neither" + next,
		},
		{
			// An avoid list or a declined proposal is private: the reason reads as if
			// that mentor were not in the programme.
			name: "the only mentor who shares a topic is hidden",
			in: Input{
				Mentees: []Mentee{{ID: "E", Topics: goOnly}},
				Mentors: []Mentor{{ID: "N", Topics: goOnly, Capacity: 2}},
				Hidden:  map[Key]bool{{"N", "E"}: true},
			},
			cause:  CauseNoSharedTopic,
			reason: "No mentor in the programme shares your topics (go) yet" + next,
		},
		{
			name: "one mentor full, the other hidden",
			in: Input{
				Mentees: []Mentee{{ID: "E", Topics: goOnly}},
				Mentors: []Mentor{{ID: "M", Topics: goOnly, Capacity: 0}, {ID: "N", Topics: goOnly, Capacity: 2}},
				Hidden:  map[Key]bool{{"E", "N"}: true},
			},
			cause:  CauseFull,
			reason: "The mentors who share your topics (go) have no free places right now" + next,
		},
		{
			name: "the mentors who share a topic are full",
			in: Input{
				Mentees: []Mentee{{ID: "E", Topics: goOnly}},
				Mentors: []Mentor{{ID: "M", Topics: goOnly, Capacity: 0}, {ID: "N", Topics: goOnly, Capacity: -1}},
			},
			cause:  CauseFull,
			reason: "The mentors who share your topics (go) have no free places right now" + next,
		},
		{
			name: "one mentor full, the other ended a pairing by rematch",
			in: Input{
				Mentees: []Mentee{{ID: "E", Topics: goOnly}},
				Mentors: []Mentor{{ID: "M", Topics: goOnly, Capacity: 0}, {ID: "N", Topics: goOnly, Capacity: 2}},
				Blocked: map[Key]bool{{"E", "N"}: true},
			},
			cause:  CauseFull,
			reason: "The mentors who share your topics (go) have no free places right now" + next,
		},
		{
			name: "the only mentor who shares a topic ended a pairing by rematch",
			in: Input{
				Mentees: []Mentee{{ID: "E", Topics: goOnly}},
				Mentors: []Mentor{{ID: "N", Topics: goOnly, Capacity: 2}},
				Blocked: map[Key]bool{{"N", "E"}: true}, // named the other way round
			},
			cause:  CauseRematch,
			reason: "The only mentors who share your topics (go) ended a pairing with you by rematch, so you are not paired with them again" + next,
		},
		{
			name: "the only free mentor was your partner before",
			in: Input{
				Mentees:  []Mentee{{ID: "E", Topics: goOnly}},
				Mentors:  []Mentor{{ID: "N", Topics: goOnly, Capacity: 2}},
				Previous: map[Key]bool{{"E", "N"}: true},
			},
			cause:  CausePrevious,
			reason: "The only mentors with free places who share your topics (go) were paired with you before, and a new partner is better for you" + next,
		},
		{
			name: "the place went to a mentee who shares more",
			in: Input{
				Mentees: []Mentee{{ID: "E", Topics: goOnly}, {ID: "F", Topics: []string{"go", "sql"}}},
				Mentors: []Mentor{{ID: "N", Topics: []string{"go", "sql"}, Capacity: 1}},
			},
			cause:  CauseTaken,
			reason: "Mentors who share your topics (go) were all taken this round" + next,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Solve(tt.in)
			var got *Unmatched
			for k := range res.Unmatched {
				if res.Unmatched[k].MenteeID == "E" {
					got = &res.Unmatched[k]
				}
			}
			if got == nil {
				t.Fatalf("E was paired: %+v", res.Pairs)
			}
			if got.Cause != tt.cause || got.Reason != tt.reason {
				t.Errorf("got %s %q\nwant %s %q", got.Cause, got.Reason, tt.cause, tt.reason)
			}
		})
	}
}
