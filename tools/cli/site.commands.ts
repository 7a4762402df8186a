import { callApi, output, requiredFlag, type Invocation } from './cli-runtime';

const sites = (invocation: Invocation) => `/api/v1/tenants/${encodeURIComponent(requiredFlag(invocation, 'tenant'))}/sites`;

interface Site {
  siteId: string;
  name: string;
  formerNames?: string[];
}

export const siteCommands = {
  async create(invocation: Invocation): Promise<void> {
    const site = await callApi<Site>('POST', sites(invocation), { name: requiredFlag(invocation, 'name') });
    output(invocation, site, () => `site ${site.name} created: siteId ${site.siteId}`);
  },

  async rename(invocation: Invocation): Promise<void> {
    const site = await callApi<Site>('PATCH', `${sites(invocation)}/${encodeURIComponent(requiredFlag(invocation, 'site'))}`, { name: requiredFlag(invocation, 'name') });
    output(invocation, site, () => `site ${site.siteId} is now ${site.name}`);
  },

  async list(invocation: Invocation): Promise<void> {
    const page = await callApi<{ items: Site[] }>('GET', `${sites(invocation)}?limit=500`);
    output(invocation, page, () =>
      page.items.map((site) => `${site.siteId}  ${site.name}${site.formerNames?.length ? `  (formerly ${site.formerNames.join(', ')})` : ''}`).join('\n') || 'no sites yet',
    );
  },
};
