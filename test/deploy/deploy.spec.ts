import { existsSync, readdirSync, readFileSync, statSync } from 'fs';
import { loadAll, mergeTag, YAML11_SCHEMA } from 'js-yaml';
import { join, relative } from 'path';
import { baseName, metricNames } from './promql';

// Structure of the deployment artifacts under deploy/ (scripts/check-deploy.sh adds promtool's checks).
const ROOT = join(__dirname, '..', '..');
const DEPLOY = join(ROOT, 'deploy');

// The metric names agreed for issue 9 (some are registered by the resilience, health and metrics work).
const AGREED_METRICS = [
  'write_requests_total',
  'write_failure_total',
  'write_latency_seconds',
  'resolve_requests_total',
  'resolve_latency_seconds',
  'resolve_cache_hit_total',
  'resolve_cache_miss_total',
  'resolve_local_cache_hit_total',
  'api_requests_total',
  'api_request_duration_seconds',
  'outbox_backlog_events',
  'outbox_oldest_event_age_seconds',
  'kafka_events_published_total',
  'kafka_events_failed_total',
  'consumer_group_lag',
  'consumer_events_processed_total',
  'consumer_event_failures_total',
  'consumer_events_dead_lettered_total',
  'circuit_breaker_state',
  'bulkhead_rejected_total',
  'graceful_draining',
  'readiness_status',
];
// Registered in src/ today; the spec checks they still are.
const SOURCE_METRICS = [
  'db_pool_size',
  'db_pool_in_use',
  'db_pool_waiting',
  'consumer_event_delay_seconds',
  'webhook_deliveries_total',
  'webhook_subscriptions_disabled_total',
  'cache_drift_total',
  'write_interlock_refusals_total',
  'malloc_trim_released_bytes_total',
  'cache_invalidation_channel_subscribed',
  'write_commit_group_size',
];
const HISTOGRAMS = new Set([
  'write_latency_seconds',
  'resolve_latency_seconds',
  'api_request_duration_seconds',
  'consumer_event_delay_seconds',
  'write_commit_group_size',
]);
const isKnownMetric = (name: string) =>
  AGREED_METRICS.includes(name) || SOURCE_METRICS.includes(name) || name === 'up' || /^(process|nodejs)_/.test(name);

// Settings of the draining work that .env.example does not list yet.
const PENDING_SETTINGS = ['DRAIN_DELAY', 'DRAIN_TIMEOUT'];
const SECRET_KEYS = ['DB_PASSWORD', 'REDIS_PASSWORD', 'MONGODB_USER', 'MONGODB_PASSWORD', 'AUTH_BOOTSTRAP_ADMIN_KEY'];
const PLACEHOLDER = /^(|CHANGE-ME)$/;

type Doc = Record<string, any>;

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
// YAML 1.1 with merge keys, as Kubernetes, Prometheus and Compose read these files.
const SCHEMA = YAML11_SCHEMA.withTags(mergeTag);
const yamlDocs = (path: string): Doc[] => (loadAll(read(path), { schema: SCHEMA }) as Doc[]).filter(Boolean);
const sourceText = filesUnder(join(ROOT, 'src'))
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))
  .map((f) => readFileSync(f, 'utf8'))
  .join('\n');

const k8s: Doc[] = yamlDocs('deploy/k8s/kustomization.yaml')[0].resources.flatMap((file: string) => yamlDocs(`deploy/k8s/${file}`));
const ofKind = (kind: string) => k8s.filter((d) => d.kind === kind);
const named = (kind: string, name: string) => {
  const doc = ofKind(kind).find((d) => d.metadata.name === name);
  if (!doc) throw new Error(`no ${kind} ${name} in deploy/k8s`);
  return doc;
};
const config: Record<string, string> = named('ConfigMap', 'traffic-manager-config').data;
const deployments = ofKind('Deployment');
const podSpecs = [...deployments, ...ofKind('Job')].map((d) => ({ name: d.metadata.name as string, spec: d.spec.template.spec }));
const rules: Doc[] = yamlDocs('deploy/prometheus/alerts.yml')[0].groups.flatMap((g: Doc) => g.rules);
const dashboard = JSON.parse(read('deploy/grafana/dashboard.json'));
const dashboardExprs: string[] = dashboard.panels.flatMap((p: Doc) => (p.targets ?? []).map((t: Doc) => t.expr));
const compose = yamlDocs('docker-compose.yml')[0];
const scripts: Record<string, string> = JSON.parse(read('package.json')).scripts;

function servedPaths(): string[] {
  const paths = ['/metrics'].filter((p) => sourceText.includes(`path: '${p}'`));
  for (const file of filesUnder(join(ROOT, 'src')).filter((f) => f.endsWith('.controller.ts'))) {
    const text = readFileSync(file, 'utf8');
    const prefix = /@Controller\('([^']*)'\)/.exec(text)?.[1];
    if (prefix === undefined) continue;
    for (const [, sub] of text.matchAll(/@Get\('([^']*)'\)/g)) paths.push(`/${prefix}/${sub}`);
  }
  return paths;
}

describe('deploy/ artifacts', () => {
  it('parses every YAML and JSON file under deploy/', () => {
    const files = filesUnder(DEPLOY).filter((f) => /\.(ya?ml|json)$/.test(f));
    expect(files.length).toBeGreaterThan(8);
    for (const file of files) {
      const path = relative(ROOT, file);
      expect(() => (file.endsWith('.json') ? JSON.parse(read(path)) : yamlDocs(path))).not.toThrow();
    }
  });

  it('lists every manifest of deploy/k8s in its kustomization, and only existing ones', () => {
    const listed: string[] = yamlDocs('deploy/k8s/kustomization.yaml')[0].resources;
    const present = readdirSync(join(DEPLOY, 'k8s')).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
    expect([...listed].sort()).toEqual(present.sort());
    expect(
      ofKind('Deployment')
        .map((d) => d.metadata.name)
        .sort(),
    ).toEqual(['traffic-manager-api', 'traffic-manager-consumer']);
    for (const kind of ['Service', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'Job', 'ConfigMap', 'Secret']) {
      expect(ofKind(kind).length).toBeGreaterThan(0);
    }
  });

  describe('alert rules', () => {
    it('give every alert an expression, a for, a severity and a summary and description', () => {
      expect(rules.length).toBeGreaterThan(0);
      for (const rule of rules) {
        expect(rule).toEqual(
          expect.objectContaining({ alert: expect.any(String), expr: expect.any(String), for: expect.stringMatching(/^\d+[smh]$/) }),
        );
        expect(['warning', 'critical']).toContain(rule.labels?.severity);
        expect(rule.annotations).toEqual(expect.objectContaining({ summary: expect.any(String), description: expect.any(String) }));
      }
    });

    it('cover write failures, outbox age, consumer lag, open breakers and flapping readiness', () => {
      const exprs = rules.map((r) => r.expr).join('\n');
      for (const needle of [
        'write_failure_total',
        'outbox_oldest_event_age_seconds',
        'consumer_group_lag',
        'circuit_breaker_state',
        'changes(readiness_status[',
      ]) {
        expect(exprs).toContain(needle);
      }
    });
  });

  it('reads only agreed metric names in alerts and dashboard', () => {
    expect(metricNames('sum by (le) (rate(x_bucket{a="b"}[5m])) unless on (job) y')).toEqual(['x_bucket', 'y']);
    const used = [...rules.map((r) => r.expr), ...dashboardExprs].flatMap(metricNames).map((n) => baseName(n, HISTOGRAMS));
    expect(used.length).toBeGreaterThan(20);
    expect([...new Set(used.filter((n) => !isKnownMetric(n)))]).toEqual([]);
    for (const name of SOURCE_METRICS) expect(sourceText).toContain(`'${name}'`);
  });

  it('gives every dashboard panel a Prometheus query and a unique id', () => {
    const panels = dashboard.panels.filter((p: Doc) => p.type !== 'row');
    expect(new Set(dashboard.panels.map((p: Doc) => p.id)).size).toBe(dashboard.panels.length);
    for (const panel of panels) {
      expect(panel.datasource?.type).toBe('prometheus');
      expect(panel.targets.length).toBeGreaterThan(0);
    }
    const provider = yamlDocs('deploy/grafana/provisioning/dashboards/traffic-manager.yml')[0].providers[0];
    const mount = compose.services.grafana.volumes.find((v: string) => v.startsWith('./deploy/grafana/dashboard.json:'));
    expect(mount.split(':')[1].startsWith(`${provider.options.path}/`)).toBe(true);
  });

  describe('Kubernetes manifests', () => {
    it('probe paths the processes serve, on the ports they listen on', () => {
      const served = servedPaths();
      const ports: Record<string, string> = { 'traffic-manager-api': config.API_PORT, 'traffic-manager-consumer': config.CONSUMER_PORT };
      for (const d of deployments) {
        const pod = d.spec.template;
        const [container] = pod.spec.containers;
        const portOf = (ref: string | number) => String(container.ports.find((p: Doc) => p.name === ref)?.containerPort ?? ref);
        expect(container.livenessProbe.httpGet.path).toBe('/health/live');
        expect(container.readinessProbe.httpGet.path).toBe('/health/ready');
        for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
          expect(served).toContain(container[probe].httpGet.path);
          expect(portOf(container[probe].httpGet.port)).toBe(ports[d.metadata.name]);
        }
        expect(served).toContain(pod.metadata.annotations['prometheus.io/path']);
        expect(pod.metadata.annotations['prometheus.io/port']).toBe(ports[d.metadata.name]);
      }
    });

    it('run the commands of package.json (start:prod, start:consumer:prod, migration:run:prod)', () => {
      const command = (name: string) =>
        named(name.endsWith('migrate') ? 'Job' : 'Deployment', name).spec.template.spec.containers[0].command.join(' ');
      expect(command('traffic-manager-api')).toBe(scripts['start:prod']);
      expect(command('traffic-manager-consumer')).toBe(scripts['start:consumer:prod']);
      expect(command('traffic-manager-migrate').replace('node node_modules/typeorm/cli.js', 'typeorm')).toBe(scripts['migration:run:prod']);
    });

    it('give each pod preStop + DRAIN_TIMEOUT + a margin before it is killed', () => {
      const drainTimeout = Number(config.DRAIN_TIMEOUT);
      expect(drainTimeout).toBeGreaterThan(0);
      for (const d of deployments) {
        const spec = d.spec.template.spec;
        const preStop = spec.containers[0].lifecycle?.preStop?.exec?.command ?? [];
        const sleep = preStop[0] === 'sleep' ? Number(preStop[1]) : 0;
        expect(spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(sleep + drainTimeout + 5);
      }
      expect(named('Deployment', 'traffic-manager-api').spec.template.spec.containers[0].lifecycle.preStop).toBeDefined();
    });

    it('run every container as non-root, read-only, without privilege escalation', () => {
      for (const { name, spec } of podSpecs) {
        expect({ name, runAsNonRoot: spec.securityContext.runAsNonRoot }).toEqual({ name, runAsNonRoot: true });
        expect(spec.securityContext.runAsUser).toBeGreaterThan(0);
        for (const c of spec.containers) {
          expect(c.securityContext).toEqual(
            expect.objectContaining({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } }),
          );
          expect(c.resources.requests).toBeDefined();
          expect(c.resources.limits.memory).toBeDefined();
        }
      }
    });

    it('take configuration from the ConfigMap and the Secret only', () => {
      const documented = new Set([...read('.env.example').matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
      const undocumented = Object.keys(config).filter((k) => !documented.has(k) && !PENDING_SETTINGS.includes(k));
      expect(undocumented).toEqual([]);
      expect(Object.keys(config).filter((k) => SECRET_KEYS.includes(k) || /PASSWORD|SECRET|TOKEN|API_KEY/.test(k))).toEqual([]);
      for (const { spec } of podSpecs) {
        for (const c of spec.containers) {
          expect(c.env).toBeUndefined();
          expect(c.envFrom).toEqual([{ configMapRef: { name: 'traffic-manager-config' } }, { secretRef: { name: 'traffic-manager-secrets' } }]);
        }
      }
    });

    it('commit the Secret with placeholder values only', () => {
      const secret = named('Secret', 'traffic-manager-secrets');
      expect(secret.data).toBeUndefined();
      expect(Object.keys(secret.stringData).sort()).toEqual([...SECRET_KEYS].sort());
      for (const [key, value] of Object.entries(secret.stringData))
        expect({ key, value }).toEqual({ key, value: expect.stringMatching(PLACEHOLDER) });
    });

    it('point the HPA, PDBs and Services at the Deployments', () => {
      const labelsOf = (name: string) => named('Deployment', name).spec.template.metadata.labels;
      const selects = (selector: Record<string, string>, name: string) => Object.entries(selector).every(([k, v]) => labelsOf(name)[k] === v);
      expect(named('HorizontalPodAutoscaler', 'traffic-manager-api').spec.scaleTargetRef).toEqual(
        expect.objectContaining({ kind: 'Deployment', name: 'traffic-manager-api' }),
      );
      for (const name of ['traffic-manager-api', 'traffic-manager-consumer']) {
        expect(selects(named('PodDisruptionBudget', name).spec.selector.matchLabels, name)).toBe(true);
        expect(selects(named('Service', name).spec.selector, name)).toBe(true);
      }
    });
  });

  describe('image and docker-compose profile', () => {
    const dockerfile = read('deploy/Dockerfile');

    it('builds on Node 24, installs production dependencies only and runs as non-root', () => {
      expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:24-/m);
      const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
      expect(runtime).toMatch(/npm ci --omit=dev/);
      const users = [...runtime.matchAll(/^USER\s+(\S+)/gm)].map((m) => m[1]);
      expect(users.length).toBeGreaterThan(0);
      expect(users[users.length - 1]).not.toMatch(/^(0|root)(:|$)/);
      const cmd = /^CMD (\[.*\])$/m.exec(runtime)?.[1] ?? '[]';
      expect((JSON.parse(cmd) as string[]).join(' ')).toBe(scripts['start:prod']);
    });

    it('runs migrations, API, consumer, Prometheus and Grafana under the app profile only', () => {
      const app = Object.entries<Doc>(compose.services)
        .filter(([, s]) => s.profiles?.includes('app'))
        .map(([n]) => n);
      expect(app.sort()).toEqual(['api', 'consumer', 'grafana', 'migrate', 'prometheus']);
      for (const infra of ['postgres', 'redis', 'kafka', 'mongo']) expect(compose.services[infra].profiles).toBeUndefined();
      expect(compose.services.api.depends_on.migrate.condition).toBe('service_completed_successfully');
      for (const name of ['api', 'consumer']) {
        expect(parseInt(compose.services[name].stop_grace_period, 10)).toBeGreaterThanOrEqual(Number(config.DRAIN_TIMEOUT) + 5);
      }
      const mounts = [...compose.services.prometheus.volumes, ...compose.services.grafana.volumes].filter((v: string) => v.startsWith('./'));
      for (const mount of mounts) expect(existsSync(join(ROOT, mount.split(':')[0]))).toBe(true);
    });

    it('scrapes both processes on the ports they listen on, with the rules loaded', () => {
      const prometheus = yamlDocs('deploy/prometheus/prometheus.yml')[0];
      expect(prometheus.rule_files).toEqual(['alerts.yml']);
      const targets = prometheus.scrape_configs.flatMap((s: Doc) => s.static_configs.flatMap((c: Doc) => c.targets));
      expect(targets.sort()).toEqual([`api:${config.API_PORT}`, `consumer:${config.CONSUMER_PORT}`]);
    });

    it("sends a bearer token from a file with every scrape of the API's /metrics", () => {
      // The API's /metrics needs a platform key where METRICS_AUTH=key (the ConfigMap's value).
      expect(config.METRICS_AUTH).toBe('key');
      const compose = yamlDocs('deploy/prometheus/prometheus.yml')[0].scrape_configs.find((s: Doc) => s.job_name === 'traffic-manager-api');
      const kubernetes = yamlDocs('deploy/prometheus/prometheus-kubernetes.yml')[0].scrape_configs;
      for (const job of [compose, ...kubernetes]) {
        expect(job.authorization).toEqual({ type: 'Bearer', credentials_file: expect.any(String) });
        expect(job.bearer_token ?? job.authorization.credentials).toBeUndefined();
      }
      // Relative to the config file, as Prometheus and promtool resolve it; the compose mount holds it.
      expect(existsSync(join(DEPLOY, 'prometheus', compose.authorization.credentials_file))).toBe(true);
    });
  });
});
