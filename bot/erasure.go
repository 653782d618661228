package bot

import (
	"context"
	"time"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/internal/mentoring"
)

// eraseRetry is how often an erasure that could not be finished (a full disk, a
// read-only directory) is tried again.
const eraseRetry = 30 * time.Second

// beforeAck records a confirmed erasure durably before the click is acknowledged:
// once Slack has its "ok", a crash cannot lose the request.
func (b *Bot) beforeAck(ctx context.Context, cb *slack.InteractionCallback) {
	if cb.Type != slack.InteractionTypeBlockActions {
		return
	}
	for _, a := range cb.ActionCallback.BlockActions {
		if a.ActionID != actionForgetConfirm {
			continue
		}
		if _, err := b.prog.RequestErasure(ctx, cb.User.ID); err != nil {
			b.log.Error("erasure not recorded before the ack", "user", cb.User.ID, "err", err)
		}
	}
}

func (b *Bot) forgetConfirmed(ctx context.Context, cb *slack.InteractionCallback, a *slack.BlockAction) error {
	b.replaceOriginal(ctx, cb, "Erasing everything stored about you. I'll confirm in a direct message when it's done.")
	if _, err := b.prog.RequestErasure(ctx, cb.User.ID); err != nil {
		return err
	}
	return b.erase(ctx, cb.User.ID)
}

func (b *Bot) forgetCancelled(ctx context.Context, cb *slack.InteractionCallback, a *slack.BlockAction) error {
	b.replaceOriginal(ctx, cb, "Cancelled: nothing was erased.")
	return nil
}

// erase finishes userID's pending erasure: records and file rewrite, then telling
// them (once: the DM carries metadata and is looked for before it is sent again),
// then dropping the pending record. Any step that fails leaves the erasure pending
// for retryErasures; the person is never told before the bytes are gone.
func (b *Bot) erase(ctx context.Context, userID string) error {
	b.eraseMu.Lock()
	defer b.eraseMu.Unlock()
	b.client.Forget(userID)
	pending, err := b.prog.PendingErasures(ctx)
	if err != nil {
		return err
	}
	var e *mentoring.Erasure
	for i := range pending {
		if pending[i].UserID == userID {
			e = &pending[i]
		}
	}
	if e == nil {
		return nil // finished already
	}
	ended, err := b.prog.Forget(ctx, userID)
	if err != nil {
		b.m.ErasuresFailed.Inc()
		b.log.Error("erasure not finished; will retry", "err", err)
		return err
	}
	for _, p := range ended {
		if partner := p.Partner(userID); partner != "" {
			b.refreshHome(partner)
		}
	}
	if err := b.client.tellErased(ctx, *e); err != nil {
		b.log.Warn("erasure done but not yet told; will retry", "err", err)
		return err
	}
	return b.prog.ErasureTold(ctx, userID)
}

// finishErasures finishes every pending erasure, for start-up.
func (b *Bot) finishErasures(ctx context.Context) {
	pending, err := b.prog.PendingErasures(ctx)
	if err != nil {
		b.log.Error("pending erasures not read", "err", err)
		return
	}
	for _, e := range pending {
		if err := b.erase(ctx, e.UserID); err != nil {
			b.log.Error("pending erasure not finished at start; will retry", "err", err)
		}
	}
	b.m.ErasuresPending.Set(float64(b.pendingErasures(ctx)))
}

func (b *Bot) pendingErasures(ctx context.Context) int {
	pending, _ := b.prog.PendingErasures(ctx)
	return len(pending)
}

// retryErasures tries pending erasures again every eraseRetry until stopped.
func (b *Bot) retryErasures(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(eraseRetry)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				b.finishErasures(ctx)
			}
		}
	}()
	return func() { cancel(); <-done }
}
