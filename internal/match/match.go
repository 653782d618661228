// Package match is the pairing solver: given the unpaired mentees and the mentors of a
// round, it picks the pairs whose total score is the highest possible, and tells each
// mentee it could not pair why. It is pure: no Slack, storage or clock.
package match

import (
	"cmp"
	"slices"
	"strings"
)

// Mentee is a person looking for a mentor in this round.
type Mentee struct {
	ID        string
	Topics    []string // already normalised (lower-case, deduplicated)
	ManagerID string   // the mentee's manager ("" if none)
	Team      string   // "" if none
	Offset    int      // UTC offset in minutes at the time of the round
}

// Mentor is a person who takes mentees. A person whose role is "both" is in both lists
// and is never paired with themselves.
type Mentor struct {
	ID        string
	Topics    []string
	ManagerID string // the mentor's own manager
	Team      string
	Offset    int
	Capacity  int // remaining slots this round (capacity minus active mentees); <= 0 means full
}

// Key names a mentee and a mentor.
type Key struct{ Mentee, Mentor string }

// Input is a round. IDs are unique within each list (an ID repeated in a list counts
// once, from its first entry after sorting by ID). People who left or paused are the
// caller's to leave out.
//
// Previous, Blocked and Hidden name two people, whichever of them was the mentor:
// Key{A, B} also covers B mentoring A, since each rule is about the two people meeting.
type Input struct {
	Mentees  []Mentee
	Mentors  []Mentor
	Previous map[Key]bool // pairs that existed before: strong penalty
	Blocked  map[Key]bool // pairs never to make again (a "rematch" ended them): hard rule
	// Hidden are pairs never to make whose reason is one person's private choice (an
	// avoid list, a declined proposal): a hard rule like Blocked, but an unmatched
	// mentee's Cause and Reason are worked out as if those mentors were not in the
	// round, so they never reveal the choice.
	Hidden map[Key]bool
}

// Pair is a mentee and the mentor chosen for them.
type Pair struct {
	MenteeID, MentorID string
	Score              float64
	Reasons            Reasons
}

// Reasons explains a match to the two people it pairs: what the score rewarded.
type Reasons struct {
	SharedTopics   []string `json:"shared_topics,omitempty"` // sorted
	HoursApart     float64  `json:"hours_apart"`
	DifferentTeams bool     `json:"different_teams"`
}

// Cause says, for code, why a mentee was not paired; Unmatched.Reason says it to the
// mentee. The causes are listed from the most specific; a mentee gets the first that
// applies.
type Cause string

const (
	// CauseNoTopics: the mentee listed no topics.
	CauseNoTopics Cause = "no_topics"
	// CauseNoSharedTopic: no mentor of the round shares a topic with the mentee.
	CauseNoSharedTopic Cause = "no_shared_topic"
	// CauseManager: the only mentors who share a topic are the mentee's manager or
	// people the mentee manages.
	CauseManager Cause = "manager"
	// CauseRematch: the only mentors who share a topic (and are not managers) ended a
	// pairing with the mentee by rematch.
	CauseRematch Cause = "rematch"
	// CauseManagerOrRematch: each mentor who shares a topic is the mentee's manager (or
	// managed by them) or ended a pairing with the mentee by rematch, and both rules
	// applied.
	CauseManagerOrRematch Cause = "manager_or_rematch"
	// CauseFull: the mentors who share a topic (and are not managers) are at capacity,
	// or ended a pairing with the mentee by rematch.
	CauseFull Cause = "full"
	// CausePrevious: the only mentors left were the mentee's partners before, and score
	// too low to be chosen again (see PreviousPenalty).
	CausePrevious Cause = "previous"
	// CauseTaken: a pair was possible, but the mentors' places went to other mentees
	// because that made the round's total higher.
	CauseTaken Cause = "taken"
)

// Unmatched is a mentee the round could not pair.
type Unmatched struct {
	MenteeID string
	Cause    Cause
	// Reason is a sentence for the mentee, in the second person.
	Reason string
}

// Result is a round's outcome. Every mentee of the input is in exactly one of Pairs
// and Unmatched.
type Result struct {
	Pairs     []Pair      // sorted by MenteeID
	Unmatched []Unmatched // sorted by MenteeID
	Total     float64     // the sum of the pairs' scores
}

// Solve pairs each mentee with at most one mentor so that the total score of the
// round is the highest possible: exactly, not greedily. Among rounds with the same
// total it makes the most pairs. It never pairs what Score forbids, never gives a
// mentor more pairs than Capacity, never makes a Blocked pair, and never makes a pair
// scoring 0 or less. The result depends only on the input's content, not its order.
//
// The solution is exact at every size (there is no pruning): at worst one Dijkstra
// search over the candidate pairs (mentee and mentor sharing a topic) per mentee, in
// practice far less; 10,000 mentees and 2,500 mentors take about 4 s on two cores
// (see docs/benchmarks.md).
func Solve(in Input) Result {
	p := newProblem(in)
	s := newSolver(p.graph)
	s.run()
	return p.result(in, s)
}

// problem is a round with people sorted by ID and the candidate pairs as a graph.
type problem struct {
	mentees []Mentee
	mentors []Mentor
	graph   graph
	causes  []Cause // per mentee: why it would stay unmatched
}

func newProblem(in Input) *problem {
	p := &problem{
		mentees: sortedByID(in.Mentees, func(e Mentee) string { return e.ID }),
		mentors: sortedByID(in.Mentors, func(m Mentor) string { return m.ID }),
	}
	n, m := len(p.mentees), len(p.mentors)
	menteeIndex := make(map[string]int32, n)
	for i, e := range p.mentees {
		menteeIndex[e.ID] = int32(i)
	}
	mentorIndex := make(map[string]int32, m)
	for j, x := range p.mentors {
		mentorIndex[x.ID] = int32(j)
	}

	// The pairs a rule names, per mentee: its manager, the mentors it manages, and the
	// Previous and Blocked pairs in either direction.
	const (
		flagManaged = 1 << iota
		flagBlocked
		flagPrevious
		flagHidden
	)
	type named struct {
		mentor int32
		flags  uint8
	}
	special := make([][]named, n)
	mark := func(mentee, mentor string, flags uint8) {
		i, ok := menteeIndex[mentee]
		if !ok || mentee == "" || mentor == "" {
			return
		}
		if j, ok := mentorIndex[mentor]; ok {
			special[i] = append(special[i], named{j, flags})
		}
	}
	for _, e := range p.mentees {
		mark(e.ID, e.ManagerID, flagManaged)
	}
	for _, x := range p.mentors {
		mark(x.ManagerID, x.ID, flagManaged)
	}
	for k, v := range in.Blocked {
		if v {
			mark(k.Mentee, k.Mentor, flagBlocked)
			mark(k.Mentor, k.Mentee, flagBlocked)
		}
	}
	for k, v := range in.Previous {
		if v {
			mark(k.Mentee, k.Mentor, flagPrevious)
			mark(k.Mentor, k.Mentee, flagPrevious)
		}
	}
	for k, v := range in.Hidden {
		if v {
			mark(k.Mentee, k.Mentor, flagHidden)
			mark(k.Mentor, k.Mentee, flagHidden)
		}
	}

	// Topics as small integers, and the mentors of each topic.
	topicIndex := make(map[string]int32)
	intern := func(topics []string) []int32 {
		ids := make([]int32, 0, len(topics))
		for _, t := range topics {
			if t == "" {
				continue
			}
			id, ok := topicIndex[t]
			if !ok {
				id = int32(len(topicIndex))
				topicIndex[t] = id
			}
			if !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
		return ids
	}
	menteeTopics := make([][]int32, n)
	for i, e := range p.mentees {
		menteeTopics[i] = intern(e.Topics)
	}
	var byTopic [][]int32
	for j, x := range p.mentors {
		for _, t := range intern(x.Topics) {
			if int(t) >= len(byTopic) {
				byTopic = append(byTopic, make([][]int32, int(t)+1-len(byTopic))...)
			}
			byTopic[t] = append(byTopic[t], int32(j))
		}
	}

	// Weights are scaled so that the score dominates and one more pair breaks ties:
	// weight = units*(n+1) + 1, and n pairs add at most n < n+1. A pair sharing 10
	// topics (the most a person may list) scores under 5.1e5 units, so weights stay below
	// 1e12 for a million mentees, far from overflowing int64.
	scale := int64(n) + 1
	g := graph{n: n, m: m, start: make([]int32, n+1), capacity: make([]int32, m)}
	for j, x := range p.mentors {
		g.capacity[j] = int32(max(x.Capacity, 0))
	}
	p.causes = make([]Cause, n)
	shared := make([]int32, m) // per mentor, topics shared with the current mentee
	flags := make([]uint8, m)
	var touched []int32
	type candidate struct {
		mentor int32
		weight int64
	}
	var candidates []candidate
	for i, e := range p.mentees {
		for _, s := range special[i] {
			flags[s.mentor] |= s.flags
		}
		touched = touched[:0]
		for _, t := range menteeTopics[i] {
			if int(t) >= len(byTopic) {
				continue
			}
			for _, j := range byTopic[t] {
				if shared[j] == 0 {
					touched = append(touched, j)
				}
				shared[j]++
			}
		}
		candidates = candidates[:0]
		var sharing, notManaged, blocked, free int
		for _, j := range touched {
			x := &p.mentors[j]
			f := flags[j]
			switch {
			case x.ID == e.ID, f&flagHidden != 0:
				// The same person, or a pair a private choice rules out: not a mentor
				// for this mentee at all, and not counted in the reason.
			case f&flagManaged != 0:
				sharing++
			case f&flagBlocked != 0:
				sharing++
				notManaged++
				blocked++
			case g.capacity[j] == 0:
				sharing++
				notManaged++
			default:
				sharing++
				notManaged++
				free++
				u := scoreUnits(int(shared[j]), minutesApart(e.Offset, x.Offset),
					differentTeams(e.Team, x.Team), f&flagPrevious != 0)
				if u > 0 {
					candidates = append(candidates, candidate{j, u*scale + 1})
				}
			}
			shared[j] = 0
		}
		// Heaviest first (the solver relies on it), then by mentor.
		slices.SortFunc(candidates, func(a, b candidate) int {
			return cmp.Or(cmp.Compare(b.weight, a.weight), cmp.Compare(a.mentor, b.mentor))
		})
		for _, c := range candidates {
			g.to = append(g.to, c.mentor)
			g.weight = append(g.weight, c.weight)
		}
		g.start[i+1] = int32(len(g.to))
		for _, s := range special[i] {
			flags[s.mentor] = 0
		}
		switch {
		case len(menteeTopics[i]) == 0:
			p.causes[i] = CauseNoTopics
		case sharing == 0:
			p.causes[i] = CauseNoSharedTopic
		case notManaged == 0:
			p.causes[i] = CauseManager
		case free == 0 && blocked == notManaged && sharing > notManaged:
			p.causes[i] = CauseManagerOrRematch
		case free == 0 && blocked == notManaged:
			p.causes[i] = CauseRematch
		case free == 0:
			p.causes[i] = CauseFull
		case len(candidates) == 0:
			p.causes[i] = CausePrevious
		default:
			p.causes[i] = CauseTaken
		}
	}
	p.graph = g
	return p
}

// sortedByID returns a copy of people sorted by ID, each ID once.
func sortedByID[T any](people []T, id func(T) string) []T {
	sorted := slices.Clone(people)
	slices.SortStableFunc(sorted, func(a, b T) int { return cmp.Compare(id(a), id(b)) })
	return slices.CompactFunc(sorted, func(a, b T) bool { return id(a) == id(b) })
}

func (p *problem) result(in Input, s *solver) Result {
	var r Result
	for i, e := range p.mentees {
		j := s.match[i]
		if j < 0 {
			r.Unmatched = append(r.Unmatched, Unmatched{
				MenteeID: e.ID,
				Cause:    p.causes[i],
				Reason:   reason(p.causes[i], e, p.mentors),
			})
			continue
		}
		x := p.mentors[j]
		previous := in.Previous[Key{e.ID, x.ID}] || in.Previous[Key{x.ID, e.ID}]
		score, reasons, _ := Score(e, x, previous)
		r.Pairs = append(r.Pairs, Pair{MenteeID: e.ID, MentorID: x.ID, Score: score, Reasons: reasons})
		r.Total += score
	}
	return r
}

// reason tells the mentee, in one sentence, why the round left them unmatched.
func reason(c Cause, e Mentee, mentors []Mentor) string {
	topics := slices.Clone(e.Topics)
	slices.Sort(topics)
	yours := "your topics (" + strings.Join(slices.Compact(topics), ", ") + ")"
	const next = "; you stay in the pool for the next round."
	switch c {
	case CauseNoTopics:
		return "You have not listed any topics, so no mentor can be matched with you: add some with `/mentor join`."
	case CauseNoSharedTopic:
		return "No mentor in the programme shares " + yours + " yet" + next
	case CauseManager:
		if onlyManagerShares(e, mentors) {
			return "The only mentor who shares " + yours + " is your manager, and you are never paired with your own manager" + next
		}
		return "The only mentors who share " + yours + " are your manager or people you manage, and mentoring never pairs a manager with their report" + next
	case CauseRematch:
		return "The only mentors who share " + yours + " ended a pairing with you by rematch, so you are not paired with them again" + next
	case CauseManagerOrRematch:
		return "Each mentor who shares " + yours + " is either your manager (or someone you manage) or ended a pairing with you by rematch, and you are paired with neither" + next
	case CauseFull:
		return "The mentors who share " + yours + " have no free places right now" + next
	case CausePrevious:
		return "The only mentors with free places who share " + yours + " were paired with you before, and a new partner is better for you" + next
	default:
		return "Mentors who share " + yours + " were all taken this round" + next
	}
}

// onlyManagerShares reports whether the one mentor (besides the mentee) sharing a topic
// with the mentee is the mentee's manager.
func onlyManagerShares(e Mentee, mentors []Mentor) bool {
	found := false
	for _, m := range mentors {
		if m.ID == e.ID || len(sharedTopics(e.Topics, m.Topics)) == 0 {
			continue
		}
		if m.ID != e.ManagerID {
			return false
		}
		found = true
	}
	return found
}
