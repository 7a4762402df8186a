import { callApi, CliError, output, outputJson, requiredFlag, type Invocation } from './cli-runtime';

const provisioning = (invocation: Invocation) => `/api/v1/tenants/${encodeURIComponent(requiredFlag(invocation, 'tenant'))}/provisioning`;

interface Connection {
  scimUrl: string;
  token: string;
  idp: string;
}

const showConnection = (connection: Connection) => () =>
  [`SCIM tenant URL: ${connection.scimUrl}`, `secret token:    ${connection.token}   (shown once: paste it into the IdP now)`].join('\n');

/** The tenant's provisioning integration (`scim ...`), as in the admin console. */
export const scimCommands = {
  async enable(invocation: Invocation): Promise<void> {
    const idp = requiredFlag(invocation, 'idp');
    if (!['azure-ad', 'okta'].includes(idp)) throw new CliError('--idp is azure-ad or okta');
    const connection = await callApi<Connection>('PUT', `${provisioning(invocation)}/scim`, { idp });
    outputJson(invocation, connection, 'SCIM provisioning enabled: enter scimUrl (Tenant URL) and token (Secret Token) in the IdP; the token is shown once');
  },

  async rotate(invocation: Invocation): Promise<void> {
    const overlap = invocation.flags.get('overlap-seconds');
    if (overlap !== undefined && (typeof overlap !== 'string' || !/^\d+$/.test(overlap))) throw new CliError('--overlap-seconds is a whole number of seconds (0 cuts the old token off at once)');
    const connection = await callApi<Connection>('POST', `${provisioning(invocation)}/scim/token`, overlap === undefined ? {} : { overlapSeconds: Number(overlap) });
    output(invocation, connection, showConnection(connection));
  },

  async revoke(invocation: Invocation): Promise<void> {
    await callApi('DELETE', `${provisioning(invocation)}/scim/token`);
    output(invocation, { revoked: true }, () => 'every SCIM token of the tenant is revoked');
  },

  async disable(invocation: Invocation): Promise<void> {
    await callApi('DELETE', `${provisioning(invocation)}/scim`);
    output(invocation, { enabled: false }, () => 'SCIM provisioning disabled');
  },

  async retrieval(invocation: Invocation): Promise<void> {
    const mode = requiredFlag(invocation, 'mode');
    const settings = await callApi('PATCH', `${provisioning(invocation)}/scim`, { userRetrieval: mode });
    output(invocation, settings, () => `user retrieval: ${mode}`);
  },

  async status(invocation: Invocation): Promise<void> {
    const settings = await callApi<{ enabled: boolean; idp: string | null; userRetrieval: string; scimUrl: string; tokens: unknown[] }>('GET', provisioning(invocation));
    output(invocation, settings, () =>
      [`enabled: ${settings.enabled}`, `IdP: ${settings.idp ?? '-'}`, `user retrieval: ${settings.userRetrieval}`, `tenant URL: ${settings.scimUrl}`, `live tokens: ${settings.tokens.length}`].join('\n'),
    );
  },

  async logs(invocation: Invocation): Promise<void> {
    const query = new URLSearchParams();
    for (const name of ['outcome', 'from', 'to', 'limit']) {
      const value = invocation.flags.get(name);
      if (typeof value === 'string') query.set(name, value);
    }
    query.set('sort', 'failures-first');
    const page = await callApi<{ items: { at: string; operation: string; outcome: string; status: number; userName: string | null; errorDetail: string | null }[] }>(
      'GET',
      `${provisioning(invocation)}/logs?${query}`,
    );
    output(invocation, page, () =>
      page.items.map((item) => `${item.at}  ${item.outcome.padEnd(7)} ${item.status}  ${item.operation}  ${item.userName ?? ''}  ${item.errorDetail ?? ''}`).join('\n') || 'no entries',
    );
  },
};
