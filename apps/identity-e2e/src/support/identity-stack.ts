import { Kafka, logLevel } from 'kafkajs';
import { freePort, startService, type RunningService } from '@identity/platform-service';
import { createTestDatabase, eventually, kafkaBrokers, serviceEnv, TEST_PLATFORM_TOKEN, testNamespace, uniqueSuffix } from '@identity/platform-testing';
import { eventRelayService } from '@identity/service-event-relay';
import { licensingService } from '@identity/service-licensing';
import { samlAuthService } from '@identity/service-saml-auth';
import { scimIngestService } from '@identity/service-scim-ingest';
import { userDirectoryService } from '@identity/service-user-directory';

export interface ScimResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

export interface ScimTenant {
  tenantId: string;
  adminToken: string;
  scimToken: string;
  scimUrl: string;
  /** The tenant URL as the admin console shows it (under PUBLIC_BASE_URL). */
  publicScimUrl: string;
  siteIds: Record<string, string>;
}

/**
 * The services an IdP talks to, on real PostgreSQL and Kafka: user-directory (companies, sites),
 * scim-ingest and the relay that carries the sites across. Each test file gets its own stack.
 */
export class IdentityStack {
  private services: RunningService[] = [];
  databaseUrl = '';
  directoryUrl = '';
  scimBase = '';

  /** Licensing instances started with `licensingInstances` (several share one database, as pods would). */
  licensing: RunningService[] = [];
  /** saml-auth, when started with `sso`. */
  sso?: RunningService;
  ssoBase = '';

  /** The prefix of this stack's Kafka topics and consumer groups. */
  kafkaNamespace = '';

  /**
   * Whether the services' consumer group `groupId` (`reaction.<name>`, `projection.<name>`) has
   * handled every message on `topic` so far: its committed offsets reached the end of each partition.
   */
  async consumerCaughtUp(groupId: string, topic: string): Promise<boolean> {
    const admin = new Kafka({ clientId: 'identity-e2e', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const physical = `${this.kafkaNamespace}${topic}`;
      const ends = await admin.fetchTopicOffsets(physical);
      const [committed] = await admin.fetchOffsets({ groupId: `${this.kafkaNamespace}${groupId}`, topics: [physical] });
      const done = new Map(committed.partitions.map((partition) => [partition.partition, Number(partition.offset)]));
      return ends.every((end) => Number(end.high) === 0 || (done.get(end.partition) ?? -1) >= Number(end.high));
    } finally {
      await admin.disconnect();
    }
  }

  async start(overrides: Record<string, string> = {}, options: { licensingInstances?: number; sso?: boolean } = {}): Promise<void> {
    this.databaseUrl = await createTestDatabase();
    // Every admin API verifies SSO console-admin tokens with saml-auth's keys, at a port known up front.
    const ssoPort = options.sso ? await freePort() : 0;
    this.kafkaNamespace = testNamespace('identity');
    const env = serviceEnv(this.databaseUrl, this.kafkaNamespace, {
      ...(options.sso ? { SSO_JWKS_URL: `http://127.0.0.1:${ssoPort}/sso/jwks.json` } : {}),
      ...overrides,
    });
    for (const definition of [userDirectoryService, scimIngestService, eventRelayService]) {
      this.services.push(await startService(definition, { env, listen: true, collectProcessMetrics: false }));
    }
    for (let index = 0; index < (options.licensingInstances ?? 0); index++) {
      this.licensing.push(await startService(licensingService, { env, listen: true, collectProcessMetrics: false }));
    }
    if (options.sso) {
      this.sso = await startService(samlAuthService, { env: { ...env, PORT: String(ssoPort) }, listen: true, collectProcessMetrics: false });
      this.ssoBase = `http://127.0.0.1:${this.sso.port}`;
    }
    this.directoryUrl = `http://127.0.0.1:${this.services[0].port}`;
    this.scimBase = `http://127.0.0.1:${this.services[1].port}`;
  }

  get directoryService(): RunningService {
    return this.services[0];
  }

  get scimService(): RunningService {
    return this.services[1];
  }

  /** Every admin route scoped to a tenant, read from the running services' routers. */
  *tenantRoutes(): Generator<{ base: string; method: string; path: string }> {
    for (const [service, base] of [
      [this.services[0], this.directoryUrl],
      [this.services[1], this.scimBase],
      ...[...this.licensing.slice(0, 1), ...(this.sso ? [this.sso] : [])].map((instance) => [instance, `http://127.0.0.1:${instance.port}`] as const),
    ] as const) {
      const stack = (service.handler as unknown as { router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] } }).router.stack;
      for (const layer of stack) {
        if (!layer.route || !layer.route.path.startsWith('/api/v1/tenants/:tenantId')) continue;
        for (const method of Object.keys(layer.route.methods)) yield { base, method: method.toUpperCase(), path: layer.route.path };
      }
    }
  }

  async stop(): Promise<void> {
    for (const service of [...this.licensing, ...(this.sso ? [this.sso] : []), ...this.services].reverse()) await service.stop();
    this.sso = undefined;
    this.services = [];
    this.licensing = [];
  }

  /** A company with sites, SCIM enabled for an IdP: what an admin sets up before Azure AD connects. */
  async tenant(options: { idp?: 'azure-ad' | 'okta'; sites?: string[]; retrieval?: 'all' | 'idp-only' } = {}): Promise<ScimTenant> {
    const created = await this.admin<{ tenantId: string; adminToken: string }>(this.directoryUrl, 'POST', '/api/v1/tenants', TEST_PLATFORM_TOKEN, {
      name: `Contoso ${uniqueSuffix()}`,
    });
    const { tenantId, adminToken } = created.body;
    const siteIds: Record<string, string> = {};
    for (const name of options.sites ?? ['London', 'Paris']) {
      siteIds[name] = (await this.admin<{ siteId: string }>(this.directoryUrl, 'POST', `/api/v1/tenants/${tenantId}/sites`, adminToken, { name })).body.siteId;
    }
    // The tenant and its sites reach scim-ingest through Kafka.
    const enabled = await eventually(async () => {
      const response = await this.admin<{ token: string; scimUrl: string }>(this.scimBase, 'PUT', `/api/v1/tenants/${tenantId}/provisioning/scim`, adminToken, {
        idp: options.idp ?? 'azure-ad',
      });
      expect(response.status).toBe(200);
      return response.body;
    });
    if (options.retrieval) {
      await this.admin(this.scimBase, 'PATCH', `/api/v1/tenants/${tenantId}/provisioning/scim`, adminToken, { userRetrieval: options.retrieval });
    }
    await eventually(async () => {
      const rows = await this.scimService.infrastructure.dataSource.query(`SELECT count(*)::int AS n FROM scim.site_names WHERE tenant_id = $1`, [tenantId]);
      expect(rows[0].n).toBe(Object.keys(siteIds).length);
    });
    return { tenantId, adminToken, scimToken: enabled.token, scimUrl: `${this.scimBase}/scim/v2/${tenantId}`, publicScimUrl: enabled.scimUrl, siteIds };
  }

  async admin<T = Record<string, unknown>>(base: string, method: string, path: string, token: string, body?: unknown): Promise<ScimResponse<T>> {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : undefined) as T };
  }
}

/** A SCIM client as the IdPs behave: scim+json in, bearer token, paths relative to the tenant URL. */
export function scimClient(tenant: Pick<ScimTenant, 'scimUrl' | 'scimToken'>, userAgent = 'Azure AD SCIM') {
  return async function scim<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ScimResponse<T>> {
    const response = await fetch(`${tenant.scimUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${tenant.scimToken}`,
        accept: 'application/scim+json',
        'user-agent': userAgent,
        ...(body === undefined ? {} : { 'content-type': 'application/scim+json; charset=utf-8' }),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : undefined) as T };
  };
}

export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const SITE_8X8 = 'urn:ietf:params:scim:schemas:extension:8x8:1.1:User';
export const SITE_PRODUCT = 'urn:8x8:scim:schemas:extension:8x8user:2.0:User';
