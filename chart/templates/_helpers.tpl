{{/* The image of one function: <registry>/<repository>/<function>:<tag or appVersion>. */}}
{{- define "mcpg.image" -}}
{{- $root := index . 0 -}}
{{- $name := index . 1 -}}
{{- with $root.Values.image -}}
{{- if .registry }}{{ .registry }}/{{ end }}{{ .repository }}/{{ $name }}:{{ .tag | default $root.Chart.AppVersion }}
{{- end -}}
{{- end -}}

{{/* Labels every object of the chart carries. */}}
{{- define "mcpg.labels" -}}
app.kubernetes.io/part-of: mcpg
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/instance: {{ .Release.Name }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end -}}

{{- define "mcpg.admission.selector" -}}
app.kubernetes.io/name: mcpg-admission
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}
