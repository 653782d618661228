package mentoring

// MinGroup is the smallest group a figure drawn from what people answered (check-ins
// answered, meetings reported, progress) may describe: below it an aggregate could
// single out a person or a pair, so it is hidden.
const MinGroup = 5

// Stats are the programme's aggregate figures: counts and rates only, never a name or
// any note text.
type Stats struct {
	// Head counts of people in the programme (not left), by role; always shown.
	Mentors, Mentees, Both int
	Paused                 int
	ActivePairs            int
	UnmatchedMentees       int

	// Drawn from answers: shown only when CheckinPeople >= MinGroup.
	CheckinsSent     int
	CheckinsAnswered int
	MeetingsReported int
	// CheckinPeople is how many distinct people were sent check-ins: the group the
	// answer figures describe.
	CheckinPeople int

	GoalsSet, GoalsDone int
	KudosGiven          int
}

// AnswersShown reports whether figures drawn from answers may be shown.
func (s Stats) AnswersShown() bool { return s.CheckinPeople >= MinGroup }
