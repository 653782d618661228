// Command mentorbot runs the mentoring programme's Slack bot. This package only wires:
// settings, store, bot and operator endpoints, signals and subcommands.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"sync"
	"syscall"
	"time"
	_ "time/tzdata" // time zones must resolve in a scratch image too

	"github.com/robfig/cron/v3"

	"github.com/mentorbot/mentorbot/bot"
	"github.com/mentorbot/mentorbot/internal/delivery"
	"github.com/mentorbot/mentorbot/internal/mentoring"
	"github.com/mentorbot/mentorbot/internal/ops"
	"github.com/mentorbot/mentorbot/scheduler"
	"github.com/mentorbot/mentorbot/store"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = ""

// Exit statuses, part of the operator contract in SPEC.md.
const (
	exitOK      = 0
	exitFailure = 1 // runtime failure: token rejected, database in use
	exitConfig  = 2 // missing or malformed setting, or bad arguments
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run dispatches a command line and returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	sub := ""
	if len(args) > 0 {
		sub = args[0]
	}
	switch sub {
	case "":
		return serve(ctx, stderr)
	case "-h", "-help", "--help", "help":
		if err := PrintUsage(stdout); err != nil {
			fmt.Fprintln(stderr, "mentorbot:", err)
			return exitFailure
		}
		return exitOK
	case "version", "-version", "--version", "-v":
		fmt.Fprintln(stdout, "mentorbot", buildVersion())
		return exitOK
	case "healthcheck":
		return healthcheck(ctx, stderr)
	case "backup":
		return backup(ctx, args[1:], stdout, stderr)
	case "restore":
		return restore(args[1:], stdout, stderr)
	case "demo":
		return runDemo(ctx, args[1:], os.Stdin, stdout, stderr)
	}
	fmt.Fprintf(stderr, "mentorbot: %q is not a command. Run mentorbot -h to see the commands and settings.\n", sub)
	return exitConfig
}

// serve runs the bot until a signal, and maps its end to an exit status.
func serve(ctx context.Context, stderr io.Writer) int {
	cfg, err := LoadConfig()
	if err != nil {
		fmt.Fprintln(stderr, "mentorbot:", err)
		return exitConfig
	}
	m := &Main{Config: cfg, Logger: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: cfg.LogLevel.Level}))}
	err = m.Run(ctx)
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, store.ErrInUse):
		fmt.Fprintf(stderr, "mentorbot: the database %s is in use by another process: only one mentorbot may run per database\n", cfg.DBPath)
	case errors.Is(err, store.ErrDamaged):
		// One line, no trace: what is wrong and what to do (SPEC.md, Operations).
		fmt.Fprintf(stderr, "mentorbot: the database file %s is damaged or is not a mentorbot database (%s): stop every mentorbot using it and put a backup in its place with mentorbot restore -i BACKUP\n", cfg.DBPath, damageReason(err))
	default:
		fmt.Fprintln(stderr, "mentorbot:", err)
	}
	return exitFailure
}

func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// Main is the running program. main() and the end-to-end tests share it: the tests
// inject a clock and read the HTTP address and the parts it wired.
type Main struct {
	Config Config
	Logger *slog.Logger
	// PingInterval, when set, is how long the Slack connection may go without a ping
	// before it is redialled (tests shorten it).
	PingInterval time.Duration
	// Now is the clock of the programme, the store and delivery; nil means time.Now.
	Now func() time.Time
	// SchedulerInterval overrides how often the scheduler looks for due messages
	// (tests make it long and run the scheduler by hand).
	SchedulerInterval time.Duration

	// ready closes once the store is open and the HTTP listener bound.
	ready    chan struct{}
	httpAddr string
	metrics  *ops.Metrics

	// The parts Run wired, for tests; set before ready closes.
	store    *store.Store
	prog     *mentoring.Programme
	client   *bot.Client
	delivery *delivery.Delivery
	sched    *scheduler.Scheduler
}

// HTTPAddr is the address the operator endpoints listen on, once Run has bound it
// ("" when MENTORBOT_HTTP_ADDR is empty).
func (m *Main) HTTPAddr() string { return m.httpAddr }

// Run opens the store, checks the bot token, starts the operator endpoints and serves
// Slack until ctx is cancelled. Then it stops intake (the bot drains what is in
// flight), stops the scheduler and delivery, and closes the store last.
func (m *Main) Run(ctx context.Context) error {
	log := m.Logger
	if log == nil {
		log = slog.Default()
	}
	now := m.Now
	if now == nil {
		now = time.Now
	}
	cfg := m.Config
	st, err := store.Open(cfg.DBPath, store.Options{})
	if err != nil {
		return err
	}
	st.Now = now
	// Deferred first, so it runs last: the store closes after everything that uses it.
	defer func() {
		if err := st.Close(); err != nil {
			log.Error("close store", "err", err)
		}
	}()
	m.metrics = ops.NewMetrics()
	client := bot.NewClient(bot.ClientConfig{
		BotToken: string(cfg.BotToken), AppToken: string(cfg.AppToken), APIURL: string(cfg.APIURL),
		Metrics: m.metrics, Logger: log, Memory: st, Now: now,
	})
	dlv := delivery.New(delivery.Config{Queue: st, Slack: client, Now: now, Log: log, Sends: m.metrics.Sends})
	prog := mentoring.New(mentoring.Config{
		Store:     st,
		Directory: client,
		Calendar: scheduler.NewCalendar(map[mentoring.Kind]cron.Schedule{
			mentoring.KindCheckin:     cfg.CheckinSchedule.Schedule,
			mentoring.KindNudge:       cfg.NudgeSchedule.Schedule,
			mentoring.KindRecognition: cfg.RecognitionSchedule.Schedule,
		}),
		Outbox:         dlv,
		Now:            now,
		Admins:         cfg.Admins,
		DefaultZone:    cfg.TimeZone.Location,
		NudgeAfter:     time.Duration(cfg.NudgeAfter),
		RespectStatus:  bool(cfg.RespectStatus),
		MentorApproval: bool(cfg.MentorApproval),
		ProposalTTL:    time.Duration(cfg.ProposalTTL),
		Cycle:          time.Duration(cfg.Cycle),
		IdleAfter:      int(cfg.IdleAfter),
		WorkingHours:   cfg.WorkingHours.WorkingHours,
	})
	sched := scheduler.New(prog, m.SchedulerInterval, log)
	b := bot.New(bot.Config{
		KudosChannel: string(cfg.KudosChannel),
		Logger:       log,
		Metrics:      m.metrics,
		PingInterval: m.PingInterval,
		Memory:       st,
	}, client, prog)
	m.store, m.prog, m.client, m.delivery, m.sched = st, prog, client, dlv, sched

	if cfg.HTTPAddr != "" {
		stopHTTP, err := m.serveHTTP(string(cfg.HTTPAddr), func(ctx context.Context) error {
			if err := st.Check(ctx); err != nil {
				return fmt.Errorf("database: %w", err)
			}
			if !b.Connected() {
				return errors.New("Slack is not connected")
			}
			return nil
		})
		if err != nil {
			return err
		}
		defer stopHTTP()
	}
	stopBackups, err := serveBackups(ctx, st, log)
	if err != nil {
		log.Warn("backups from the running bot are off", "err", err)
	} else {
		defer stopBackups()
	}
	m.markReady()

	if err := client.CheckAuth(ctx); err != nil {
		return err
	}
	log.Info("mentorbot starting", "version", buildVersion(), "db", cfg.DBPath, "http", m.httpAddr)
	// The scheduler and delivery stop with whatever ends the bot, before the store
	// closes; a send in flight is finished and recorded.
	bgCtx, stopBackground := context.WithCancel(ctx)
	var bg sync.WaitGroup
	bg.Go(func() { sched.Run(bgCtx) })
	bg.Go(func() { dlv.Run(bgCtx) })
	defer func() {
		stopBackground()
		bg.Wait()
		if err := client.Flush(context.WithoutCancel(ctx)); err != nil {
			log.Warn("conversations not kept", "err", err)
		}
	}()
	if err := b.Run(ctx); err != nil {
		return err
	}
	log.Info("mentorbot stopped")
	return nil
}

// serveHTTP starts /healthz, /readyz and /metrics on addr and returns its stop.
func (m *Main) serveHTTP(addr string, ready ops.ReadyFunc) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on MENTORBOT_HTTP_ADDR %s: %w", addr, err)
	}
	m.httpAddr = ln.Addr().String()
	srv := &http.Server{Handler: ops.Handler(m.metrics, ready), ReadHeaderTimeout: 5 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ln)
	}()
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		<-done
	}, nil
}

func (m *Main) markReady() {
	if m.ready != nil {
		close(m.ready)
	}
}
