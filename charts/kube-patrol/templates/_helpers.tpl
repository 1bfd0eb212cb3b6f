{{/* Labels every object carries; kustomize's base has the first two. */}}
{{- define "kube-patrol.labels" -}}
app.kubernetes.io/name: kube-patrol
app.kubernetes.io/part-of: kube-patrol
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* The operator config: values.config with the schedule and the sinks merged in. */}}
{{- define "kube-patrol.config" -}}
{{- $config := deepCopy .Values.config -}}
{{- $_ := set $config "schedule" .Values.schedule -}}
{{- if or .Values.sinks.openReports .Values.sinks.policyReports -}}
{{- $_ := set $config "sinks" .Values.sinks -}}
{{- end -}}
{{- toYaml $config -}}
{{- end -}}
