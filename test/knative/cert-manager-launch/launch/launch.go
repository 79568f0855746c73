// Package launch holds what the three cert-manager commands share here: flags, logging, a context that ends on
// SIGTERM, and leader election. cert-manager publishes its commands as modules of their own that the Go module
// proxy does not serve; everything these commands run is cert-manager's published module, unchanged.
package launch

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/go-logr/logr"
	"github.com/spf13/pflag"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/leaderelection"
	"k8s.io/client-go/tools/leaderelection/resourcelock"
	cliflag "k8s.io/component-base/cli/flag"
	logsapi "k8s.io/component-base/logs/api/v1"

	shared "github.com/cert-manager/cert-manager/internal/apis/config/shared"
	logf "github.com/cert-manager/cert-manager/pkg/logs"
	utilfeature "github.com/cert-manager/cert-manager/pkg/util/feature"
)

// Start parses the command line into the flags `addFlags` registers, applies the logging configuration and
// feature gates those flags filled, and returns a context that ends on SIGTERM or SIGINT.
func Start(name string, logging *logsapi.LoggingConfiguration, gates *map[string]bool, addFlags func(*pflag.FlagSet)) (context.Context, logr.Logger) {
	logf.InitLogs()
	flags := pflag.NewFlagSet(name, pflag.ExitOnError)
	addFlags(flags)
	Must(flags.Parse(os.Args[1:]))
	Must(logf.ValidateAndApply(logging))
	Must(utilfeature.DefaultMutableFeatureGate.SetFromMap(*gates))
	ctx, _ := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	log := logf.Log.WithName(name)
	return logf.NewContext(ctx, log), log
}

// LoggingAndGateFlags binds cert-manager's logging flags (-v and others) and --feature-gates.
func LoggingAndGateFlags(flags *pflag.FlagSet, logging *logsapi.LoggingConfiguration, gates *map[string]bool) {
	logf.AddFlags(logging, flags)
	flags.Var(cliflag.NewMapStringBool(gates), "feature-gates", "key=value pairs of cert-manager feature gates")
}

// Must ends the program with the error, the way a failed start of upstream's command does.
func Must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		logf.FlushLogs()
		os.Exit(1)
	}
}

// LeaderElectionFlags binds the leader-election flags cert-manager's chart passes.
func LeaderElectionFlags(flags *pflag.FlagSet, c *shared.LeaderElectionConfig) {
	flags.BoolVar(&c.Enabled, "leader-elect", c.Enabled, "run only while holding the leader lease")
	flags.StringVar(&c.Namespace, "leader-election-namespace", c.Namespace, "namespace of the leader lease")
	flags.DurationVar(&c.LeaseDuration, "leader-election-lease-duration", c.LeaseDuration, "lease duration")
	flags.DurationVar(&c.RenewDeadline, "leader-election-renew-deadline", c.RenewDeadline, "renew deadline")
	flags.DurationVar(&c.RetryPeriod, "leader-election-retry-period", c.RetryPeriod, "retry period")
}

// RunAsLeader runs `run` while this process holds the lease `id`, or at once when leader election is off. A lost
// lease ends the program, so a second replica never acts beside the first.
func RunAsLeader(ctx context.Context, log logr.Logger, restConfig *rest.Config, c shared.LeaderElectionConfig, id string, run func(context.Context)) {
	if !c.Enabled {
		run(ctx)
		return
	}
	client, err := kubernetes.NewForConfig(restConfig)
	Must(err)
	hostname, err := os.Hostname()
	Must(err)
	lock, err := resourcelock.New(resourcelock.LeasesResourceLock, c.Namespace, id,
		client.CoreV1(), client.CoordinationV1(), resourcelock.ResourceLockConfig{Identity: hostname})
	Must(err)
	leaderelection.RunOrDie(ctx, leaderelection.LeaderElectionConfig{
		Lock:            lock,
		LeaseDuration:   orDefault(c.LeaseDuration, 60*time.Second),
		RenewDeadline:   orDefault(c.RenewDeadline, 40*time.Second),
		RetryPeriod:     orDefault(c.RetryPeriod, 15*time.Second),
		ReleaseOnCancel: true,
		Callbacks: leaderelection.LeaderCallbacks{
			OnStartedLeading: run,
			OnStoppedLeading: func() {
				if ctx.Err() == nil {
					log.Info("lost the leader lease")
					logf.FlushLogs()
					os.Exit(1)
				}
			},
		},
	})
}

func orDefault(d, fallback time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return fallback
}
