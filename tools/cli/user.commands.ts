import { callApi, CliError, output, requiredFlag, switchFlag, type Invocation } from './cli-runtime';
import { assignTelephony } from './telephony.commands';

const users = (invocation: Invocation) => `/api/v1/tenants/${encodeURIComponent(requiredFlag(invocation, 'tenant'))}/users`;
const FIELDS = ['givenName', 'familyName', 'email', 'title', 'department', 'mobilePhone', 'workPhone', 'locale', 'timezone', 'siteId'];

interface User {
  userId: string;
  userName: string;
  status: string;
  owner: string;
  givenName: string | null;
  familyName: string | null;
  site: { name: string } | null;
  license: { plan: string } | null;
  lockedFields: string[];
}

function fields(invocation: Invocation): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const field of FIELDS) {
    const flag = field.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
    const value = invocation.flags.get(flag) ?? invocation.flags.get(field);
    if (typeof value === 'string') body[field] = value;
  }
  if (invocation.flags.get('visible') !== undefined) body.visibleInDirectory = switchFlag(invocation, 'visible');
  return body;
}

const line = (user: User) =>
  `${user.userId}  ${user.userName.padEnd(32)} ${user.status.padEnd(11)} ${user.owner.padEnd(5)} ${[user.givenName, user.familyName].filter(Boolean).join(' ')}${user.site ? `  @${user.site.name}` : ''}${user.license ? `  [${user.license.plan}]` : ''}`;

export const userCommands = {
  extension: (invocation: Invocation) => assignTelephony(invocation, 'extension'),
  number: (invocation: Invocation) => assignTelephony(invocation, 'number'),

  async create(invocation: Invocation): Promise<void> {
    const user = await callApi<User>('POST', users(invocation), { userName: requiredFlag(invocation, 'user-name'), ...fields(invocation) });
    output(invocation, user, () => `user created: ${line(user)}`);
  },

  async list(invocation: Invocation): Promise<void> {
    const query = new URLSearchParams({ limit: String(invocation.flags.get('limit') ?? 100) });
    for (const name of ['q', 'status', 'owner', 'source', 'sort']) {
      const value = invocation.flags.get(name);
      if (typeof value === 'string') query.set(name, value);
    }
    const page = await callApi<{ items: User[]; total: number }>('GET', `${users(invocation)}?${query}`);
    output(invocation, page, () => [...page.items.map(line), `(${page.items.length} of ${page.total})`].join('\n'));
  },

  async get(invocation: Invocation): Promise<void> {
    const id = requiredFlag(invocation, 'user');
    const user = /^[0-9a-f-]{36}$/i.test(id)
      ? await callApi<User>('GET', `${users(invocation)}/${id}`)
      : (await callApi<{ items: User[] }>('GET', `${users(invocation)}?q=${encodeURIComponent(id)}&limit=50`)).items.find(
          (candidate) => candidate.userName.toLowerCase() === id.toLowerCase(),
        );
    if (!user) throw new CliError(`no user ${id}`);
    output(invocation, user, () => `${line(user)}${user.lockedFields.length ? `\nmastered by the IdP: ${user.lockedFields.join(', ')}` : ''}`);
  },
};

export const directoryCommands = {
  async search(invocation: Invocation): Promise<void> {
    const query = new URLSearchParams();
    for (const name of ['q', 'number', 'extension', 'view', 'limit']) {
      const value = invocation.flags.get(name);
      if (typeof value === 'string') query.set(name, value);
    }
    const page = await callApi<{
      items: { name: string; title: string | null; site: string | null; extension: string | null; contactNumber?: string | null; workPhone?: string | null }[];
      total: number;
    }>(
      'GET',
      `/api/v1/tenants/${encodeURIComponent(requiredFlag(invocation, 'tenant'))}/directory?${query}`,
    );
    output(invocation, page, () =>
      [...page.items.map((entry) => `${entry.name.padEnd(30)} ${(entry.title ?? '').padEnd(20)} ${(entry.site ?? '').padEnd(16)} ${(entry.extension ?? '').padEnd(8)} ${entry.contactNumber ?? ''} ${entry.workPhone ?? ''}`), `(${page.items.length} of ${page.total})`].join('\n'),
    );
  },
};
