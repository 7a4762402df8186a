import type { Actor, UserCommand } from './user.commands';
import { UserRuleViolation } from './user.errors';
import type { ProfileChanges, UserEvent, UserProfile } from './user.events';
import { evolveUser, initialUserState, type UserState } from './user.state';

/** Fields the IdP masters once it owns a user: an admin cannot change them. */
export const IDP_MASTERED_FIELDS = ['userName', 'givenName', 'familyName', 'email', 'active'] as const;

export const USERNAME_MAX = 256;

/** Usernames are login ids, unique platform-wide regardless of case. */
export function usernameKey(userName: string): string {
  return userName.trim().toLowerCase();
}

export function decideUser(command: UserCommand, state: UserState): UserEvent[] {
  if (command.type === 'ProvisionUser') return provision(command, state);
  if (state.status === 'absent' || state.status === 'deleted') throw new UserRuleViolation('user-not-found', 'no such user');
  const userId = state.userId;
  switch (command.type) {
    case 'ChangeUserAttributes':
      return [...linkIfNeeded(command.actor, state), ...changeAttributes(command.actor, command.changes, state)];
    case 'AssignSite': {
      if (state.siteId === command.site.siteId) return linkIfNeeded(command.actor, state);
      if (state.siteId !== null) {
        throw new UserRuleViolation('site-locked', `the user's site is already set to "${state.siteName}" and cannot change`, ['site']);
      }
      return [...linkIfNeeded(command.actor, state), { type: 'SiteAssigned', data: { userId, ...command.site } }];
    }
    case 'DeactivateUser':
      refuseAdminOnIdpUser(command.actor, state, ['active']);
      if (state.status === 'deactivated' && (state.deactivationReason === command.reason || command.reason !== 'idp-deleted')) {
        return linkIfNeeded(command.actor, state);
      }
      return [...linkIfNeeded(command.actor, state), { type: 'UserDeactivated', data: { userId, reason: command.reason } }];
    case 'ReactivateUser':
      refuseAdminOnIdpUser(command.actor, state, ['active']);
      if (state.status === 'active') return linkIfNeeded(command.actor, state);
      return [...linkIfNeeded(command.actor, state), { type: 'UserReactivated', data: { userId } }];
    case 'DeleteUser':
      if (command.actor.kind !== 'admin') throw new UserRuleViolation('admin-only', 'only an admin deletes a user');
      return [{ type: 'UserDeleted', data: { userId, userName: state.userName } }];
    case 'SyncFromIdp':
      return syncFromIdp(command, state);
    case 'EditByAdmin':
      return editByAdmin(command, state);
    case 'SetDirectoryVisibility':
      if (state.visibleInDirectory === command.visible) return [];
      return [{ type: 'DirectoryVisibilityChanged', data: { userId, visible: command.visible } }];
  }
}

function provision(command: Extract<UserCommand, { type: 'ProvisionUser' }>, state: UserState): UserEvent[] {
  if (state.status !== 'absent') throw new UserRuleViolation('user-exists', 'the user already exists');
  const userName = command.userName.trim();
  if (userName.length === 0 || userName.length > USERNAME_MAX) {
    throw new UserRuleViolation('invalid-value', `userName must have 1 to ${USERNAME_MAX} characters`, ['userName']);
  }
  const byIdp = command.actor.kind === 'idp';
  const events: UserEvent[] = [
    {
      type: 'UserProvisioned',
      data: {
        userId: command.userId,
        userName,
        owner: byIdp ? 'idp' : 'admin',
        idp: command.actor.kind === 'idp' ? command.actor.idp : null,
        externalId: command.externalId,
        active: command.active,
        profile: command.profile,
      },
    },
  ];
  if (command.site) events.push({ type: 'SiteAssigned', data: { userId: command.userId, ...command.site } });
  if (command.visibleInDirectory) events.push({ type: 'DirectoryVisibilityChanged', data: { userId: command.userId, visible: true } });
  return events;
}

function syncFromIdp(command: Extract<UserCommand, { type: 'SyncFromIdp' }>, state: UserState): UserEvent[] {
  const userId = state.userId;
  const events: UserEvent[] = [...changeAttributes(command.actor, command.changes, state)];
  if (command.site && command.site.siteId !== state.siteId) {
    if (state.siteId !== null) {
      throw new UserRuleViolation('site-locked', `the user's site is already set to "${state.siteName}" and cannot change`, ['site']);
    }
    events.push({ type: 'SiteAssigned', data: { userId, ...command.site } });
  }
  // An inactive user the IdP deleted and now creates again is one it knows once more: deactivated, no longer deleted.
  if (command.active === false && (state.status === 'active' || (command.recreate && state.deactivationReason === 'idp-deleted'))) {
    events.push({ type: 'UserDeactivated', data: { userId, reason: 'idp-deactivated' } });
  }
  if (command.active === true && state.status === 'deactivated') events.push({ type: 'UserReactivated', data: { userId } });
  // Linking happens on the IdP's first update, even one that changes nothing else; the link names
  // the IdP's own id for the user when this update brings it.
  return [...linkIfNeeded(command.actor, state, command.changes.externalId), ...events];
}

function editByAdmin(command: Extract<UserCommand, { type: 'EditByAdmin' }>, state: UserState): UserEvent[] {
  const admin = { kind: 'admin' } as const;
  const userId = state.userId;
  const activation = command.active === undefined || command.active === (state.status === 'active') ? [] : ['active'];
  const locked = [
    ...Object.keys(command.changes).filter(
      (field) => (IDP_MASTERED_FIELDS as readonly string[]).includes(field) && changed(state, field, (command.changes as Record<string, unknown>)[field]),
    ),
    ...activation,
  ];
  if (locked.length > 0) refuseAdminOnIdpUser(admin, state, locked);
  const events: UserEvent[] = [...changeAttributes(admin, command.changes, state)];
  if (command.site && command.site.siteId !== state.siteId) {
    if (state.siteId !== null) {
      throw new UserRuleViolation('site-locked', `the user's site is already set to "${state.siteName}" and cannot change`, ['site']);
    }
    events.push({ type: 'SiteAssigned', data: { userId, ...command.site } });
  }
  if (command.active === false && state.status === 'active') events.push({ type: 'UserDeactivated', data: { userId, reason: 'admin' } });
  if (command.active === true && state.status === 'deactivated') events.push({ type: 'UserReactivated', data: { userId } });
  if (command.visible !== undefined && command.visible !== state.visibleInDirectory) {
    events.push({ type: 'DirectoryVisibilityChanged', data: { userId, visible: command.visible } });
  }
  return events;
}

function changed(state: UserState, field: string, value: unknown): boolean {
  if (value === undefined) return false;
  const current = field === 'userName' ? state.userName : field === 'externalId' ? state.externalId : state.profile[field as keyof UserProfile];
  return current !== value;
}

/** An admin-created user becomes IdP-owned the first time the IdP changes it. */
function linkIfNeeded(actor: Actor, state: UserState, externalId: string | null | undefined = undefined): UserEvent[] {
  if (actor.kind !== 'idp' || state.owner === 'idp') return [];
  return [{ type: 'UserLinkedToIdp', data: { userId: state.userId, idp: actor.idp, externalId: externalId === undefined ? state.externalId : externalId } }];
}

function refuseAdminOnIdpUser(actor: Actor, state: UserState, fields: readonly string[]): void {
  if (actor.kind === 'admin' && state.owner === 'idp') {
    throw new UserRuleViolation(
      'idp-mastered',
      `the user is managed by the company's identity provider: ${fields.join(', ')} can only change there`,
      fields,
    );
  }
}

function changeAttributes(actor: Actor, requested: ProfileChanges, state: UserState): UserEvent[] {
  const changes: ProfileChanges = {};
  for (const [field, value] of Object.entries(requested) as [keyof ProfileChanges, string | null | undefined][]) {
    if (value === undefined) continue;
    const current = field === 'userName' ? state.userName : field === 'externalId' ? state.externalId : state.profile[field as keyof UserProfile];
    if (current !== value) (changes as Record<string, unknown>)[field] = value;
  }
  if (changes.userName !== undefined) {
    const userName = changes.userName.trim();
    if (userName.length === 0 || userName.length > USERNAME_MAX) {
      throw new UserRuleViolation('invalid-value', `userName must have 1 to ${USERNAME_MAX} characters`, ['userName']);
    }
    changes.userName = userName;
  }
  const locked = Object.keys(changes).filter((field) => (IDP_MASTERED_FIELDS as readonly string[]).includes(field));
  if (locked.length > 0) refuseAdminOnIdpUser(actor, state, locked);
  if (Object.keys(changes).length === 0) return [];
  return [{ type: 'UserAttributesChanged', data: { userId: state.userId, changes } }];
}

/** The username reservations a command's events need, written in the same transaction. */
export function usernameReservations(events: readonly UserEvent[], before: UserState) {
  const changes: { action: 'reserve' | 'release'; scope: 'username'; key: string }[] = [];
  let current = before.userName;
  for (const event of events) {
    if (event.type === 'UserProvisioned') {
      current = event.data.userName;
      changes.push({ action: 'reserve', scope: 'username', key: usernameKey(current) });
    } else if (event.type === 'UserAttributesChanged' && event.data.changes.userName !== undefined) {
      if (usernameKey(current) !== usernameKey(event.data.changes.userName)) {
        changes.push({ action: 'release', scope: 'username', key: usernameKey(current) });
        changes.push({ action: 'reserve', scope: 'username', key: usernameKey(event.data.changes.userName) });
      }
      current = event.data.changes.userName;
    } else if (event.type === 'UserDeleted') {
      changes.push({ action: 'release', scope: 'username', key: usernameKey(current) });
    }
  }
  return changes;
}

export const userDecider = { initialState: initialUserState, evolve: evolveUser, decide: decideUser };
