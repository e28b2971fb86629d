{{/* Common labels: app.kubernetes.io/name is what the ServiceMonitor and selectors use. */}}
{{- define "preflight.labels" -}}
app.kubernetes.io/name: preflight
app.kubernetes.io/part-of: preflight
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}

{{- define "preflight.selectorLabels" -}}
app.kubernetes.io/name: preflight
app.kubernetes.io/component: webhook
{{- end }}

{{- define "preflight.tlsSecret" -}}
{{- if and (eq .Values.tls.mode "secret") .Values.tls.existingSecret -}}
{{ .Values.tls.existingSecret }}
{{- else -}}
preflight-tls
{{- end -}}
{{- end }}
