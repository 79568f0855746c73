// Command controller runs cert-manager's controllers (issuers, certificates, certificate requests, ACME) from
// cert-manager's published module, with the flags its Helm chart passes.
//
// The Venafi issuer is left out: the Go module proxy refuses the Venafi client version cert-manager 1.21 needs.
// cert-manager's own configuration defaulting imports the Venafi controllers, so the defaults upstream applies are
// set here, the same values.
package main

import (
	"context"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/sets"
	logsapi "k8s.io/component-base/logs/api/v1"

	shared "github.com/cert-manager/cert-manager/internal/apis/config/shared"
	controllerpkg "github.com/cert-manager/cert-manager/pkg/controller"
	"github.com/cert-manager/cert-manager/pkg/controller/acmechallenges"
	"github.com/cert-manager/cert-manager/pkg/controller/acmeorders"
	shimingresses "github.com/cert-manager/cert-manager/pkg/controller/certificate-shim/ingresses"
	cracme "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/acme"
	"github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/approver"
	crca "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/ca"
	crselfsigned "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/selfsigned"
	crvault "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/vault"
	"github.com/cert-manager/cert-manager/pkg/controller/certificates/issuing"
	"github.com/cert-manager/cert-manager/pkg/controller/certificates/keymanager"
	certificatemetrics "github.com/cert-manager/cert-manager/pkg/controller/certificates/metrics"
	"github.com/cert-manager/cert-manager/pkg/controller/certificates/readiness"
	"github.com/cert-manager/cert-manager/pkg/controller/certificates/requestmanager"
	"github.com/cert-manager/cert-manager/pkg/controller/certificates/revisionmanager"
	"github.com/cert-manager/cert-manager/pkg/controller/certificates/trigger"
	"github.com/cert-manager/cert-manager/pkg/controller/clusterissuers"
	"github.com/cert-manager/cert-manager/pkg/controller/issuers"
	_ "github.com/cert-manager/cert-manager/pkg/issuer/acme"
	_ "github.com/cert-manager/cert-manager/pkg/issuer/ca"
	_ "github.com/cert-manager/cert-manager/pkg/issuer/selfsigned"
	_ "github.com/cert-manager/cert-manager/pkg/issuer/vault"
	"github.com/cert-manager/cert-manager/pkg/util"

	"github.com/cert-manager/cert-manager/mcpg-stack/launch"
)

// defaultControllers is upstream's default set without the Venafi certificate-request controller.
var defaultControllers = []string{
	issuers.ControllerName, clusterissuers.ControllerName, certificatemetrics.ControllerName, shimingresses.ControllerName,
	acmeorders.ControllerName, acmechallenges.ControllerName, cracme.CRControllerName, approver.ControllerName,
	crca.CRControllerName, crselfsigned.CRControllerName, crvault.CRControllerName, trigger.ControllerName,
	issuing.ControllerName, keymanager.ControllerName, requestmanager.ControllerName, readiness.ControllerName,
	revisionmanager.ControllerName,
}

func main() {
	options := defaultOptions()
	election := shared.LeaderElectionConfig{Enabled: true, Namespace: "kube-system"}
	logging := logsapi.LoggingConfiguration{}
	logsapi.SetRecommendedLoggingConfiguration(&logging)
	gates := map[string]bool{}
	controllers := []string{"*"}
	workers := 5
	healthz := "0.0.0.0:9403"
	solverImage := "quay.io/jetstack/cert-manager-acmesolver:" + util.AppVersion
	ctx, log := launch.Start("cert-manager-controller", &logging, &gates, func(flags *pflag.FlagSet) {
		flags.StringVar(&options.ClusterResourceNamespace, "cluster-resource-namespace", options.ClusterResourceNamespace, "namespace of the Secrets ClusterIssuers refer to")
		flags.StringVar(&options.Namespace, "namespace", options.Namespace, "watch only this namespace (all when empty)")
		flags.StringVar(&solverImage, "acme-http01-solver-image", solverImage, "image of ACME HTTP-01 solver pods")
		flags.IntVar(&options.MaxConcurrentChallenges, "max-concurrent-challenges", options.MaxConcurrentChallenges, "ACME challenges processed at once")
		flags.IntVar(&workers, "concurrent-workers", workers, "workers per controller")
		flags.StringSliceVar(&controllers, "controllers", controllers, "controllers to run ('*' for the default set, '-name' to leave one out)")
		flags.StringVar(&healthz, "healthz-listen-address", healthz, "address of the liveness endpoint")
		launch.LeaderElectionFlags(flags, &election)
		launch.LoggingAndGateFlags(flags, &logging, &gates)
	})
	options.HTTP01SolverImage = solverImage

	factory, err := controllerpkg.NewContextFactory(ctx, options)
	launch.Must(err)
	base, err := factory.Build()
	launch.Must(err)
	go serveLiveness(healthz)

	launch.RunAsLeader(ctx, log, base.RESTConfig, election, "cert-manager-controller", func(ctx context.Context) {
		var running sync.WaitGroup
		for _, name := range enabledControllers(controllers) {
			construct, known := controllerpkg.Known()[name]
			if !known {
				launch.Must(&unknownController{name})
			}
			controller, err := construct(factory)
			launch.Must(err)
			log.Info("starting controller", "name", name)
			running.Go(func() {
				if err := controller.Run(workers, ctx); err != nil {
					log.Error(err, "controller stopped", "name", name)
				}
			})
		}
		// Informers start after every controller asked for the ones it needs.
		base.KubeSharedInformerFactory.Start(ctx.Done())
		base.SharedInformerFactory.Start(ctx.Done())
		base.HTTP01ResourceMetadataInformersFactory.Start(ctx.Done())
		if base.GatewaySolverEnabled {
			base.GWShared.Start(ctx.Done())
		}
		running.Wait()
	})
}

// defaultOptions holds the values cert-manager's configuration defaulting gives.
func defaultOptions() controllerpkg.ContextOptions {
	return controllerpkg.ContextOptions{
		KubernetesAPIQPS:   20,
		KubernetesAPIBurst: 50,
		IssuerOptions: controllerpkg.IssuerOptions{
			ClusterResourceNamespace:        "kube-system",
			ClusterIssuerAmbientCredentials: true,
		},
		ACMEOptions: controllerpkg.ACMEOptions{
			HTTP01SolverResourceRequestCPU:    resource.MustParse("10m"),
			HTTP01SolverResourceRequestMemory: resource.MustParse("64Mi"),
			HTTP01SolverResourceLimitsCPU:     resource.MustParse("100m"),
			HTTP01SolverResourceLimitsMemory:  resource.MustParse("64Mi"),
			ACMEHTTP01SolverRunAsNonRoot:      true,
			DNS01CheckAuthoritative:           true,
			DNS01CheckRetryPeriod:             10 * time.Second,
		},
		IngressShimOptions: controllerpkg.IngressShimOptions{
			DefaultIssuerKind:                 "Issuer",
			DefaultIssuerGroup:                "cert-manager.io",
			DefaultAutoCertificateAnnotations: []string{"kubernetes.io/tls-acme"},
			GatewayAPIExtraProtocols:          sets.New[string](),
		},
		CertificateOptions: controllerpkg.CertificateOptions{
			CopiedAnnotationPrefixes:                 []string{"*", "-kubectl.kubernetes.io/", "-fluxcd.io/", "-argocd.argoproj.io/"},
			CertificateRequestMinimumBackoffDuration: time.Hour,
			CertificateRequestMaximumBackoffDuration: 32 * time.Hour,
		},
		SchedulerOptions: controllerpkg.SchedulerOptions{MaxConcurrentChallenges: 60},
	}
}

// enabledControllers expands '*' to the default set; '-name' leaves one out, as upstream reads the list.
func enabledControllers(listed []string) []string {
	enabled := sets.New[string]()
	for _, name := range listed {
		switch {
		case name == "*":
			enabled.Insert(defaultControllers...)
		case len(name) > 1 && name[0] == '-':
			enabled.Delete(name[1:])
		default:
			enabled.Insert(name)
		}
	}
	names := enabled.UnsortedList()
	slices.Sort(names)
	return names
}

// serveLiveness answers the chart's liveness probe (/livez) while the process runs.
func serveLiveness(address string) {
	mux := http.NewServeMux()
	mux.HandleFunc("/livez", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	server := &http.Server{Addr: address, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	launch.Must(server.ListenAndServe())
}

type unknownController struct{ name string }

func (e *unknownController) Error() string { return "unknown controller " + e.name }
