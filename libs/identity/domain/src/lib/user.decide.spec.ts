import { deciderSpec } from '@identity/platform-testing';
import { EMPTY_PROFILE, type UserEvent } from './user.events';
import { userDecider, usernameReservations } from './user.decide';
import type { UserCommand } from './user.commands';
import { initialUserState } from './user.state';

const userId = '3b0d7c1e-5a4f-4e0b-9a2c-8f1d6e2b7c90';
const azure = { kind: 'idp', idp: 'azure-ad' } as const;
const admin = { kind: 'admin' } as const;
const site = { siteId: '5e2b1f7a-3c4d-4b8e-a1f2-9d0c7b6a5e43', siteName: 'Redmond HQ' };
const spec = deciderSpec(userDecider);

const provisioned = (owner: 'idp' | 'admin'): UserEvent => ({
  type: 'UserProvisioned',
  data: {
    userId,
    userName: 'Adele.Vance@contoso.com',
    owner,
    idp: owner === 'idp' ? 'azure-ad' : null,
    externalId: null,
    active: true,
    profile: { ...EMPTY_PROFILE, givenName: 'Adele' },
  },
});

const provision = (actor: typeof azure | typeof admin, extra: Partial<Extract<UserCommand, { type: 'ProvisionUser' }>> = {}): UserCommand => ({
  type: 'ProvisionUser',
  actor,
  userId,
  userName: ' Adele.Vance@contoso.com ',
  externalId: null,
  active: true,
  profile: { ...EMPTY_PROFILE, givenName: 'Adele' },
  site: null,
  visibleInDirectory: false,
  ...extra,
});

describe('User aggregate', () => {
  it('provisions an IdP-owned user with its site, trimming the username', () => {
    spec.given([]).when(provision(azure, { site })).then([provisioned('idp'), { type: 'SiteAssigned', data: { userId, ...site } }]);
  });

  it('refuses to provision a user twice', () => {
    spec.given([provisioned('idp')]).when(provision(azure)).thenThrows({ code: 'user-exists' });
  });

  it('refuses an empty username', () => {
    spec.given([]).when(provision(admin, { userName: '  ' })).thenThrows({ code: 'invalid-value', fields: ['userName'] });
  });

  it('records only the attributes that changed, and nothing for a no-op', () => {
    spec
      .given([provisioned('idp')])
      .when({ type: 'ChangeUserAttributes', actor: azure, changes: { givenName: 'Adele', title: 'Manager' } })
      .then([{ type: 'UserAttributesChanged', data: { userId, changes: { title: 'Manager' } } }]);
    spec.given([provisioned('idp')]).when({ type: 'ChangeUserAttributes', actor: azure, changes: { givenName: 'Adele' } }).then([]);
  });

  it('refuses an admin edit of IdP-mastered fields and names them', () => {
    spec
      .given([provisioned('idp')])
      .when({ type: 'ChangeUserAttributes', actor: admin, changes: { givenName: 'Ada', email: 'a@x.com', title: 'CEO' } })
      .thenThrows({ code: 'idp-mastered', fields: ['givenName', 'email'] });
  });

  it('lets an admin edit fields the IdP does not master', () => {
    spec
      .given([provisioned('idp')])
      .when({ type: 'ChangeUserAttributes', actor: admin, changes: { title: 'CEO' } })
      .then([{ type: 'UserAttributesChanged', data: { userId, changes: { title: 'CEO' } } }]);
  });

  it('links an admin-created user on the first IdP update', () => {
    spec
      .given([provisioned('admin')])
      .when({ type: 'ChangeUserAttributes', actor: azure, changes: { title: 'Manager' } })
      .then([
        { type: 'UserLinkedToIdp', data: { userId, idp: 'azure-ad', externalId: null } },
        { type: 'UserAttributesChanged', data: { userId, changes: { title: 'Manager' } } },
      ]);
  });

  it('sets a site once: the same site again is a no-op, another one is refused', () => {
    const assigned: UserEvent = { type: 'SiteAssigned', data: { userId, ...site } };
    spec.given([provisioned('idp'), assigned]).when({ type: 'AssignSite', actor: azure, site }).then([]);
    spec
      .given([provisioned('idp'), assigned])
      .when({ type: 'AssignSite', actor: azure, site: { siteId: 'b5a1f0de-0000-4000-8000-000000000001', siteName: 'Paris' } })
      .thenThrows({ code: 'site-locked' });
  });

  it('deactivates without deleting, and only the IdP deactivates its own users', () => {
    spec
      .given([provisioned('idp')])
      .when({ type: 'DeactivateUser', actor: azure, reason: 'idp-deleted' })
      .then([{ type: 'UserDeactivated', data: { userId, reason: 'idp-deleted' } }]);
    spec.given([provisioned('idp')]).when({ type: 'DeactivateUser', actor: admin, reason: 'admin' }).thenThrows({ code: 'idp-mastered' });
    spec
      .given([provisioned('idp'), { type: 'UserDeactivated', data: { userId, reason: 'idp-deactivated' } }])
      .when({ type: 'ReactivateUser', actor: azure })
      .then([{ type: 'UserReactivated', data: { userId } }]);
  });

  it('records an IdP delete of an already deactivated user (it then disappears for the IdP), once', () => {
    const deactivated: UserEvent = { type: 'UserDeactivated', data: { userId, reason: 'idp-deactivated' } };
    spec
      .given([provisioned('idp'), deactivated])
      .when({ type: 'DeactivateUser', actor: azure, reason: 'idp-deleted' })
      .then([{ type: 'UserDeactivated', data: { userId, reason: 'idp-deleted' } }]);
    spec
      .given([provisioned('idp'), { type: 'UserDeactivated', data: { userId, reason: 'idp-deleted' } }])
      .when({ type: 'DeactivateUser', actor: azure, reason: 'idp-deleted' })
      .then([]);
    spec.given([provisioned('idp'), deactivated]).when({ type: 'DeactivateUser', actor: azure, reason: 'idp-deactivated' }).then([]);
  });

  it('an IdP re-creating, inactive, a user it deleted knows it again: deactivated by the IdP, no longer deleted', () => {
    const deletedByIdp: UserEvent = { type: 'UserDeactivated', data: { userId, reason: 'idp-deleted' } };
    spec
      .given([provisioned('idp'), deletedByIdp])
      .when({ type: 'SyncFromIdp', actor: azure, changes: {}, active: false, recreate: true })
      .then([{ type: 'UserDeactivated', data: { userId, reason: 'idp-deactivated' } }]);
    // Not an update that raced the delete (a PUT of the user the IdP just deleted): that leaves it deleted.
    spec.given([provisioned('idp'), deletedByIdp]).when({ type: 'SyncFromIdp', actor: azure, changes: {}, active: false }).then([]);
    spec.given([provisioned('idp'), deletedByIdp]).when({ type: 'SyncFromIdp', actor: azure, changes: {}, active: true }).then([{ type: 'UserReactivated', data: { userId } }]);
    spec
      .given([provisioned('idp'), { type: 'UserDeactivated', data: { userId, reason: 'idp-deactivated' } }])
      .when({ type: 'SyncFromIdp', actor: azure, changes: {}, active: false })
      .then([]);
  });

  it('lets only an admin delete, and a deleted user is gone for every later command', () => {
    spec.given([provisioned('idp')]).when({ type: 'DeleteUser', actor: azure }).thenThrows({ code: 'admin-only' });
    const deleted: UserEvent = { type: 'UserDeleted', data: { userId, userName: 'Adele.Vance@contoso.com' } };
    spec.given([provisioned('idp')]).when({ type: 'DeleteUser', actor: admin }).then([deleted]);
    spec.given([provisioned('idp'), deleted]).when({ type: 'ReactivateUser', actor: azure }).thenThrows({ code: 'user-not-found' });
  });

  it('reserves the username case-insensitively, moves it on rename and frees it on delete', () => {
    const before = userDecider.evolve(initialUserState(), provisioned('idp'));
    expect(usernameReservations([provisioned('idp')], initialUserState())).toEqual([
      { action: 'reserve', scope: 'username', key: 'adele.vance@contoso.com' },
    ]);
    expect(
      usernameReservations([{ type: 'UserAttributesChanged', data: { userId, changes: { userName: 'adele@contoso.com' } } }], before),
    ).toEqual([
      { action: 'release', scope: 'username', key: 'adele.vance@contoso.com' },
      { action: 'reserve', scope: 'username', key: 'adele@contoso.com' },
    ]);
    expect(usernameReservations([{ type: 'UserAttributesChanged', data: { userId, changes: { userName: 'ADELE.VANCE@contoso.com' } } }], before)).toEqual([]);
    expect(usernameReservations([{ type: 'UserDeleted', data: { userId, userName: 'x' } }], before)).toEqual([
      { action: 'release', scope: 'username', key: 'adele.vance@contoso.com' },
    ]);
  });
});

describe('User aggregate: one IdP update', () => {
  it('stores attribute, site and activation changes of one request together', () => {
    spec
      .given([provisioned('idp')])
      .when({ type: 'SyncFromIdp', actor: azure, changes: { title: 'Lead', givenName: 'Adele' }, site, active: false })
      .then([
        { type: 'UserAttributesChanged', data: { userId, changes: { title: 'Lead' } } },
        { type: 'SiteAssigned', data: { userId, ...site } },
        { type: 'UserDeactivated', data: { userId, reason: 'idp-deactivated' } },
      ]);
  });

  it('links an admin-created user even when nothing else changes, and is a no-op for an owned one', () => {
    spec
      .given([provisioned('admin')])
      .when({ type: 'SyncFromIdp', actor: azure, changes: { givenName: 'Adele' } })
      .then([{ type: 'UserLinkedToIdp', data: { userId, idp: 'azure-ad', externalId: null } }]);
    spec.given([provisioned('idp')]).when({ type: 'SyncFromIdp', actor: azure, changes: { givenName: 'Adele' }, active: true }).then([]);
  });

  it('names in the link the IdP’s id for the user that the linking update brings', () => {
    spec
      .given([provisioned('admin')])
      .when({ type: 'SyncFromIdp', actor: azure, changes: { externalId: 'adele.vance' } })
      .then([
        { type: 'UserLinkedToIdp', data: { userId, idp: 'azure-ad', externalId: 'adele.vance' } },
        { type: 'UserAttributesChanged', data: { userId, changes: { externalId: 'adele.vance' } } },
      ]);
  });

  it('refuses a different site and stores nothing of the request', () => {
    spec
      .given([provisioned('idp'), { type: 'SiteAssigned', data: { userId, ...site } }])
      .when({ type: 'SyncFromIdp', actor: azure, changes: { title: 'Lead' }, site: { siteId: 'b5a1f0de-0000-4000-8000-000000000001', siteName: 'Paris' } })
      .thenThrows({ code: 'site-locked' });
  });
});

describe('User aggregate: one admin edit', () => {
  it('refuses every IdP-mastered field it would change, naming them all, and stores nothing', () => {
    spec
      .given([provisioned('idp')])
      .when({ type: 'EditByAdmin', changes: { familyName: 'Vance', givenName: 'Adele', email: 'x@y.com', title: 'CEO' }, active: false })
      .thenThrows({ code: 'idp-mastered', fields: ['familyName', 'email', 'active'] });
  });

  it('edits what the IdP does not master, with site and visibility, in one go', () => {
    spec
      .given([provisioned('idp')])
      .when({ type: 'EditByAdmin', changes: { title: 'CEO', givenName: 'Adele' }, site, visible: true, active: true })
      .then([
        { type: 'UserAttributesChanged', data: { userId, changes: { title: 'CEO' } } },
        { type: 'SiteAssigned', data: { userId, ...site } },
        { type: 'DirectoryVisibilityChanged', data: { userId, visible: true } },
      ]);
  });

  it('lets an admin deactivate and rename an admin-owned user', () => {
    spec
      .given([provisioned('admin')])
      .when({ type: 'EditByAdmin', changes: { userName: 'adele@contoso.com' }, active: false })
      .then([
        { type: 'UserAttributesChanged', data: { userId, changes: { userName: 'adele@contoso.com' } } },
        { type: 'UserDeactivated', data: { userId, reason: 'admin' } },
      ]);
  });
});
