{{/* Fixed names, as rk install uses: one operator per cluster (the CRD is cluster-wide). */}}
{{- define "rk.name" -}}redis-kubernetes-operator{{- end }}

{{- define "rk.labels" -}}
app.kubernetes.io/name: {{ include "rk.name" . }}
app.kubernetes.io/part-of: redis-kubernetes
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end }}

{{- define "rk.selector" -}}
app.kubernetes.io/name: {{ include "rk.name" . }}
{{- end }}
