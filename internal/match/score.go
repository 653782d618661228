package match

import "slices"

// The weights of a pair's score, in points.
const (
	// TopicPoints is earned per shared topic. It is more than ZonePoints+TeamPoints, so
	// one more shared topic always outweighs any difference of time zone and team.
	TopicPoints = 100
	// ZonePoints is earned by two people in the same time zone. It falls linearly with
	// the time between them and is 0 from ZoneFalloff on: people 8 or more hours apart
	// rarely share a working hour.
	ZonePoints = 30
	// ZoneFalloff is the time apart, in minutes, at which the zone points reach 0.
	ZoneFalloff = 8 * 60
	// TeamPoints is earned when both name a team and the teams differ: mentoring across
	// teams widens the mentee's network.
	TeamPoints = 15
	// PreviousPenalty is taken off when the two were paired before. It is more than
	// TopicPoints+ZonePoints+TeamPoints, so a previous partner who shares one topic
	// scores below zero and is never chosen again, and any new partner who shares a
	// topic beats a previous partner who shares two. A previous partner who shares
	// three or more topics still scores above zero, and is better than nobody.
	PreviousPenalty = 150
)

// unitsPerPoint scales points to the integers the solver adds up exactly: with it the
// zone points of every whole minute apart, ZonePoints*(ZoneFalloff-minutes)/ZoneFalloff,
// are a whole number of units.
const unitsPerPoint = ZoneFalloff

const minutesPerDay = 24 * 60

// Score returns the score of pairing mentee with mentor, the reasons to show them, and
// ok=false when a hard rule forbids the pair: the same person, a manager of the other
// (in either direction), or no shared topic. The rules that depend on the round
// (capacity, a pair ended by rematch) and the rule that a pair scoring 0 or less is
// never made are Solve's. previous says the two were paired before.
func Score(e Mentee, m Mentor, previous bool) (score float64, r Reasons, ok bool) {
	shared := sharedTopics(e.Topics, m.Topics)
	apart := minutesApart(e.Offset, m.Offset)
	r = Reasons{
		SharedTopics:   shared,
		HoursApart:     float64(apart) / 60,
		DifferentTeams: differentTeams(e.Team, m.Team),
	}
	if len(shared) == 0 || managed(e, m) {
		return 0, r, false
	}
	return points(scoreUnits(len(shared), apart, r.DifferentTeams, previous)), r, true
}

// managed reports whether the pair is one person, or one manages the other. An empty
// ID names nobody.
func managed(e Mentee, m Mentor) bool {
	return e.ID == m.ID ||
		e.ManagerID != "" && e.ManagerID == m.ID ||
		m.ManagerID != "" && m.ManagerID == e.ID
}

// scoreUnits is the score in units (see unitsPerPoint); Score and Solve both use it, so
// the solver optimises exactly the figure Score reports.
func scoreUnits(shared, minutesApart int, differentTeams, previous bool) int64 {
	u := int64(shared) * TopicPoints * unitsPerPoint
	if minutesApart < ZoneFalloff {
		u += ZonePoints * int64(ZoneFalloff-minutesApart) * unitsPerPoint / ZoneFalloff
	}
	if differentTeams {
		u += TeamPoints * unitsPerPoint
	}
	if previous {
		u -= PreviousPenalty * unitsPerPoint
	}
	return u
}

func points(units int64) float64 { return float64(units) / unitsPerPoint }

// minutesApart is the distance between two UTC offsets around the clock: +13:00 and
// -10:00 are 1 hour apart, not 23.
func minutesApart(a, b int) int {
	d := (a - b) % minutesPerDay
	if d < 0 {
		d += minutesPerDay
	}
	return min(d, minutesPerDay-d)
}

func differentTeams(a, b string) bool { return a != "" && b != "" && a != b }

// sharedTopics returns the topics in both lists, sorted, each once. An empty string is
// not a topic.
func sharedTopics(a, b []string) []string {
	var shared []string
	for _, t := range a {
		if t != "" && slices.Contains(b, t) && !slices.Contains(shared, t) {
			shared = append(shared, t)
		}
	}
	slices.Sort(shared)
	return shared
}
