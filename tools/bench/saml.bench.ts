import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { verifyResponse, readEnvelope, decodePostBinding, type AuthnRequestStore } from '@identity/platform-saml';
import { azureResponseXml, createIdpKeys, postBinding } from '@identity/platform-testing';
import { barChartSvg, httpRequest, machine, progress, round, runConcurrently, summarise, writeReport } from './bench-report';
import { BENCH_PLATFORM_TOKEN, startBenchStack, workspaceRoot } from './bench-stack';

/**
 * `npm run bench:saml`: how many Azure-shaped signed responses one core verifies per second (the
 * SAML checks alone, in this process), and what a full sign-in through the ACS costs (verify,
 * replay record, eligibility, session) at concurrency 1 and 8 against one saml-auth process.
 */
const RESPONSES = Number(process.env.BENCH_SAML_RESPONSES ?? 1500);
const USERS = 200;
const TARGET_PER_CORE = 500;

/** Requests are never pending here: every response is IdP-initiated, like the My Apps tile. */
const noRequests: AuthnRequestStore = {
  saveAsync: async () => null,
  getAsync: async () => null,
  removeAsync: async () => null,
};

async function main(): Promise<void> {
  const started = Date.now();
  const stack = await startBenchStack(['saml-auth']);
  const db = new Client({ connectionString: stack.databaseUrl });
  await db.connect();
  try {
    const ssoBase = stack.urls['saml-auth'];
    const acs = `${ssoBase}/saml2`;
    const tenantId = randomUUID();
    const azureTenant = randomUUID();
    const issuer = `https://sts.windows.net/${azureTenant}/`;
    const keys = createIdpKeys();
    // Signed first: a minute of signing between the set-up requests and the sign-ins would outlast the kept-alive connection.
    progress(`signing ${RESPONSES} Azure-shaped responses with xmlsec1`);
    const responses: string[] = [];
    for (let index = 0; index < RESPONSES; index++) {
      responses.push(postBinding(azureResponseXml({ keys, issuer, nameId: `user${(index % USERS) + 1}@bench.example`, audience: acs, recipient: acs })));
      if (index % 100 === 99) process.stderr.write(`\rbench: signed ${index + 1} of ${RESPONSES}`);
    }
    process.stderr.write('\n');

    const admin = { authorization: `Bearer ${BENCH_PLATFORM_TOKEN}` };
    // The company normally arrives from directory events; the benchmark seeds it directly.
    await db.query(`INSERT INTO sso.tenants (tenant_id, name, created_at) VALUES ($1, 'Bench SSO', now())`, [tenantId]);
    const uploaded = await fetch(`${ssoBase}/api/v1/tenants/${tenantId}/sso/certificates`, { method: 'POST', headers: admin, body: keys.certPem });
    if (uploaded.status !== 201) throw new Error(`certificate upload: ${uploaded.status} ${await uploaded.text()}`);
    const configured = await fetch(`${ssoBase}/api/v1/tenants/${tenantId}/sso`, {
      method: 'PUT',
      headers: { ...admin, 'content-type': 'application/json' },
      body: JSON.stringify({ enabled: true, idp: 'azure-ad', signInUrl: `https://login.microsoftonline.com/${azureTenant}/saml2`, issuer, signOutUrl: null }),
    });
    if (configured.status !== 200) throw new Error(`SSO configuration: ${configured.status} ${await configured.text()}`);
    // Login eligibility normally arrives from user events; the benchmark seeds it directly.
    await db.query(
      `INSERT INTO sso.login_accounts (user_id, tenant_id, user_name, status, updated_at)
       SELECT gen_random_uuid(), $1, 'user' || n || '@bench.example', 'active', now() FROM generate_series(1, $2::int) AS n`,
      [tenantId, USERS],
    );

    progress('verifying every response in this process (one core, no I/O)');
    const sp = { entityId: acs, acsUrl: acs };
    const idp = { signInUrl: 'https://login.microsoftonline.com/x/saml2', issuer, certificates: [keys.certPem] };
    const verification = await runConcurrently(responses.length, 1, async (index) => {
      const encoded = responses[index];
      await verifyResponse(sp, idp, noRequests, encoded, readEnvelope(decodePostBinding(encoded)));
    });
    const verify = summarise(verification.latencies, verification.seconds);

    const acsRuns: Record<string, ReturnType<typeof summarise>> = {};
    let offset = 0;
    for (const [concurrency, count] of [
      [1, Math.floor(RESPONSES / 3)],
      [8, RESPONSES - Math.floor(RESPONSES / 3)],
    ] as const) {
      progress(`${count} sign-ins through the ACS at concurrency ${concurrency}`);
      const first = offset;
      let failures = 0;
      const run = await runConcurrently(count, concurrency, async (index) => {
        const response = await httpRequest(acs, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ SAMLResponse: responses[first + index] }).toString(),
        });
        if (response.status !== 303) failures++;
      });
      if (failures > 0) throw new Error(`${failures} sign-ins failed at concurrency ${concurrency}`);
      acsRuns[`c${concurrency}`] = summarise(run.latencies, run.seconds);
      offset += count;
    }

    const result = {
      benchmark: 'saml',
      at: new Date().toISOString(),
      machine: machine(),
      durationSeconds: round((Date.now() - started) / 1000, 1),
      responses: RESPONSES,
      verifyOneCore: verify,
      acs: acsRuns,
      targetSignInsPerSecondPerCore: TARGET_PER_CORE,
    };
    const markdown = [
      `# SAML benchmark`,
      ``,
      `${result.at} on ${result.machine.cpus} × ${result.machine.cpuModel}. Client, saml-auth, PostgreSQL and Kafka share the machine.`,
      ``,
      `| measure | per second | p50 ms | p99 ms |`,
      `|---|---|---|---|`,
      `| signature and SAML checks, one core in-process | ${verify.perSecond} | ${verify.p50} | ${verify.p99} |`,
      `| sign-in through the ACS, concurrency 1 | ${acsRuns.c1.perSecond} | ${acsRuns.c1.p50} | ${acsRuns.c1.p99} |`,
      `| sign-in through the ACS, concurrency 8 (one saml-auth process) | ${acsRuns.c8.perSecond} | ${acsRuns.c8.p50} | ${acsRuns.c8.p99} |`,
      ``,
      `Target: ${TARGET_PER_CORE} sign-ins per second per core.`,
      ``,
      `![rates](saml.svg)`,
      ``,
    ].join('\n');
    const files = writeReport(workspaceRoot, 'saml', result, markdown, {
      'saml.svg': barChartSvg('SAML sign-in', ['per second'], [
        { label: 'verify (1 core)', values: [verify.perSecond] },
        { label: 'ACS c=1', values: [acsRuns.c1.perSecond] },
        { label: 'ACS c=8', values: [acsRuns.c8.perSecond] },
        { label: 'target', values: [TARGET_PER_CORE] },
      ], 'per second'),
    });
    process.stdout.write(`${markdown}\nwritten: ${files.map((file) => file.replace(`${workspaceRoot}/`, '')).join(', ')}\n`);
  } finally {
    await db.end();
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
