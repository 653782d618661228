package match

import (
	"cmp"
	"slices"
)

// The solver finds a maximum-weight b-matching: each mentee takes at most one mentor,
// each mentor j at most capacity[j] mentees. It is the min-cost flow
//
//	mentee i --(cost -w(i,j))--> mentor j --(capacity[j], cost 0)--> sink
//	mentee i --(cost 0: stays unmatched)----------------------------> sink
//
// in which every mentee sends one unit, solved by successive shortest paths: mentees
// are added one at a time (see order), each along a shortest path of the residual
// graph, found by Dijkstra's algorithm on costs kept non-negative by node potentials
// (Johnson's reweighting). After each mentee the flow is optimal for the mentees added
// so far, so after the last it is optimal for the round; the weights are integers, so
// the optimum is exact. Every tie is broken by node index, and nodes are indexed in ID
// order, so the same input gives the same pairs.
//
// Potentials start as the duals of a trivial solution: 0 for mentors and the sink and,
// for each mentee, its best weight. A mentor with a free place then keeps potential 0,
// so Dijkstra stops at the first free mentor it settles, and while places are plentiful
// a search settles a mentee's best mentors and little else. Only when the mentors a
// mentee wants are full does it follow alternating paths (the mentee takes a place,
// the mentee who held it moves on or drops out), and it goes no farther than the
// cheapest way to the sink found so far.
//
// Dual feasibility keeps every potential within [-W, W], W the heaviest weight, and
// every distance a search compares below W, so int64 cannot overflow (see newProblem
// for the size of W).

// graph holds the candidate pairs as adjacency lists: the mentors of mentee i are
// to[start[i]:start[i+1]], with weight (> 0, the pair's scaled score, see newProblem)
// at the same index, heaviest first.
type graph struct {
	n, m     int
	start    []int32
	to       []int32
	weight   []int64
	capacity []int32
}

type solver struct {
	graph
	match  []int32   // mentee → mentor, -1 when unmatched
	matchW []int64   // mentee → weight of its pair
	held   [][]int32 // mentor → its mentees
	potE   []int64   // mentee potentials
	potM   []int64   // mentor potentials; the sink's is 0

	// Dijkstra's scratch, reset by stamp.
	stamp    int32
	seen     []int32 // mentor → stamp of the search that labelled it
	done     []int32 // mentor → stamp of the search that settled it
	dist     []int64 // mentor → distance label
	via      []int32 // mentor → the mentee whose edge labelled it
	viaW     []int64 // mentor → that edge's weight
	heap     heap
	settledM []settled
	settledE []settled

	// The shortest way to the sink found so far: its length, and where it leaves the
	// graph (a mentor with room, or a mentee dropping out).
	best                 int64
	endMentor, endMentee int32
}

type settled struct {
	node int32
	dist int64
}

func newSolver(g graph) *solver {
	s := &solver{
		graph:  g,
		match:  make([]int32, g.n),
		matchW: make([]int64, g.n),
		held:   make([][]int32, g.m),
		potE:   make([]int64, g.n),
		potM:   make([]int64, g.m),
		seen:   make([]int32, g.m),
		done:   make([]int32, g.m),
		dist:   make([]int64, g.m),
		via:    make([]int32, g.m),
		viaW:   make([]int64, g.m),
	}
	for i := range g.n {
		s.match[i] = -1
		if g.start[i] < g.start[i+1] {
			s.potE[i] = g.weight[g.start[i]] // the heaviest
		}
	}
	return s
}

func (s *solver) run() {
	for _, i := range s.order() {
		s.add(i)
	}
}

// order lists the mentees with a candidate, those with the heaviest best pair first
// (then by index). Any order gives an optimal round; this one gives places to the
// mentees who value them most before the others, so fewer are moved again later.
func (s *solver) order() []int32 {
	var order []int32
	for i := range s.n {
		if s.start[i] < s.start[i+1] {
			order = append(order, int32(i))
		}
	}
	slices.SortStableFunc(order, func(a, b int32) int { return cmp.Compare(s.potE[b], s.potE[a]) })
	return order
}

// add routes mentee src along a shortest path to the sink. Reduced costs (cost plus the
// tail's potential minus the head's) are all >= 0:
//
//	mentee i → mentor j (not its own):  potE[i] - w(i,j) - potM[j]
//	mentor j → mentee i (its own):      potM[j] + w(i,j) - potE[i]
//	mentee i → sink (drop out):         potE[i]
//	mentor j → sink (when it has room): potM[j]
func (s *solver) add(src int32) {
	s.stamp++
	s.heap = s.heap[:0]
	s.settledM = s.settledM[:0]
	s.settledE = s.settledE[:0]

	s.best, s.endMentor, s.endMentee = 1<<63-1, -1, -1

	s.reach(src, 0)
	for len(s.heap) > 0 {
		d, j := s.heap.pop()
		if d >= s.best {
			break
		}
		if s.done[j] == s.stamp || d != s.dist[j] {
			continue
		}
		s.done[j] = s.stamp
		s.settledM = append(s.settledM, settled{j, d})
		if int32(len(s.held[j])) < s.capacity[j] {
			if c := d + s.potM[j]; c < s.best {
				s.best, s.endMentor, s.endMentee = c, j, -1
			}
		}
		for _, i := range s.held[j] {
			if di := d + s.potM[j] + s.matchW[i] - s.potE[i]; di < s.best {
				s.reach(i, di)
			}
		}
	}

	// New potentials: p += min(dist, s.best) - s.best keeps every reduced cost >= 0 and
	// makes the path found tight. Nodes not settled keep theirs.
	for _, v := range s.settledM {
		if v.dist < s.best {
			s.potM[v.node] -= s.best - v.dist
		}
	}
	for _, v := range s.settledE {
		if v.dist < s.best {
			s.potE[v.node] -= s.best - v.dist
		}
	}

	// Walk the path back from its end, moving each mentee on it to the next mentor.
	j := s.endMentor
	if s.endMentee >= 0 {
		if s.endMentee == src {
			return // src stays unmatched
		}
		j = s.match[s.endMentee]
		s.release(s.endMentee)
	}
	for {
		i := s.via[j]
		prev := s.match[i]
		if prev >= 0 {
			s.release(i)
		}
		s.match[i] = j
		s.matchW[i] = s.viaW[j]
		s.held[j] = append(s.held[j], i)
		if i == src {
			return
		}
		j = prev
	}
}

// reach settles mentee i at distance d: it may drop out, or take any mentor but its
// own.
func (s *solver) reach(i int32, d int64) {
	s.settledE = append(s.settledE, settled{i, d})
	dpi := d + s.potE[i]
	if dpi < s.best {
		s.best, s.endMentor, s.endMentee = dpi, -1, i
	}
	own, best, stamp := s.match[i], s.best, s.stamp
	to := s.to[s.start[i]:s.start[i+1]]
	weight := s.weight[s.start[i]:s.start[i+1]]
	weight = weight[:len(to)]
	potM, done, seen, dist := s.potM, s.done, s.seen, s.dist
	for k, j := range to {
		// Mentor potentials are <= 0, so base bounds this pair's distance and, as
		// pairs come heaviest first, every later pair's too.
		base := dpi - weight[k]
		if base >= best {
			break
		}
		nd := base - potM[j]
		if nd >= best || j == own || done[j] == stamp {
			continue
		}
		if seen[j] != stamp || nd < dist[j] {
			seen[j], dist[j], s.via[j], s.viaW[j] = stamp, nd, i, weight[k]
			s.heap.push(nd, j)
		}
	}
}

// release takes mentee i off its mentor.
func (s *solver) release(i int32) {
	j := s.match[i]
	h := s.held[j]
	for k, x := range h {
		if x == i {
			h[k] = h[len(h)-1]
			s.held[j] = h[:len(h)-1]
			break
		}
	}
	s.match[i] = -1
}

// heap is a binary min-heap of mentors keyed by distance, then by index, so that
// equal distances pop in a fixed order.
type heap []heapItem

type heapItem struct {
	dist int64
	node int32
}

func (a heapItem) less(b heapItem) bool {
	return a.dist < b.dist || a.dist == b.dist && a.node < b.node
}

func (h *heap) push(d int64, node int32) {
	*h = append(*h, heapItem{d, node})
	a := *h
	for k := len(a) - 1; k > 0; {
		p := (k - 1) / 2
		if !a[k].less(a[p]) {
			break
		}
		a[k], a[p] = a[p], a[k]
		k = p
	}
}

func (h *heap) pop() (int64, int32) {
	a := *h
	top := a[0]
	last := len(a) - 1
	a[0] = a[last]
	a = a[:last]
	for k := 0; ; {
		l := 2*k + 1
		if l >= len(a) {
			break
		}
		c := l
		if r := l + 1; r < len(a) && a[r].less(a[l]) {
			c = r
		}
		if !a[c].less(a[k]) {
			break
		}
		a[k], a[c] = a[c], a[k]
		k = c
	}
	*h = a
	return top.dist, top.node
}
