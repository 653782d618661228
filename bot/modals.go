package bot

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/internal/mentoring"
)

// Modal callback ids and the ids of their inputs. Each input's block_id and action_id
// are the same, so a submission reads values[id][id].
const (
	callbackJoin    = "join"
	callbackGoalAdd = "goal_add"

	inputRole     = "role"
	inputTopics   = "topics"
	inputGoals    = "goals"
	inputCapacity = "capacity"
	inputManager  = "manager"
	inputTeam     = "team"
	inputGoal     = "goal"
)

// maxFieldError bounds an error shown under a modal's input.
const maxFieldError = 300

// openJoinModal opens the join form: for someone not in the programme, to join; for
// a member, to edit their profile, filled in with what they told us before.
func (b *Bot) openJoinModal(ctx context.Context, triggerID, userID string) error {
	p, err := b.prog.Member(ctx, userID)
	if err != nil && mentoring.ErrorCode(err) != mentoring.ENOTFOUND {
		return err
	}
	member := err == nil
	if !member {
		p = &mentoring.Participant{Role: mentoring.RoleMentee, Capacity: mentoring.DefaultCapacity}
	}
	title, submit := "Join mentoring", "Join"
	intro := "Mentoring pairs you with someone who shares your topics, never your own manager. What you write in check-ins stays between the two of you."
	goalsLabel, goalsHint := "Goals", "Mentees: what you want to achieve, one per line. Added to your goals."
	if member {
		title, submit = "Edit your profile", "Save"
		intro = "Change what you told us. Your current partners stay; new pairings use what you save here."
		goalsLabel, goalsHint = "New goals", "One per line, added to the goals you have. Mark goals done on your Home tab."
	}

	roleOpts := []*slack.OptionBlockObject{
		slack.NewOptionBlockObject(string(mentoring.RoleMentee), plain("Mentee: I'd like a mentor"), nil),
		slack.NewOptionBlockObject(string(mentoring.RoleMentor), plain("Mentor: I'd like to mentor"), nil),
		slack.NewOptionBlockObject(string(mentoring.RoleBoth), plain("Both"), nil),
	}
	role := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Choose a role"), inputRole, roleOpts...)
	for _, o := range roleOpts {
		if o.Value == string(p.Role) {
			role.InitialOption = o
		}
	}

	topics := slack.NewPlainTextInputBlockElement(plain("go, public speaking, leadership"), inputTopics)
	topics.InitialValue = PlainText(strings.Join(p.Topics, ", "), 1000)
	topics.MaxLength = mentoring.MaxTopics * (mentoring.MaxTopicLen + 2)

	goals := slack.NewPlainTextInputBlockElement(plain("One goal per line"), inputGoals)
	goals.Multiline = true
	goals.MaxLength = 3000

	var capOpts []*slack.OptionBlockObject
	for n := mentoring.MinCapacity; n <= mentoring.MaxCapacity; n++ {
		capOpts = append(capOpts, slack.NewOptionBlockObject(strconv.Itoa(n), plain(strconv.Itoa(n)), nil))
	}
	capacity := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("How many"), inputCapacity, capOpts...)
	capacity.InitialOption = capOpts[p.Capacity-mentoring.MinCapacity]

	manager := slack.NewOptionsSelectBlockElement(slack.OptTypeUser, plain("Choose your manager"), inputManager)
	manager.InitialUser = p.ManagerID

	team := slack.NewPlainTextInputBlockElement(plain("e.g. Payments"), inputTeam)
	team.InitialValue = PlainText(p.Team, mentoring.MaxTeamLen)
	team.MaxLength = mentoring.MaxTeamLen

	optional := func(blk *slack.InputBlock) *slack.InputBlock { blk.Optional = true; return blk }
	blocks := []slack.Block{
		mrkdwnSection(intro),
		slack.NewInputBlock(inputRole, plain("I'm joining as"), nil, role),
		slack.NewInputBlock(inputTopics, plain("Topics"), plain("Comma-separated: what you want to learn or can teach."), topics),
		optional(slack.NewInputBlock(inputGoals, plain(goalsLabel), plain(goalsHint), goals)),
		optional(slack.NewInputBlock(inputCapacity, plain("Mentees at once (mentors)"), nil, capacity)),
		optional(slack.NewInputBlock(inputManager, plain("Your manager"), plain("You are never paired with them."), manager)),
		optional(slack.NewInputBlock(inputTeam, plain("Your team"), plain("Pairs across teams score higher."), team)),
	}
	_, err = b.api.OpenViewContext(ctx, triggerID, slack.ModalViewRequest{
		Type:       slack.VTModal,
		CallbackID: callbackJoin,
		Title:      plain(title),
		Submit:     plain(submit),
		Close:      plain("Cancel"),
		Blocks:     slack.Blocks{BlockSet: blocks},
	})
	if err != nil {
		return fmt.Errorf("open join modal: %w", err)
	}
	return nil
}

// joinFields maps the programme's field names to the join form's inputs.
var joinFields = map[string]string{
	"role": inputRole, "topics": inputTopics, "goals": inputGoals,
	"capacity": inputCapacity, "manager": inputManager, "team": inputTeam,
}

// joinSubmitted joins from the form; errors go back under their inputs.
func (b *Bot) joinSubmitted(ctx context.Context, cb *slack.InteractionCallback) (*slack.ViewSubmissionResponse, error) {
	v := cb.View.State.Values
	manager := v[inputManager][inputManager].SelectedUser
	team := clean(v[inputTeam][inputTeam].Value)
	j := mentoring.Join{
		Role:      mentoring.Role(v[inputRole][inputRole].SelectedOption.Value),
		Topics:    strings.Split(clean(v[inputTopics][inputTopics].Value), ","),
		ManagerID: &manager,
		Team:      &team,
	}
	for line := range strings.SplitSeq(v[inputGoals][inputGoals].Value, "\n") {
		j.Goals = append(j.Goals, clean(line))
	}
	if c := v[inputCapacity][inputCapacity].SelectedOption.Value; c != "" {
		if j.Capacity, _ = strconv.Atoi(c); j.Capacity == 0 {
			j.Capacity = -1 // not a number: refused by the programme's rule
		}
	}
	before, after, err := b.prog.Join(ctx, cb.User.ID, j)
	if err != nil {
		if resp := formErrors(err, joinFields, inputRole); resp != nil {
			return resp, nil
		}
		return nil, err
	}
	b.refreshHome(cb.User.ID)
	st, err := b.prog.Status(ctx, cb.User.ID)
	if err != nil {
		return nil, err
	}
	summary := joinSummary(before, after)
	if before != nil {
		summary = profileSaved(before, after)
	}
	b.client.dm(ctx, cb.User.ID, summary+"\n\n"+statusText(st))
	return nil, nil
}

// profileSaved tells a member what saving the profile form changed, every field of
// it: role, topics, capacity, manager, team and goals added.
func profileSaved(before, after *mentoring.Participant) string {
	var changes []string
	if before.Role != after.Role {
		changes = append(changes, fmt.Sprintf("Role: *%s* (was %s).", roleName(after.Role), roleName(before.Role)))
	}
	if !slices.Equal(before.Topics, after.Topics) {
		changes = append(changes, "Topics: "+Escape(strings.Join(after.Topics, ", "))+".")
	}
	if before.Capacity != after.Capacity && after.Role.Mentors() {
		changes = append(changes, fmt.Sprintf("You take up to %d %s at once.", after.Capacity, plural(after.Capacity, "mentee", "mentees")))
	}
	switch {
	case before.ManagerID == after.ManagerID:
	case after.ManagerID == "":
		changes = append(changes, "Manager: none recorded now.")
	default:
		changes = append(changes, fmt.Sprintf("Manager: <@%s>. You'll never be paired with them.", after.ManagerID))
	}
	switch {
	case before.Team == after.Team:
	case after.Team == "":
		changes = append(changes, "Team: none recorded now.")
	default:
		changes = append(changes, "Team: *"+Escape(after.Team)+"*.")
	}
	if added := len(after.Goals) - len(before.Goals); added > 0 {
		changes = append(changes, fmt.Sprintf("%d new %s added.", added, plural(added, "goal", "goals")))
	}
	if len(changes) == 0 {
		return "Your profile is saved: nothing changed."
	}
	return "Your profile is saved. What changed:\n• " + strings.Join(changes, "\n• ")
}

// openGoalModal opens the Home tab's "Add a goal" form.
func (b *Bot) openGoalModal(ctx context.Context, triggerID string) error {
	in := slack.NewPlainTextInputBlockElement(plain("e.g. give a talk at the team meeting"), inputGoal)
	in.MaxLength = mentoring.MaxGoalLen
	_, err := b.api.OpenViewContext(ctx, triggerID, slack.ModalViewRequest{
		Type:       slack.VTModal,
		CallbackID: callbackGoalAdd,
		Title:      plain("Add a goal"),
		Submit:     plain("Add"),
		Close:      plain("Cancel"),
		Blocks:     slack.Blocks{BlockSet: []slack.Block{slack.NewInputBlock(inputGoal, plain("Goal"), nil, in)}},
	})
	if err != nil {
		return fmt.Errorf("open goal modal: %w", err)
	}
	return nil
}

func (b *Bot) goalSubmitted(ctx context.Context, cb *slack.InteractionCallback) (*slack.ViewSubmissionResponse, error) {
	if _, err := b.prog.AddGoal(ctx, cb.User.ID, clean(cb.View.State.Values[inputGoal][inputGoal].Value)); err != nil {
		if resp := formErrors(err, nil, inputGoal); resp != nil {
			return resp, nil
		}
		return nil, err
	}
	b.refreshHome(cb.User.ID)
	return nil, nil
}
