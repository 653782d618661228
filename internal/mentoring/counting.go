package mentoring

import "time"

// count changes the figures of the week at falls in, in the transaction of the event
// it counts, so the figures and what they count are stored together or not at all.
func count(tx Tx, at time.Time, fn func(w *Week)) error { return tx.AddToWeek(WeekKey(at), fn) }

// countActivePairs records in now's week how many pairings are active: called by
// every change that starts or ends pairings, once per transaction.
func countActivePairs(tx Tx, now time.Time) error {
	all, err := tx.Pairings()
	if err != nil {
		return err
	}
	n := 0
	for i := range all {
		if all[i].Active() {
			n++
		}
	}
	return count(tx, now, func(w *Week) { w.ActivePairs, w.PairsChanged = n, true })
}

// boolDelta is how a count changes when a thing goes from before to after: +1 when it
// became true, -1 when it stopped being, 0 otherwise.
func boolDelta(before, after bool) int {
	switch {
	case after && !before:
		return 1
	case before && !after:
		return -1
	}
	return 0
}
