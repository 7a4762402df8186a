import { stringify } from 'yaml';
import { ALL_TOPICS } from '@identity/contracts';
import { COMMON_CONFIG, type ServiceDefinition } from '@identity/platform-service';
import { SERVICES } from '@identity/service-catalog';

/**
 * The Kubernetes base, generated from the service catalog (names, public paths, configuration
 * schemas) and the contracts (topics), so the manifests cannot drift from the code.
 */
export const NAMESPACE = 'identity-platform';
/** Images by name only: an installation points them at its registry with the overlay's `images:`. */
export const IMAGE_REPOSITORY = 'identity-platform';
export const IMAGE_TAG = '0.1.0';
/** The only Secret, and its keys: every secret the services read. */
export const SECRET_NAME = 'identity-platform-secrets';
/** The keys of the one Secret; those of variables a service can do without may be left out of it. */
export const SECRET_KEYS = ['DATABASE_URL', 'PLATFORM_ADMIN_TOKEN', 'KAFKA_SASL_PASSWORD', 'SSO_SIGNING_KEY_PASSPHRASE'] as const;
export const CONFIG_MAP = 'identity-platform-config';
/** The public host of the base; an overlay replaces it in the Ingresses and in PUBLIC_BASE_URL. */
const HOST = 'identity.example.com';
const SSO_SERVICE = 'saml-auth';
/** The service that answers the platform's readiness: the public `/health/ready` is rewritten to its `/health/platform`. */
export const READINESS_SERVICE = 'admin-console';
export const PLATFORM_READINESS_PATH = '/health/platform';
/** Seconds a pod gets to drain: the services' SHUTDOWN_DRAIN_MS (10 s) plus the preStop pause (5 s) and margin. */
export const TERMINATION_GRACE_SECONDS = 30;

const PART_OF = { 'app.kubernetes.io/part-of': 'identity-platform' };
const labels = (service: string) => ({ 'app.kubernetes.io/name': service, ...PART_OF });
const servesHttp = (service: ServiceDefinition) => service.publicPrefixes.length > 0;

/**
 * Secrets a service runs without on a laptop but must have in a cluster: without a passphrase,
 * saml-auth would store its token signing keys in the clear, and a copy of the database could sign.
 */
const REQUIRED_IN_CLUSTER = new Set(['SSO_SIGNING_KEY_PASSPHRASE']);

function secretsOf(service: ServiceDefinition) {
  return [...COMMON_CONFIG, ...service.config]
    .filter((variable) => variable.secret)
    .map((variable) => ({ ...variable, required: variable.required || REQUIRED_IN_CLUSTER.has(variable.name) }));
}

function deployment(service: ServiceDefinition) {
  const relay = service.runsRelay;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: service.name, labels: labels(service.name) },
    spec: {
      // The relay publishes from one replica at a time (an advisory lock); a second would only wait.
      // The others leave the count to their HorizontalPodAutoscaler: a count here would reset it on every apply.
      ...(relay ? { replicas: 1 } : {}),
      strategy: relay ? { type: 'Recreate' } : { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      selector: { matchLabels: labels(service.name) },
      template: {
        metadata: { labels: labels(service.name), annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '3000', 'prometheus.io/path': '/metrics' } },
        spec: {
          serviceAccountName: service.name,
          automountServiceAccountToken: false,
          terminationGracePeriodSeconds: TERMINATION_GRACE_SECONDS,
          securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: service.name,
              image: `${IMAGE_REPOSITORY}/${service.name}:${IMAGE_TAG}`,
              imagePullPolicy: 'IfNotPresent',
              ports: [{ name: 'http', containerPort: 3000 }],
              envFrom: [{ configMapRef: { name: CONFIG_MAP } }],
              // KAFKA_CLIENT_ID is a prefix the service adds its name to: the default, identity-platform.<service>, is the id quotas and ACLs name.
              env: [
                ...secretsOf(service).map(({ name, required }) => ({
                  name,
                  valueFrom: { secretKeyRef: { name: SECRET_NAME, key: name, ...(required ? {} : { optional: true }) } },
                })),
              ],
              resources: relay
                ? { requests: { cpu: '50m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } }
                : // The autoscaler adds pods at 70% of the request: at 100m it went to its maximum on light load, and 10 pods a service hold 100 database connections each.
                  { requests: { cpu: '250m', memory: '192Mi' }, limits: { cpu: '1', memory: '384Mi' } },
              // Ten minutes to start: a pod that applies migrations itself (MIGRATIONS_RUN=true) answers only after them.
              startupProbe: { httpGet: { path: '/health/live', port: 'http' }, periodSeconds: 2, failureThreshold: 300 },
              livenessProbe: { httpGet: { path: '/health/live', port: 'http' }, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 },
              readinessProbe: { httpGet: { path: '/health/ready', port: 'http' }, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 2 },
              // Leave the load balancer time to stop sending before the drain starts.
              lifecycle: { preStop: { exec: { command: ['sleep', '5'] } } },
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
              volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
            },
          ],
          volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }],
        },
      },
    },
  };
}

function serviceObjects(service: ServiceDefinition): unknown[] {
  const objects: unknown[] = [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: service.name, labels: labels(service.name) }, automountServiceAccountToken: false },
    deployment(service),
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: service.name, labels: labels(service.name) },
      spec: { selector: labels(service.name), ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: service.name, labels: labels(service.name) },
      spec: {
        podSelector: { matchLabels: labels(service.name) },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [
          ...(servesHttp(service)
            ? [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }], ports: [{ port: 3000, protocol: 'TCP' }] }]
            : []),
          { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }], ports: [{ port: 3000, protocol: 'TCP' }] },
          // The admin APIs of the other services fetch the keys of SSO console-admin tokens here.
          ...(service.name === SSO_SERVICE ? [{ from: [{ podSelector: {} }], ports: [{ port: 3000, protocol: 'TCP' }] }] : []),
          // The console asks every service for its readiness, to answer the platform's (/health/ready at the public origin).
          ...(service.name === SSO_SERVICE ? [] : [{ from: [{ podSelector: { matchLabels: labels(READINESS_SERVICE) } }], ports: [{ port: 3000, protocol: 'TCP' }] }]),
        ],
        egress: [
          { ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] },
          { ports: [{ port: 5432, protocol: 'TCP' }] },
          { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kafka' } } }], ports: [{ port: 9092, protocol: 'TCP' }, { port: 9093, protocol: 'TCP' }] },
          ...(servesHttp(service) ? [{ to: [{ podSelector: { matchLabels: labels(SSO_SERVICE) } }], ports: [{ port: 3000, protocol: 'TCP' }] }] : []),
          ...(service.name === READINESS_SERVICE ? [{ to: [{ podSelector: { matchLabels: PART_OF } }], ports: [{ port: 3000, protocol: 'TCP' }] }] : []),
        ],
      },
    },
  ];
  if (!service.runsRelay) {
    objects.push(
      {
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name: service.name, labels: labels(service.name) },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: service.name },
          minReplicas: 2,
          maxReplicas: 10,
          metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
        },
      },
      {
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        metadata: { name: service.name, labels: labels(service.name) },
        spec: { minAvailable: 1, selector: { matchLabels: labels(service.name) } },
      },
    );
  }
  return objects;
}

function configMap() {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: CONFIG_MAP },
    data: {
      KAFKA_BROKERS: 'identity-kafka-kafka-bootstrap.kafka.svc:9092',
      PUBLIC_BASE_URL: `https://${HOST}`,
      LOG_LEVEL: 'info',
      MIGRATIONS_RUN: 'false',
      DATABASE_POOL_SIZE: '10',
      SHUTDOWN_DRAIN_MS: '10000',
      HTTP_BODY_LIMIT: '4mb',
      // The Ingress controller is the one proxy in front of every service.
      HTTP_TRUSTED_PROXY_HOPS: '1',
      SCIM_RATE_LIMIT_PER_SECOND: '200',
      SSO_JWKS_URL: `http://${SSO_SERVICE}/sso/jwks.json`,
      PLATFORM_READINESS_URLS: SERVICES.map((service) => `${service.name}=http://${service.name}/health/ready`).join(','),
    },
  };
}

const ingressSpec = (paths: readonly { path: string; service: string }[]) => ({
  ingressClassName: 'nginx',
  tls: [{ hosts: [HOST], secretName: 'identity-platform-tls' }],
  rules: [
    {
      host: HOST,
      http: { paths: paths.map(({ path, service }) => ({ path, pathType: 'ImplementationSpecific', backend: { service: { name: service, port: { name: 'http' } } } })) },
    },
  ],
});

/**
 * `/health/ready` at the public origin: the platform's readiness, which the console answers at
 * /health/platform. An Ingress of its own, because ingress-nginx rewrites every path of an Ingress.
 */
function readinessIngress() {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      name: 'identity-platform-readiness',
      annotations: { 'nginx.ingress.kubernetes.io/use-regex': 'true', 'nginx.ingress.kubernetes.io/rewrite-target': PLATFORM_READINESS_PATH },
    },
    spec: ingressSpec([{ path: '/health/ready$', service: READINESS_SERVICE }]),
  };
}

function ingress() {
  const paths = SERVICES.flatMap((service) =>
    service.publicPrefixes.map((prefix) => ({ prefix, service: service.name, weight: prefix.split('/').length })),
  ).sort((a, b) => b.weight - a.weight);
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      name: 'identity-platform',
      annotations: {
        'nginx.ingress.kubernetes.io/use-regex': 'true',
        'nginx.ingress.kubernetes.io/proxy-body-size': '8m',
        // A bulk edit of 10,000 users answers in one request after about a minute (2,000 rows: 10 s
        // on 2 cores at rest), near ingress-nginx's 60 s default; Node's own limit is 5 minutes.
        'nginx.ingress.kubernetes.io/proxy-read-timeout': '300',
        'nginx.ingress.kubernetes.io/proxy-send-timeout': '300',
      },
    },
    spec: ingressSpec(paths.map((path) => ({ path: `${path.prefix.replace(/\*/g, '[^/]+')}(/|$)`, service: path.service }))),
  };
}

function migrationJob() {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    // A Job's pod template cannot change: Argo CD deletes the last release's Job before it creates this one.
    // The label lets plain kubectl apply the Job alone, before the pods (deploy.md, step 5).
    metadata: {
      name: 'identity-platform-migrations',
      labels: { 'app.kubernetes.io/component': 'migrations' },
      annotations: { 'argocd.argoproj.io/hook': 'PreSync', 'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation' },
    },
    spec: {
      backoffLimit: 3,
      ttlSecondsAfterFinished: 3600,
      template: {
        spec: {
          restartPolicy: 'Never',
          automountServiceAccountToken: false,
          securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: 'migrations',
              image: `${IMAGE_REPOSITORY}/event-relay:${IMAGE_TAG}`,
              imagePullPolicy: 'IfNotPresent',
              command: ['node', 'dist/tools/db/migrate.js'],
              env: [{ name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: SECRET_NAME, key: 'DATABASE_URL' } } }],
              resources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
            },
          ],
        },
      },
    },
  };
}

function kafkaTopics() {
  return ALL_TOPICS.map((topic) => ({
    apiVersion: 'kafka.strimzi.io/v1beta2',
    kind: 'KafkaTopic',
    metadata: { name: topic.name.replace(/\./g, '-'), labels: { 'strimzi.io/cluster': 'identity-kafka' } },
    spec: { topicName: topic.name, partitions: topic.partitions, replicas: 3, config: { ...topic.config, 'min.insync.replicas': '2' } },
  }));
}

function serviceMonitor() {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: { name: 'identity-platform', labels: { release: 'prometheus' } },
    spec: {
      selector: { matchLabels: { 'app.kubernetes.io/part-of': 'identity-platform' } },
      endpoints: [{ port: 'http', path: '/metrics', interval: '30s' }],
    },
  };
}

/**
 * Alerts on what only the metrics show: a relay that publishes nothing while messages wait, and a
 * consumer that gave up on a message (its read model skipped it) or is stuck on one.
 */
function prometheusRule() {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: 'identity-platform', labels: { release: 'prometheus' } },
    spec: {
      groups: [
        {
          name: 'identity-platform.relay',
          rules: [
            {
              alert: 'OutboxRelayStalled',
              expr: 'max(outbox_relay_oldest_unpublished_seconds{service="event-relay"}) > 60 or absent(outbox_relay_oldest_unpublished_seconds{service="event-relay"})',
              for: '2m',
              labels: { severity: 'critical' },
              annotations: {
                summary: 'Committed events have waited more than a minute for Kafka, or no relay is scraped',
                description: 'Read models, deactivation of sessions and the other consumers are behind. See outbox_relay_failing_seconds and the event-relay logs ("relay batch failed").',
              },
            },
            {
              alert: 'OutboxRelayNoLeader',
              expr: '(sum(outbox_relay_leader{service="event-relay"}) or vector(0)) < 1',
              for: '5m',
              labels: { severity: 'critical' },
              annotations: {
                summary: 'No event-relay holds the publishing lock',
                description: 'Nothing reaches Kafka. A session of a dead relay holds the lock until PostgreSQL drops it (about 25 s), or no relay pod runs.',
              },
            },
          ],
        },
        {
          name: 'identity-platform.consumers',
          rules: [
            {
              alert: 'ConsumerMessageDeadLettered',
              expr: 'sum by (service, group) (increase(consumer_dead_letters_total{outcome="moved"}[15m])) > 0',
              labels: { severity: 'warning' },
              annotations: {
                summary: 'A consumer gave up on a message and moved it to dlt.<group>',
                description:
                  'Its read model or reaction skipped the event (the service log says why: "message moved to dead-letter topic"). Fix the cause, then rebuild the read model (npm run cli -- projections rebuild <name>) or send a reaction its dead letters again (npm run cli -- events redrive --group reaction.<name>).',
              },
            },
            {
              alert: 'ConsumerStuck',
              expr: 'sum by (service, group) (increase(consumer_dead_letters_total{outcome="failed"}[5m])) > 0 or sum by (service, group) (increase(consumer_stopped_total[5m])) > 0',
              labels: { severity: 'critical' },
              annotations: {
                summary: 'A consumer cannot move a message to its dead-letter topic, or Kafka keeps stopping it',
                description: 'The consumer handles the same batch again and again and its read model falls behind. See the service log ("message not moved to its dead-letter topic", "consumer stopped by kafkajs"); the dead-letter topic may need creating or granting.',
              },
            },
          ],
        },
      ],
    },
  };
}

const document = (objects: unknown[]) => objects.map((object) => stringify(object, { lineWidth: 0 })).join('---\n');
const HEADER = '# Generated by `npm run k8s:render` from the service catalog and the contracts. Do not edit by hand.\n';

/** The namespace of the Kafka cluster, where Strimzi's Topic Operator watches for KafkaTopic objects. */
export const KAFKA_NAMESPACE = 'kafka';

/**
 * File name → content of k8s/kafka-topics: the topics, applied apart from the services
 * (`kubectl apply -k k8s/kafka-topics`), in the Kafka cluster's namespace; in the services'
 * namespace the Topic Operator would never see them.
 */
export function renderKafkaTopics(): Record<string, string> {
  return {
    'kafka-topics.yaml': HEADER + document(kafkaTopics()),
    'kustomization.yaml':
      HEADER + stringify({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', namespace: KAFKA_NAMESPACE, resources: ['kafka-topics.yaml'] }),
  };
}

/** File name → content of every generated file under k8s/base. */
export function renderBase(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const service of SERVICES) files[`${service.name}.yaml`] = HEADER + document(serviceObjects(service));
  files['config.yaml'] = HEADER + document([configMap()]);
  files['ingress.yaml'] = HEADER + document([ingress(), readinessIngress()]);
  files['migrations-job.yaml'] = HEADER + document([migrationJob()]);
  files['service-monitor.yaml'] = HEADER + document([serviceMonitor()]);
  files['prometheus-rule.yaml'] = HEADER + document([prometheusRule()]);
  files['kustomization.yaml'] =
    HEADER +
    stringify({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      namespace: NAMESPACE,
      resources: Object.keys(files).sort(),
    });
  return files;
}
