#!/usr/bin/env bash
# Checks the deployment artifacts under deploy/ (run by `npm test`):
#   * promtool, when installed (Debian/Ubuntu: apt-get install prometheus): rule syntax, the rules'
#     unit tests (deploy/prometheus/alerts.test.yml), the compose scrape config (including that its
#     bearer-token file for the API's /metrics exists), and the PromQL of every dashboard panel;
#   * kubectl, when installed: `kubectl kustomize deploy/k8s` renders;
#   * always: test/deploy/deploy.spec.ts (structure, metric names, probes, drain timing, non-root, Secret,
#     the scrape token of both Prometheus configs).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
log() { printf '[check-deploy] %s\n' "$*"; }

if command -v promtool >/dev/null 2>&1; then
  promtool check rules deploy/prometheus/alerts.yml
  promtool test rules deploy/prometheus/alerts.test.yml
  # prometheus-kubernetes.yml is left to the spec: distribution builds of promtool (Debian's) may lack
  # Kubernetes service discovery and reject kubernetes_sd_configs.
  promtool check config deploy/prometheus/prometheus.yml
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  # Each dashboard query as a recording rule, so promtool parses it (JSON is YAML).
  node -e '
    const d = require(process.argv[1]);
    const rules = d.panels.flatMap((p) => (p.targets || []).map((t, i) => ({
      record: `dashboard:panel_${p.id}_${i}`, expr: t.expr.replace(/\$__rate_interval|\$__interval/g, "5m"),
    })));
    process.stdout.write(JSON.stringify({ groups: [{ name: "dashboard", rules }] }));
  ' "$ROOT/deploy/grafana/dashboard.json" > "$tmp/dashboard-rules.yml"
  log "dashboard queries:"
  promtool check rules "$tmp/dashboard-rules.yml"
else
  log "promtool not installed: rule and config syntax checked by the spec only (apt-get install prometheus adds it)"
fi

if command -v kubectl >/dev/null 2>&1; then
  kubectl kustomize deploy/k8s > /dev/null
  log "kubectl kustomize deploy/k8s renders"
else
  log "kubectl not installed: kustomization checked by the spec only"
fi

npx jest --config jest.config.js --selectProjects deploy
