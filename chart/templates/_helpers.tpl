{{/* The chart's short name: the prefix of label values (`<name>-server`). */}}
{{- define "mcpg.name" -}}
{{- .Values.nameOverride | default "mcpg" | trunc 40 | trimSuffix "-" -}}
{{- end -}}

{{/*
The prefix of every object name (`<fullname>-server`, `<fullname>-admission`): fullnameOverride, or the release
name when it already contains the chart's name (`helm install mcpg` gives `mcpg`), or `<release>-<name>`. Several
objects are cluster-wide (ClusterRoles, the webhook configuration), so two releases need two prefixes.
*/}}
{{- define "mcpg.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- $name := include "mcpg.name" . -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
The image of one part: <registry>/<repository>[@<digest> | :<tag>]. The part's own repository, tag and digest
win over image.repository/<part> and image.tag (the chart's appVersion when empty); a digest pins it.
*/}}
{{- define "mcpg.image" -}}
{{- $root := index . 0 -}}
{{- $name := index . 1 -}}
{{- $own := index . 2 | default dict -}}
{{- with $root.Values.image -}}
{{- $repository := $own.repository | default (printf "%s/%s" .repository $name) -}}
{{- if .registry }}{{ .registry }}/{{ end }}{{ $repository -}}
{{- if $own.digest }}@{{ $own.digest }}{{ else }}:{{ $own.tag | default .tag | default $root.Chart.AppVersion }}{{ end -}}
{{- end -}}
{{- end -}}

{{/* Labels every object of the chart carries. */}}
{{- define "mcpg.labels" -}}
app.kubernetes.io/part-of: mcpg
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{ include "mcpg.releaseLabels" . }}
{{- end -}}

{{/*
The release's labels, on the functions' own objects (which must not carry app.kubernetes.io/managed-by:
mcpg-functions: the event sources select the functions' children by it).
*/}}
{{- define "mcpg.releaseLabels" -}}
app.kubernetes.io/instance: {{ .Release.Name }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}

{{- define "mcpg.admission.fullname" -}}
{{- include "mcpg.fullname" . }}-admission
{{- end -}}

{{- define "mcpg.admission.selector" -}}
app.kubernetes.io/name: {{ include "mcpg.name" . }}-admission
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/*
One function's values as YAML (read back with fromYaml): functions.<key>, where each pod setting it leaves empty
(resources, securityContext, nodeSelector, …) comes from functionDefaults, and image and serviceAccount are
always maps. Arguments: the root context and the function's values key.
*/}}
{{/*
"true" when at least one function is enabled (empty otherwise).
*/}}
{{- define "mcpg.anyFunction" -}}
{{- range $key, $fn := .Values.functions }}{{ if $fn.enabled }}true{{ end }}{{ end }}
{{- end -}}

{{- define "mcpg.functionValues" -}}
{{- $root := index . 0 -}}
{{- $fn := deepCopy (index $root.Values.functions (index . 1)) -}}
{{- range $key, $value := $root.Values.functionDefaults -}}
{{- /* A function's own 0 or false is a value, not a gap to fill from functionDefaults. */ -}}
{{- $own := get $fn $key -}}
{{- if and (empty $own) (not (has (kindOf $own) (list "bool" "int" "int64" "float64"))) -}}{{- $_ := set $fn $key $value -}}{{- end -}}
{{- end -}}
{{- $_ := set $fn "image" ($fn.image | default dict) -}}
{{- $account := $fn.serviceAccount | default dict -}}
{{- if not (hasKey $account "create") -}}{{- $_ := set $account "create" true -}}{{- end -}}
{{- $_ := set $fn "serviceAccount" $account -}}
{{- toYaml $fn -}}
{{- end -}}

{{/*
The ServiceAccount a function runs as: serviceAccount.name, else <fullname>-<function> when the chart creates
it, else the namespace's default. Arguments: the root context, the function's name, its values.
*/}}
{{- define "mcpg.serviceAccountName" -}}
{{- $root := index . 0 -}}
{{- $account := (index . 2).serviceAccount -}}
{{- if $account.name -}}
{{- $account.name -}}
{{- else if $account.create -}}
{{- include "mcpg.fullname" $root }}-{{ index . 1 -}}
{{- else -}}
default
{{- end -}}
{{- end -}}

{{/*
Fails unless the cluster serves <group>/<version> with each of the kinds. Arguments: the root context, the group,
the version, the kinds, what provides them, and the other way out.
*/}}
{{- define "mcpg.preflight" -}}
{{- $root := index . 0 -}}
{{- $group := index . 1 -}}
{{- $version := index . 2 -}}
{{- $provider := index . 4 -}}
{{- $otherwise := index . 5 -}}
{{- $served := list -}}
{{- range $root.Capabilities.APIVersions -}}
{{- if regexMatch (printf "^%s/[^/]+$" (replace "." "\\." $group)) . -}}{{- $served = append $served . -}}{{- end -}}
{{- end -}}
{{- range $kind := index . 3 -}}
{{- $wanted := printf "%s/%s/%s" $group $version $kind -}}
{{- if not ($root.Capabilities.APIVersions.Has $wanted) -}}
{{- if $served -}}
{{- fail (printf "preflight: the cluster serves %s, but not %s, the only version of it this chart renders: install %s, %s (preflight.enabled=false skips this check)" (join ", " (sortAlpha $served)) $wanted $provider $otherwise) -}}
{{- else -}}
{{- fail (printf "preflight: the cluster does not serve %s: install %s, %s (preflight.enabled=false skips this check)" $wanted $provider $otherwise) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- /*
Knative Eventing's ApiServerSource adapter image: eventing.apiServerSourceAdapterImage, else the one the cluster's
Eventing controller starts its adapters with. Empty when neither is known (helm template renders offline, or the
preflight is off); with the preflight on, a cluster whose Eventing controller cannot be found is refused, since
the gateway's watch of its own kind needs the image.
*/ -}}
{{- define "mcpg.eventingAdapterImage" -}}
{{- $image := .Values.eventing.apiServerSourceAdapterImage -}}
{{- if and (not $image) (lookup "v1" "Namespace" "" "kube-system") -}}
{{- $controller := lookup "apps/v1" "Deployment" .Values.eventing.namespace "eventing-controller" -}}
{{- range (dig "spec" "template" "spec" "containers" (list) $controller) -}}
{{- range (default (list) .env) -}}
{{- if eq .name "APISERVER_RA_IMAGE" -}}{{- $image = .value -}}{{- end -}}
{{- end -}}
{{- end -}}
{{- /* Without Eventing served at all, preflight.yaml refuses with the message that names what is missing. */ -}}
{{- if and (not $image) .Values.preflight.enabled (.Capabilities.APIVersions.Has "sources.knative.dev/v1/ApiServerSource") -}}
{{- fail (printf "preflight: no Knative Eventing controller (eventing-controller in %s) names its ApiServerSource adapter image: set eventing.namespace to where Eventing runs, or eventing.apiServerSourceAdapterImage (preflight.enabled=false skips this check)" .Values.eventing.namespace) -}}
{{- end -}}
{{- end -}}
{{- $image -}}
{{- end -}}
