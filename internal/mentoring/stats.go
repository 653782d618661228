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

	// Approval and CyclesOn are the programme's settings (Config.MentorApproval, a
	// Config.Cycle above zero): they say which of the figures below apply.
	Approval, CyclesOn bool

	// Proposals since the start. Open is a head count, always shown; accepted and
	// declined (declined or lapsed: the two are not told apart) are mentors' answers,
	// shown only when ProposalsShown.
	ProposalsAccepted, ProposalsDeclined, ProposalsOpen int
	// ProposalMentors is how many distinct mentors had a proposal decided: the group
	// the accepted and declined figures describe.
	ProposalMentors int

	// Fit checks since the start: answers, shown only when FitShown.
	FitYes, FitNo int
	// FitPeople is how many distinct people answered a fit check.
	FitPeople int

	// Cycles since the start, counted by pairing: CyclesEnded pairings wrapped up at
	// the end of a cycle (someone chose to, or an answer did not come in time), and
	// pairs chose CyclesContinued times to go on for another. Each is a cycle completed.
	CyclesEnded, CyclesContinued int

	// Closing surveys that gave a value (1-5): how many and their mean, shown only
	// when SurveyShown.
	SurveyValues int
	SurveyMean   float64
	// SurveyPeople is how many distinct people gave a value.
	SurveyPeople int
}

// AnswersShown reports whether figures drawn from answers may be shown.
func (s Stats) AnswersShown() bool { return s.CheckinPeople >= MinGroup }

// ProposalsShown reports whether the accepted and declined proposals may be shown.
func (s Stats) ProposalsShown() bool { return s.ProposalMentors >= MinGroup }

// FitShown reports whether the fit check's answers may be shown.
func (s Stats) FitShown() bool { return s.FitPeople >= MinGroup }

// SurveyShown reports whether the closing surveys' mean value may be shown.
func (s Stats) SurveyShown() bool { return s.SurveyPeople >= MinGroup }

// ProposalsApply reports whether proposals are part of the programme: mentor
// approval is on, or was and left proposals behind.
func (s Stats) ProposalsApply() bool {
	return s.Approval || s.ProposalsAccepted+s.ProposalsDeclined+s.ProposalsOpen > 0
}

// CyclesApply reports whether cycles are part of the programme: they are on, or
// were and left cycles or surveys behind.
func (s Stats) CyclesApply() bool {
	return s.CyclesOn || s.CyclesEnded+s.CyclesContinued+s.SurveyValues > 0
}

// CyclesCompleted is how many cycles pairs ran to their end.
func (s Stats) CyclesCompleted() int { return s.CyclesEnded + s.CyclesContinued }
