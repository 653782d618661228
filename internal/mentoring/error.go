// Package mentoring holds mentorbot's domain: participants, pairings, check-ins, goals,
// kudos and periods, their invariants, and the coded error that lets the edges tell a
// person what went wrong without leaking internals. It imports no Slack, bbolt or cron.
package mentoring

import (
	"errors"
	"fmt"
	"strings"
)

// Error codes. The edge (bot) shows the message of an EINVALID, ENOTFOUND, ECONFLICT or
// EFORBIDDEN error to the person; an EINTERNAL error is logged and replaced by an apology.
const (
	EINVALID   = "invalid"
	ENOTFOUND  = "not_found"
	ECONFLICT  = "conflict"
	EFORBIDDEN = "forbidden"
	EINTERNAL  = "internal"
)

// Error is a domain error whose Message is safe to show to the person who caused it.
type Error struct {
	Code    string
	Message string
	// Field names the input the error is about (a form shows it there), or "".
	Field string
}

func (e *Error) Error() string { return fmt.Sprintf("mentoring: %s: %s", e.Code, e.Message) }

// Errorf returns an *Error with the given code and a formatted, person-facing message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrorf is Errorf for an error about one input of a form.
func FieldErrorf(field, code, format string, args ...any) *Error {
	e := Errorf(code, format, args...)
	e.Field = field
	return e
}

// Invalid is several field errors at once, so a form can show each under its input.
// errors.As finds its first *Error, so ErrorCode and ErrorMessage read that one.
type Invalid []*Error

func (e Invalid) Error() string {
	msgs := make([]string, len(e))
	for i, fe := range e {
		msgs[i] = fe.Error()
	}
	return strings.Join(msgs, "; ")
}

func (e Invalid) Unwrap() []error {
	out := make([]error, len(e))
	for i, fe := range e {
		out[i] = fe
	}
	return out
}

// ErrorField returns the field of the first *Error in err's chain, or "".
func ErrorField(err error) string {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Field
	}
	return ""
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for any other
// non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the person-facing message of err: the *Error's message, or a
// generic apology for internal errors so that no internal detail reaches a person.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	if e, ok := errors.AsType[*Error](err); ok && e.Code != EINTERNAL {
		return e.Message
	}
	return "Sorry, something went wrong on our side. Please try again in a minute."
}
