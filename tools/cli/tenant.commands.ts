import { callApi, output, outputJson, requiredFlag, type Invocation } from './cli-runtime';

interface CreatedTenant {
  tenantId: string;
  name: string;
  adminToken: string;
  tokenId: string;
}

interface TenantPage {
  items: { tenantId: string; name: string; createdAt: string }[];
  total: number;
}

export const tenantCommands = {
  async create(invocation: Invocation): Promise<void> {
    const created = await callApi<CreatedTenant>('POST', '/api/v1/tenants', { name: requiredFlag(invocation, 'name') });
    outputJson(invocation, created, `tenant ${created.name} created; its adminToken is shown once: store it now`);
  },

  async list(invocation: Invocation): Promise<void> {
    const page = await callApi<TenantPage>('GET', `/api/v1/tenants?limit=${Number(invocation.flags.get('limit') ?? 500)}`);
    output(invocation, page, () =>
      page.items.length === 0 ? 'no tenants yet' : page.items.map((tenant) => `${tenant.tenantId}  ${tenant.name}`).join('\n'),
    );
  },
};
