package slacktest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Defaults for Options fields left empty.
const (
	DefaultBotToken       = "xoxb-test-token"
	DefaultAppToken       = "xapp-test-token"
	DefaultTeamID         = "T0TEST"
	DefaultTeamName       = "slacktest"
	DefaultBotUserID      = "UBOT"
	DefaultBotID          = "B0TEST"
	DefaultBotName        = "mentorbot"
	DefaultAppID          = "A0TEST"
	DefaultCommandChannel = "C0GENERAL"
	DefaultPingInterval   = 5 * time.Second
)

// verificationToken is the deprecated verification token Slack still puts in
// payloads; slack-go's socketmode client does not check it.
const verificationToken = "slacktest-verification-token"

// Errors returned by the Server. They are wrapped with context; test with
// errors.Is.
var (
	// ErrClosed means the Server has been closed.
	ErrClosed = errors.New("slacktest: server closed")
	// ErrNotConnected means no Socket Mode connection is open.
	ErrNotConnected = errors.New("slacktest: no socket mode connection")
	// ErrConnectionLost means the connection carrying an envelope closed
	// before the client acknowledged it.
	ErrConnectionLost = errors.New("slacktest: socket mode connection lost before ack")
)

// Options configures a Server. The zero value is usable.
type Options struct {
	BotToken     string        // default "xoxb-test-token"
	AppToken     string        // default "xapp-test-token"
	TeamID       string        // default "T0TEST"
	TeamName     string        // workspace name and domain; default "slacktest"
	BotUserID    string        // default "UBOT"; also added as a bot user
	BotID        string        // bot_id of the app's bot; default "B0TEST"
	BotName      string        // the bot user's name; default "mentorbot"
	AppID        string        // default "A0TEST"
	PingInterval time.Duration // websocket PING from server; default 5s (socketmode client default expects one within 30s)

	// CommandChannel is the channel SlashCommand types into; default
	// "C0GENERAL". New creates it as public channel #general with the bot
	// as a member unless AddChannel is later used to change that.
	CommandChannel string

	// OnRecord, when set, is called for each Record in order, from a single
	// goroutine the Server owns and outside its locks, so it may call any
	// Server method but Close (which waits for that goroutine). Records are
	// delivered asynchronously; Close delivers what is still queued before
	// it returns.
	OnRecord func(Record)

	// Now is the clock for trigger_id and response_url expiry and for
	// message timestamps; default time.Now. Tests can pass a fake clock to
	// expire a trigger without waiting. Acknowledgement latency is always
	// measured on the real monotonic clock.
	Now func() time.Time

	// Logger receives debug logs about connections and envelopes; default
	// discards them.
	Logger *slog.Logger

	// PayloadDir, when set, is a directory where every payload the app
	// sends (Web API arguments, ack payloads, response_url bodies) is
	// appended as JSON lines, for internal/slacktest/conformance to check;
	// default $MENTORBOT_PAYLOAD_DIR (PayloadDirEnv). See payloads.go.
	PayloadDir string
}

func (o *Options) setDefaults() {
	def := func(p *string, v string) {
		if *p == "" {
			*p = v
		}
	}
	def(&o.BotToken, DefaultBotToken)
	def(&o.AppToken, DefaultAppToken)
	def(&o.TeamID, DefaultTeamID)
	def(&o.TeamName, DefaultTeamName)
	def(&o.BotUserID, DefaultBotUserID)
	def(&o.BotID, DefaultBotID)
	def(&o.BotName, DefaultBotName)
	def(&o.AppID, DefaultAppID)
	def(&o.CommandChannel, DefaultCommandChannel)
	if o.PingInterval <= 0 {
		o.PingInterval = DefaultPingInterval
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.PayloadDir == "" {
		o.PayloadDir = os.Getenv(PayloadDirEnv)
	}
}

// User is a member of the simulated workspace.
type User struct {
	ID, Name, RealName, TZ string
	TZOffset               int // seconds east of UTC, as Slack reports it
	IsBot, Deleted         bool
	StatusText             string
	StatusEmoji            string
	StatusExpiration       int64 // unix seconds; 0 = never
}

// Record is one thing Slack showed to someone, in the order it happened.
type Record struct {
	Seq int // 1, 2, 3, ... in order
	At  time.Time

	// Kind is "message" (chat.postMessage, an in_channel reply), "update"
	// (chat.update, replace_original), "delete" (delete_original),
	// "ephemeral" (chat.postEphemeral, an ephemeral response_url reply or a
	// slash-command ack payload), "view_open", "view_push", "view_update",
	// "view_publish", "view_close" (a modal closed after a submission),
	// "view_errors" (a submission answered with response_action errors),
	// "file" (files.completeUploadExternal shared a file; see File) or
	// "error" (what Slack shows when the app failed: a late or invalid
	// acknowledgement).
	Kind string
	// Via is how it came: "api", "ack" or "response_url".
	Via string

	Channel  string
	User     string // ephemeral target, view owner, or the person who saw an error
	TS       string
	ThreadTS string
	Text     string
	Blocks   json.RawMessage
	View     json.RawMessage // the whole view as Slack stores it (with id, hash, ...)
	ViewID   string
	Metadata json.RawMessage   // chat.postMessage/chat.update `metadata` (event_type, event_payload)
	Errors   map[string]string // view_errors: block_id -> message
	File     *File             // Kind "file": the shared file; Text is its initial_comment
}

// Call is one Web API request the Server received (or a response_url POST,
// with Method "response_url").
type Call struct {
	Method string
	Token  string
	Params url.Values // form values, or the top-level fields of a JSON body (non-strings as JSON text)
	Body   []byte
	Status int    // HTTP status answered
	Error  string // Slack error name when the answer was ok:false
}

// Server is a running Slack double. Create it with New and stop it with
// Close. All methods are safe for concurrent use.
type Server struct {
	opts    Options
	log     *slog.Logger
	ln      net.Listener
	httpSrv *http.Server
	base    string // "http://127.0.0.1:PORT"
	done    chan struct{}
	wg      sync.WaitGroup

	// ackTimeout is Slack's 3 s acknowledgement deadline; tests of this
	// package shorten it.
	ackTimeout time.Duration

	// recordQueue feeds OnRecord; signalled through recordWake.
	recordWake chan struct{}

	payloads *payloadLog // nil unless Options.PayloadDir is set

	mu      sync.Mutex
	closed  bool
	changed chan struct{} // closed and replaced on every state change

	records     []Record
	recordQueue []Record
	calls       []Call

	users        map[string]*User
	channels     map[string]*channel
	groupDMs     map[string]string // sorted member list -> G id
	messages     map[string]*message
	ephemerals   map[string]*ephemeral
	views        map[string]*view
	homeViews    map[string]string   // user -> home view id
	externalIDs  map[string]string   // external_id -> view id
	modalStacks  map[string][]string // user -> open modal view ids, bottom first
	triggers     map[string]*trigger
	responseURLs map[string]*responseURL
	tickets      map[string]bool
	uploads      map[string]*upload

	rateLimits map[string]rateLimitFault
	meters     map[string]*rate.Limiter // Meter: Slack-like token buckets by method
	failures   map[string]failFault

	conns       map[*wsConn]struct{}
	current     *wsConn
	connections int
	droppedAcks int

	lastTSMicro int64
	seq         int64 // shared counter for generated IDs
}

type rateLimitFault struct {
	n          int
	retryAfter time.Duration
}

type failFault struct {
	n   int
	err string
}

// New starts a Server listening on 127.0.0.1 on a free port.
func New(opts Options) (*Server, error) {
	opts.setDefaults()
	payloads, err := openPayloadLog(opts.PayloadDir)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("slacktest: listen: %w", err)
	}
	s := &Server{
		opts:         opts,
		log:          opts.Logger.With("component", "slacktest"),
		ln:           ln,
		base:         "http://" + ln.Addr().String(),
		done:         make(chan struct{}),
		ackTimeout:   ackTimeout,
		recordWake:   make(chan struct{}, 1),
		payloads:     payloads,
		changed:      make(chan struct{}),
		users:        map[string]*User{},
		channels:     map[string]*channel{},
		groupDMs:     map[string]string{},
		messages:     map[string]*message{},
		ephemerals:   map[string]*ephemeral{},
		views:        map[string]*view{},
		homeViews:    map[string]string{},
		externalIDs:  map[string]string{},
		modalStacks:  map[string][]string{},
		triggers:     map[string]*trigger{},
		responseURLs: map[string]*responseURL{},
		tickets:      map[string]bool{},
		uploads:      map[string]*upload{},
		rateLimits:   map[string]rateLimitFault{},
		meters:       map[string]*rate.Limiter{},
		failures:     map[string]failFault{},
		conns:        map[*wsConn]struct{}{},
	}
	s.users[opts.BotUserID] = &User{ID: opts.BotUserID, Name: opts.BotName, RealName: opts.BotName, IsBot: true}
	s.channels[opts.CommandChannel] = &channel{id: opts.CommandChannel, name: "general", kind: kindPublic, botMember: true}

	mux := http.NewServeMux()
	mux.HandleFunc("/api/", s.handleAPI)
	mux.HandleFunc("/link/", s.handleSocket)
	mux.HandleFunc("/response/", s.handleResponseURL)
	mux.HandleFunc("/upload/", s.handleUpload)
	s.httpSrv = &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
	s.wg.Go(func() {
		if err := s.httpSrv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("http server stopped", "err", err)
		}
	})
	if opts.OnRecord != nil {
		s.wg.Go(s.dispatchRecords)
	}
	return s, nil
}

// APIURL is the Web API base URL with a trailing slash, for
// slack.OptionAPIURL; slack-go appends the method name.
func (s *Server) APIURL() string { return s.base + "/api/" }

// Close stops the listener, closes every websocket, fails pending Deliver
// calls, delivers queued records to OnRecord and waits for the Server's
// goroutines to end. It is safe to call more than once.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	close(s.done)
	conns := make([]*wsConn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.current = nil
	s.broadcastLocked()
	s.mu.Unlock()

	if err := s.httpSrv.Close(); err != nil {
		s.log.Debug("closing http server", "err", err)
	}
	for _, c := range conns {
		c.closeNow()
	}
	s.wg.Wait()
}

// AddUser adds a person (or bot) to the workspace, replacing any user with
// the same ID. Deactivate someone by adding them again with Deleted set.
func (s *Server) AddUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cp := u
	s.users[u.ID] = &cp
	s.broadcastLocked()
}

// AddChannel adds a channel (or changes the bot's membership of an existing
// one). IDs starting with "C" are public channels, "G" private ones and "D"
// direct messages between people. Posting to a channel the bot is not in
// answers not_in_channel; to an unknown one, channel_not_found.
func (s *Server) AddChannel(id, name string, botIsMember bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ch, ok := s.channels[id]; ok {
		ch.name, ch.botMember = name, botIsMember
		return
	}
	kind := kindPublic
	switch {
	case len(id) > 0 && id[0] == 'G':
		kind = kindPrivate
	case len(id) > 0 && id[0] == 'D':
		kind = kindIM
	}
	s.channels[id] = &channel{id: id, name: name, kind: kind, botMember: botIsMember}
	s.broadcastLocked()
}

// DMChannelID returns the ID of userID's direct-message channel with the bot
// ("D" + userID), creating the channel if needed.
func (s *Server) DMChannelID(userID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dmLocked(userID).id
}

// Records returns a copy of every Record so far, in order.
func (s *Server) Records() []Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Record(nil), s.records...)
}

// WaitRecord returns the first Record, already present or future, for which
// match returns true. It fails when ctx ends or the Server closes.
func (s *Server) WaitRecord(ctx context.Context, match func(Record) bool) (Record, error) {
	return s.WaitRecordAfter(ctx, 0, match)
}

// WaitRecordAfter is WaitRecord restricted to records with Seq > afterSeq;
// pass len(s.Records()) taken before an action to see only its effects.
func (s *Server) WaitRecordAfter(ctx context.Context, afterSeq int, match func(Record) bool) (Record, error) {
	next := max(afterSeq, 0)
	for {
		s.mu.Lock()
		// Records are never changed once appended, so the new ones can be
		// matched outside the lock (match may call Server methods).
		fresh := s.records[min(next, len(s.records)):]
		ch, closed := s.changed, s.closed
		s.mu.Unlock()
		for _, r := range fresh {
			next++
			if match(r) {
				return r, nil
			}
		}
		if closed {
			return Record{}, fmt.Errorf("slacktest: waiting for a record: %w", ErrClosed)
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return Record{}, fmt.Errorf("slacktest: waiting for a record: %w", ctx.Err())
		}
	}
}

// Calls returns a copy of the Web API calls received for method, or of all
// calls when method is "".
func (s *Server) Calls(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if method == "" || c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// WaitCall blocks until at least n calls of method ("" = any) have been
// answered, or ctx ends.
func (s *Server) WaitCall(ctx context.Context, method string, n int) error {
	for {
		s.mu.Lock()
		count := 0
		for _, c := range s.calls {
			if method == "" || c.Method == method {
				count++
			}
		}
		ch, closed := s.changed, s.closed
		s.mu.Unlock()
		if count >= n {
			return nil
		}
		if closed {
			return fmt.Errorf("slacktest: waiting for %d %s calls: %w", n, method, ErrClosed)
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("slacktest: waiting for %d %s calls (have %d): %w", n, method, count, ctx.Err())
		}
	}
}

// RateLimit makes the next n calls of method answer HTTP 429 with a
// Retry-After header (whole seconds, at least 1) and
// {"ok":false,"error":"ratelimited"}. It replaces an earlier RateLimit for
// the method; n <= 0 clears it.
func (s *Server) RateLimit(method string, n int, retryAfter time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n <= 0 {
		delete(s.rateLimits, method)
		return
	}
	s.rateLimits[method] = rateLimitFault{n: n, retryAfter: retryAfter}
}

// FailNext makes the next n calls of method answer
// {"ok":false,"error":slackError}. It replaces an earlier FailNext for the
// method; n <= 0 clears it. RateLimit takes precedence when both are set.
func (s *Server) FailNext(method string, n int, slackError string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n <= 0 {
		delete(s.failures, method)
		return
	}
	s.failures[method] = failFault{n: n, err: slackError}
}

// DroppedAcks counts acknowledgements Slack would have dropped because they
// were 20 KB or larger.
func (s *Server) DroppedAcks() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.droppedAcks
}

// broadcastLocked wakes every waiter; callers hold s.mu.
func (s *Server) broadcastLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// addRecordLocked stamps r with Seq and At, stores it, queues it for
// OnRecord and wakes waiters.
func (s *Server) addRecordLocked(r Record) Record {
	r.Seq = len(s.records) + 1
	r.At = s.opts.Now()
	s.records = append(s.records, r)
	if s.opts.OnRecord != nil && !s.closed {
		s.recordQueue = append(s.recordQueue, r)
		select {
		case s.recordWake <- struct{}{}:
		default:
		}
	}
	s.broadcastLocked()
	return r
}

// dispatchRecords calls OnRecord for queued records in order until the
// Server closes, then flushes the queue.
func (s *Server) dispatchRecords() {
	for {
		stop := false
		select {
		case <-s.recordWake:
		case <-s.done:
			stop = true
		}
		s.mu.Lock()
		batch := s.recordQueue
		s.recordQueue = nil
		s.mu.Unlock()
		for _, r := range batch {
			s.opts.OnRecord(r)
		}
		if stop {
			return
		}
	}
}

// nextIDLocked returns a server-wide increasing number for generated IDs.
func (s *Server) nextIDLocked() int64 {
	s.seq++
	return s.seq
}

// nextTSLocked returns a new message timestamp: the clock's time in
// microseconds, bumped so timestamps are unique and strictly increasing.
func (s *Server) nextTSLocked() string {
	micro := s.opts.Now().UnixMicro()
	if micro <= s.lastTSMicro {
		micro = s.lastTSMicro + 1
	}
	s.lastTSMicro = micro
	return formatTS(micro)
}

func formatTS(micro int64) string {
	return fmt.Sprintf("%d.%06d", micro/1_000_000, micro%1_000_000)
}
