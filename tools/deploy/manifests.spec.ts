import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { ALL_TOPICS } from '@identity/contracts';
import { COMMON_CONFIG, parseReadinessTargets } from '@identity/platform-service';
import { PlatformHealthController } from '@identity/service-admin-console';
import { SERVICES } from '@identity/service-catalog';
import { CONFIG_MAP, KAFKA_NAMESPACE, PLATFORM_READINESS_PATH, READINESS_SERVICE, renderBase, renderKafkaTopics, SECRET_KEYS, SECRET_NAME, TERMINATION_GRACE_SECONDS } from './manifests';

const root = path.resolve(__dirname, '../..');
// Rendered manifests are free-form YAML; the assertions below are their schema.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type K8sObject = { kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: Record<string, any>; data?: Record<string, string> };

/** Problems the Kubernetes and CRD schemas find in these objects (tools/deploy/validate-schemas.mjs). */
function schemaProblems(objects: readonly unknown[]): { kind: string; name: string; error: string }[] {
  const result = spawnSync(process.execPath, [path.join(root, 'tools/deploy/validate-schemas.mjs')], { input: JSON.stringify(objects), encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`schema validation failed to run: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

/** Renders a kustomization (an overlay, say) with `kubectl kustomize`, as a platform team's pipeline would. */
function render(kustomization: string): K8sObject[] {
  const result = spawnSync('kubectl', ['kustomize', path.join(root, 'k8s', kustomization)], { encoding: 'utf8' });
  if (result.error) throw new Error(`kubectl is needed to render the overlays (.ci/run installs it): ${result.error.message}`);
  if (result.status !== 0) throw new Error(`kubectl kustomize ${kustomization} failed: ${result.stderr}`);
  return parseAllDocuments(result.stdout).map((document) => document.toJSON() as K8sObject);
}

describe('deployment artefacts', () => {
  it('schema validation catches a malformed object', () => {
    const broken = [
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'broken' }, spec: { replicas: 'two', selector: {}, template: {} } },
      { apiVersion: 'kafka.strimzi.io/v1beta2', kind: 'KafkaTopic', metadata: { name: 'broken' }, spec: { partitions: 'many' } },
    ];
    expect(schemaProblems(broken).map((problem) => problem.kind)).toEqual(['Deployment', 'KafkaTopic']);
  });

  it('k8s/base and k8s/kafka-topics are what `npm run k8s:render` makes from the code', () => {
    for (const [folder, files] of [
      ['base', renderBase()],
      ['kafka-topics', renderKafkaTopics()],
    ] as const) {
      for (const [file, content] of Object.entries(files)) {
        expect({ file, content: readFileSync(path.join(root, 'k8s', folder, file), 'utf8') }).toEqual({ file, content });
      }
    }
  });

  it('declares exactly the topics of the contracts, valid, in the Kafka cluster’s namespace where the Topic Operator watches', () => {
    const objects = render('kafka-topics');
    expect(schemaProblems(objects)).toEqual([]);
    expect(new Set(objects.map((object) => `${object.kind} ${object.metadata.namespace}`))).toEqual(new Set([`KafkaTopic ${KAFKA_NAMESPACE}`]));
    const topics = objects.map((object) => ({ name: object.spec!.topicName, partitions: object.spec!.partitions }));
    expect(topics.sort((a, b) => a.name.localeCompare(b.name))).toEqual(
      ALL_TOPICS.map((topic) => ({ name: topic.name, partitions: topic.partitions })).sort((a, b) => a.name.localeCompare(b.name)),
    );
  });

  describe.each(['dev', 'prod'])('overlay %s', (overlay) => {
    const objects = render(`overlays/${overlay}`);
    const of = (kind: string) => objects.filter((object) => object.kind === kind);
    const deployments = of('Deployment');

    it('is valid against the Kubernetes API schemas and the Strimzi and Prometheus-operator CRD schemas', () => {
      expect(schemaProblems(objects)).toEqual([]);
    });

    it('has one Deployment, Service, ServiceAccount and NetworkPolicy per service', () => {
      for (const kind of ['Deployment', 'Service', 'ServiceAccount', 'NetworkPolicy']) {
        expect(of(kind).map((object) => object.metadata.name).sort()).toEqual(SERVICES.map((service) => service.name).sort());
      }
    });

    it.each(SERVICES.map((service) => [service.name]))('%s: probes, limits, non-root, read-only, pinned image, no token, drain time', (name) => {
      const deployment = deployments.find((object) => object.metadata.name === name)!;
      const pod = deployment.spec!.template.spec;
      const [container] = pod.containers;
      expect(container.livenessProbe.httpGet.path).toBe('/health/live');
      expect(container.readinessProbe.httpGet.path).toBe('/health/ready');
      expect(container.startupProbe).toBeDefined();
      expect(container.resources.limits).toEqual(expect.objectContaining({ cpu: expect.any(String), memory: expect.any(String) }));
      expect(container.resources.requests).toEqual(expect.objectContaining({ cpu: expect.any(String), memory: expect.any(String) }));
      expect(pod.securityContext.runAsNonRoot).toBe(true);
      expect(container.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
      expect(container.image).toMatch(/:[\w.-]+$/);
      expect(container.image).not.toMatch(/:latest$/);
      expect(pod.automountServiceAccountToken).toBe(false);
      expect(pod.terminationGracePeriodSeconds).toBe(TERMINATION_GRACE_SECONDS);
      expect(container.lifecycle.preStop).toBeDefined();
    });

    it('sets only variables the services read, and takes secrets from the documented Secret only', () => {
      const known = new Set([...COMMON_CONFIG, ...SERVICES.flatMap((service) => service.config)].map((variable) => variable.name));
      const secrets = new Set([...COMMON_CONFIG, ...SERVICES.flatMap((service) => service.config)].filter((variable) => variable.secret).map((variable) => variable.name));
      expect([...secrets].sort()).toEqual([...SECRET_KEYS].sort());
      const config = of('ConfigMap').find((object) => object.metadata.name === CONFIG_MAP)!;
      for (const name of Object.keys(config.data!)) expect({ name, known: known.has(name) }).toEqual({ name, known: true });
      for (const object of [...deployments, ...of('Job')]) {
        for (const variable of object.spec!.template.spec.containers[0].env ?? []) {
          expect({ variable: variable.name, known: known.has(variable.name) }).toEqual({ variable: variable.name, known: true });
          if (variable.valueFrom?.secretKeyRef) {
            expect(variable.valueFrom.secretKeyRef.name).toBe(SECRET_NAME);
            expect(SECRET_KEYS).toContain(variable.valueFrom.secretKeyRef.key);
          }
          expect(secrets.has(variable.name) && variable.value !== undefined).toBe(false);
          // A prefix the service adds its own name to: set per service it would say the name twice.
          expect(variable.name).not.toBe('KAFKA_CLIENT_ID');
        }
      }
      expect(of('Secret')).toEqual([]);
    });

    it('leaves the replica count of every autoscaled Deployment to its HorizontalPodAutoscaler', () => {
      const autoscaled = of('HorizontalPodAutoscaler').map((object) => object.spec!.scaleTargetRef.name);
      expect(autoscaled.length).toBeGreaterThan(0);
      for (const name of autoscaled) expect({ name, replicas: deployments.find((object) => object.metadata.name === name)!.spec!.replicas }).toEqual({ name, replicas: undefined });
    });

    it('gives every image of the overlay its release tag, and serves on the host its services take as their origin', () => {
      const images = deployments.map((object) => object.spec!.template.spec.containers[0].image as string);
      expect(new Set(images.map((image) => image.split(':')[1]))).toEqual(new Set([overlay === 'dev' ? 'dev' : '0.1.0']));
      const [ingress] = of('Ingress');
      const origin = new URL(of('ConfigMap').find((object) => object.metadata.name === CONFIG_MAP)!.data!.PUBLIC_BASE_URL).host;
      expect({ rule: ingress.spec!.rules[0].host, tls: ingress.spec!.tls[0].hosts }).toEqual({ rule: origin, tls: [origin] });
    });

    it('pulls the mutable dev tag on every start, and a release tag once', () => {
      const containers = [...deployments, ...of('Job')].map((object) => ({ name: object.metadata.name, pull: object.spec!.template.spec.containers[0].imagePullPolicy }));
      expect(containers.length).toBeGreaterThan(deployments.length);
      const expected = overlay === 'dev' ? 'Always' : 'IfNotPresent';
      expect(containers).toEqual(containers.map(({ name }) => ({ name, pull: expected })));
    });

    it('runs the relay as one replica that is replaced, not rolled', () => {
      const relay = deployments.find((object) => object.metadata.name === 'event-relay')!;
      expect(relay.spec!.replicas).toBe(1);
      expect(relay.spec!.strategy.type).toBe('Recreate');
      expect(of('HorizontalPodAutoscaler').map((object) => object.metadata.name)).not.toContain('event-relay');
    });

    it('lets plain kubectl apply the migration Job alone (its label selects it and nothing else), and gives pods ten minutes to start', () => {
      const labelled = objects.filter((object) => object.metadata.labels?.['app.kubernetes.io/component'] === 'migrations');
      expect(labelled.map((object) => `${object.kind} ${object.metadata.name}`)).toEqual(['Job identity-platform-migrations']);
      for (const deployment of deployments) {
        const probe = deployment.spec!.template.spec.containers[0].startupProbe;
        expect({ name: deployment.metadata.name, seconds: probe.periodSeconds * probe.failureThreshold }).toEqual({ name: deployment.metadata.name, seconds: 600 });
      }
    });

    it('leaves the topics to k8s/kafka-topics: here they would land where no Topic Operator watches', () => {
      expect(of('KafkaTopic')).toEqual([]);
    });

    it('answers /health/ready at the public origin with the platform’s readiness, which the console can ask every service for', () => {
      const readiness = of('Ingress').find((object) => object.metadata.name === 'identity-platform-readiness')!;
      expect(readiness.metadata.annotations!['nginx.ingress.kubernetes.io/rewrite-target']).toBe(PLATFORM_READINESS_PATH);
      expect(readiness.spec!.rules[0].http.paths).toEqual([{ path: '/health/ready$', pathType: 'ImplementationSpecific', backend: { service: { name: READINESS_SERVICE, port: { name: 'http' } } } }]);
      const [main] = of('Ingress');
      expect({ host: readiness.spec!.rules[0].host, tls: readiness.spec!.tls }).toEqual({ host: main.spec!.rules[0].host, tls: main.spec!.tls });
      // The path the rewrite reaches is the one the console serves.
      expect(Reflect.getMetadata('path', PlatformHealthController)).toBe(PLATFORM_READINESS_PATH.slice(1));
      const config = of('ConfigMap').find((object) => object.metadata.name === CONFIG_MAP)!;
      const targets = parseReadinessTargets('PLATFORM_READINESS_URLS', config.data!.PLATFORM_READINESS_URLS.split(','));
      const policies = of('NetworkPolicy');
      const labelsOf = (deployment: K8sObject) => deployment.spec!.template.metadata.labels as Record<string, string>;
      const consolePod = labelsOf(deployments.find((object) => object.metadata.name === READINESS_SERVICE)!);
      const matches = (selector: { matchLabels?: Record<string, string> } | undefined, podLabels: Record<string, string>) =>
        selector !== undefined && Object.entries(selector.matchLabels ?? {}).every(([key, value]) => podLabels[key] === value);
      const consolePolicy = policies.find((object) => object.metadata.name === READINESS_SERVICE)!;
      expect(targets.map((target) => target.name).sort()).toEqual(SERVICES.map((service) => service.name).sort());
      for (const target of targets) {
        const service = of('Service').find((object) => object.metadata.name === target.name)!;
        expect({ target: target.name, url: target.url, port: service.spec!.ports[0].port }).toEqual({ target: target.name, url: `http://${target.name}/health/ready`, port: 80 });
        const podLabels = labelsOf(deployments.find((object) => object.metadata.name === target.name)!);
        const leaves = consolePolicy.spec!.egress.some(
          (rule: { to?: { podSelector?: { matchLabels?: Record<string, string> } }[]; ports: { port: number }[] }) =>
            rule.to?.some((peer) => matches(peer.podSelector, podLabels)) && rule.ports.some((port) => port.port === 3000),
        );
        const policy = policies.find((object) => object.metadata.name === target.name)!;
        const enters = policy.spec!.ingress.some(
          (rule: { from: { podSelector?: { matchLabels?: Record<string, string> } }[]; ports: { port: number }[] }) =>
            rule.from.some((peer) => matches(peer.podSelector, consolePod)) && rule.ports.some((port) => port.port === 3000),
        );
        expect({ target: target.name, leaves, enters }).toEqual({ target: target.name, leaves: true, enters: true });
      }
    });

    it('routes every public prefix to its service on one TLS host', () => {
      const [ingress] = of('Ingress');
      expect(ingress.spec!.tls).toHaveLength(1);
      const routed = ingress.spec!.rules[0].http.paths.map((entry: { path: string; backend: { service: { name: string } } }) => [entry.path, entry.backend.service.name]);
      for (const service of SERVICES) {
        for (const prefix of service.publicPrefixes) expect(routed).toContainEqual([`${prefix.replace(/\*/g, '[^/]+')}(/|$)`, service.name]);
      }
    });
  });

  it('the Dockerfile builds every service from the build output, as non-root, with the health path the services serve', () => {
    const dockerfile = readFileSync(path.join(root, 'docker/Dockerfile'), 'utf8');
    expect(dockerfile).toContain('USER node');
    expect(dockerfile).toContain('dist/apps/${SERVICE}/src/main.js');
    expect(dockerfile).toContain('/health/live');
    expect(dockerfile).toMatch(/EXPOSE 3000/);
    expect(COMMON_CONFIG.find((variable) => variable.name === 'PORT')!.default).toBe('3000');
    // The build compiles apps/<service>/src/main.ts to dist/apps/<service>/src/main.js.
    for (const service of SERVICES) expect(existsSync(path.join(root, `apps/${service.name}/src/main.ts`))).toBe(true);
    expect(readFileSync(path.join(root, '.dockerignore'), 'utf8')).toMatch(/^node_modules$/m);
  });
});

describe('compose files', () => {
  const compose = parse(readFileSync(path.join(root, 'docker/compose.yml'), 'utf8'), { merge: true }) as {
    services: Record<
      string,
      { build?: { dockerfile: string; args?: { SERVICE?: string } }; command?: string[]; environment?: Record<string, string>; ports?: string[]; healthcheck?: { test: string[] }; depends_on?: Record<string, { condition: string }> }
    >;
  };
  const known = new Set([...COMMON_CONFIG, ...SERVICES.flatMap((service) => service.config)].map((variable) => variable.name));

  it('builds every service of the catalog, and nothing else, from the Dockerfile', () => {
    const built = Object.entries(compose.services)
      // The migrations and the gateway run tools from the relay's image.
      .filter(([name]) => name !== 'migrations' && name !== 'gateway')
      .flatMap(([, service]) => (service.build ? [service.build.args?.SERVICE] : []));
    expect(built.sort()).toEqual(SERVICES.map((service) => service.name).sort());
    for (const service of Object.values(compose.services)) if (service.build) expect(service.build.dockerfile).toBe('docker/Dockerfile');
  });

  it('sets only variables the services read, checks readiness on the path they serve, and waits for the migrations', () => {
    for (const definition of SERVICES) {
      const service = compose.services[definition.name];
      for (const name of Object.keys(service.environment ?? {})) expect({ name, known: known.has(name) }).toEqual({ name, known: true });
      expect(service.healthcheck!.test.join(' ')).toContain('/health/ready');
      expect(service.depends_on).toMatchObject({ migrations: { condition: 'service_completed_successfully' }, kafka: { condition: 'service_healthy' } });
      // Only the gateway is published: behind it, X-Forwarded-For names the client (HTTP_TRUSTED_PROXY_HOPS).
      expect({ name: definition.name, ports: service.ports }).toEqual({ name: definition.name, ports: undefined });
    }
  });

  it('serves every public path through the gateway, at the origin the services take as theirs', () => {
    const gateway = compose.services.gateway;
    expect(gateway.command).toEqual(['node', 'dist/tools/run/gateway-main.js']);
    expect(existsSync(path.join(root, 'tools/run/gateway-main.ts'))).toBe(true);
    const upstreams = new Map(gateway.environment!.GATEWAY_UPSTREAMS.split(',').map((entry) => entry.split('=') as [string, string]));
    for (const definition of SERVICES.filter((service) => service.publicPrefixes.length > 0)) expect({ name: definition.name, at: upstreams.get(definition.name) }).toEqual({ name: definition.name, at: `${definition.name}:3000` });
    const published = gateway.ports![0].split(':')[0];
    for (const definition of SERVICES) {
      expect(compose.services[definition.name].environment).toMatchObject({ PUBLIC_BASE_URL: `http://localhost:${published}`, HTTP_TRUSTED_PROXY_HOPS: '1' });
    }
  });
});
