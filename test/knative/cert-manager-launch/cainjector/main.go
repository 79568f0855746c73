// Command cainjector runs cert-manager's CA injector from cert-manager's published module: it copies the CA of a
// Certificate (or a Secret) into the webhook configurations, CRDs and APIServices annotated to ask for it.
package main

import (
	"github.com/spf13/pflag"
	corev1 "k8s.io/api/core/v1"
	apiext "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	apireg "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	config "github.com/cert-manager/cert-manager/internal/apis/config/cainjector"
	configscheme "github.com/cert-manager/cert-manager/internal/apis/config/cainjector/scheme"
	"github.com/cert-manager/cert-manager/internal/apis/config/cainjector/validation"
	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	configv1alpha1 "github.com/cert-manager/cert-manager/pkg/apis/config/cainjector/v1alpha1"
	"github.com/cert-manager/cert-manager/pkg/controller/cainjector"
	"github.com/cert-manager/cert-manager/pkg/util"

	"github.com/cert-manager/cert-manager/mcpg-stack/launch"
)

func main() {
	cfg := defaultConfiguration()
	ctx, log := launch.Start("cert-manager-cainjector", &cfg.Logging, &cfg.FeatureGates, func(flags *pflag.FlagSet) {
		flags.StringVar(&cfg.Namespace, "namespace", cfg.Namespace, "inject only into objects of this namespace (all when empty)")
		flags.StringVar(&cfg.MetricsListenAddress, "metrics-listen-address", cfg.MetricsListenAddress, "address of the metrics endpoint ('0' turns it off)")
		launch.LeaderElectionFlags(flags, &cfg.LeaderElectionConfig)
		launch.LoggingAndGateFlags(flags, &cfg.Logging, &cfg.FeatureGates)
	})
	if errs := validation.ValidateCAInjectorConfiguration(cfg, nil); len(errs) > 0 {
		launch.Must(errs.ToAggregate())
	}
	ctrl.SetLogger(log)

	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{clientgoscheme.AddToScheme, apiext.AddToScheme, apireg.AddToScheme, cmapi.AddToScheme} {
		launch.Must(add(scheme))
	}
	restConfig := util.RestConfigWithUserAgent(ctrl.GetConfigOrDie(), "cainjector")
	election := cfg.LeaderElectionConfig
	manager, err := ctrl.NewManager(restConfig, ctrl.Options{
		Scheme:                        scheme,
		Metrics:                       metricsserver.Options{BindAddress: cfg.MetricsListenAddress},
		LeaderElection:                election.Enabled,
		LeaderElectionNamespace:       election.Namespace,
		LeaderElectionID:              "cert-manager-cainjector-leader-election",
		LeaderElectionReleaseOnCancel: true,
		LeaseDuration:                 &election.LeaseDuration,
		RenewDeadline:                 &election.RenewDeadline,
		RetryPeriod:                   &election.RetryPeriod,
		// The injectors cache only Secrets' metadata and read a Secret's data when they need it.
		Client: client.Options{Cache: &client.CacheOptions{DisableFor: []client.Object{&corev1.Secret{}}}},
	})
	launch.Must(err)

	launch.Must(cainjector.RegisterAllInjectors(ctx, manager, cainjector.SetupOptions{
		Namespace:                    cfg.Namespace,
		IgnoreNamespaces:             cfg.IgnoreNamespaces,
		EnableCertificatesDataSource: cfg.EnableDataSourceConfig.Certificates,
		EnabledReconcilersFor: map[string]bool{
			cainjector.MutatingWebhookConfigurationName:   cfg.EnableInjectableConfig.MutatingWebhookConfigurations,
			cainjector.ValidatingWebhookConfigurationName: cfg.EnableInjectableConfig.ValidatingWebhookConfigurations,
			cainjector.APIServiceName:                     cfg.EnableInjectableConfig.APIServices,
			cainjector.CustomResourceDefinitionName:       cfg.EnableInjectableConfig.CustomResourceDefinitions,
		},
	}))
	launch.Must(manager.Start(ctx))
}

func defaultConfiguration() *config.CAInjectorConfiguration {
	scheme, _, err := configscheme.NewSchemeAndCodecs()
	launch.Must(err)
	versioned := &configv1alpha1.CAInjectorConfiguration{}
	scheme.Default(versioned)
	cfg := &config.CAInjectorConfiguration{}
	launch.Must(scheme.Convert(versioned, cfg, nil))
	return cfg
}
