// Command webhook runs cert-manager's admission and conversion webhook server from cert-manager's published
// module, configured from its own defaults and the flags its Helm chart passes.
package main

import (
	"github.com/spf13/pflag"

	"github.com/cert-manager/cert-manager/internal/apis/config/webhook/validation"
	cmwebhook "github.com/cert-manager/cert-manager/internal/webhook"
	"github.com/cert-manager/cert-manager/pkg/webhook/options"

	"github.com/cert-manager/cert-manager/mcpg-stack/launch"
)

func main() {
	cfg, err := options.NewWebhookConfiguration()
	launch.Must(err)
	// options.AddConfigFlags registers the logging and feature-gate flags itself.
	ctx, log := launch.Start("cert-manager-webhook", &cfg.Logging, &cfg.FeatureGates, func(flags *pflag.FlagSet) {
		options.AddConfigFlags(flags, cfg)
	})
	if errs := validation.ValidateWebhookConfiguration(cfg, nil); len(errs) > 0 {
		launch.Must(errs.ToAggregate())
	}
	server, err := cmwebhook.NewCertManagerWebhookServer(log, *cfg)
	launch.Must(err)
	launch.Must(server.Run(ctx))
}
