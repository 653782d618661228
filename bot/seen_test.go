package bot

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
)

// The cache keeps ack payloads within its byte budget, dropping the oldest first, and
// still remembers every envelope it dropped a payload of.
func TestSeenPayloadBudget(t *testing.T) {
	s := newSeenEnvelopes(time.Hour, 100)
	s.budget = 1000
	var entries []*seenEntry
	for i := range 10 {
		e, dup := s.claim(fmt.Sprint("envelope:", i))
		if dup {
			t.Fatalf("envelope %d seen before", i)
		}
		entries = append(entries, e)
	}
	// Finished out of order: the newest first.
	for i := 9; i >= 0; i-- {
		entries[i].finish(ephemeral(strings.Repeat("x", 150)))
	}
	if s.kept > s.budget {
		t.Errorf("kept %d payload bytes, budget %d", s.kept, s.budget)
	}
	var with []int
	for i, e := range entries {
		if e.payload() != nil {
			with = append(with, i)
		}
		if _, dup := s.claim(fmt.Sprint("envelope:", i)); !dup {
			t.Errorf("envelope %d forgotten", i)
		}
	}
	if len(with) == 0 || with[len(with)-1] != 9 || len(with) != with[len(with)-1]-with[0]+1 {
		t.Errorf("entries %v keep their payloads; want the newest few, contiguous", with)
	}
	// Entries evicted by age give their bytes back.
	s.now = func() time.Time { return time.Now().Add(2 * time.Hour) }
	s.claim("envelope:new")
	if s.kept != 0 || len(s.order) != 1 || s.trimmed != 0 {
		t.Errorf("after expiry: kept %d bytes, %d entries, trimmed %d", s.kept, len(s.order), s.trimmed)
	}
}

// The memory the cache can hold at its limits: seenMax entries, each finished with a
// reply of about 2 KB (a long /mentor goals or status), stay under 14 MiB of heap —
// some 350 bytes an entry plus the 4 MiB payload budget, with room to spare. Without
// the budget the same entries hold about 100 MiB (measured), and 20 KB replies would
// take several hundred.
func TestSeenCacheMemoryBound(t *testing.T) {
	const bound = 14 << 20
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	s := newSeenEnvelopes(seenTTL, seenMax)
	text := strings.Repeat("Goal: finish the chapter on concurrency. ", 50) // 2,050 bytes
	for i := range seenMax {
		e, _ := s.claim(fmt.Sprintf("envelope:%08x-%04x-4%03x-8%03x-%012x", i, i&0xffff, i&0xfff, i>>12, i))
		e.finish(ephemeral(text + fmt.Sprint(i)))
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	held := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("%d entries hold %.1f MiB (%d bytes each, payloads %d bytes in all)", len(s.order), float64(held)/(1<<20), held/int64(len(s.order)), s.kept)
	if len(s.order) != seenMax {
		t.Errorf("%d entries, want %d", len(s.order), seenMax)
	}
	if held > bound {
		t.Errorf("the cache holds %.1f MiB, want at most %d MiB", float64(held)/(1<<20), bound>>20)
	}
	runtime.KeepAlive(s)
}
