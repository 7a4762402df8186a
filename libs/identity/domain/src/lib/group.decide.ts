/**
 * A group pushed by the IdP (stream `group-<uuid>`). Membership changes carry only what changed,
 * and adding or removing members needs no member list, so a change to a large group costs what
 * changed; a replacement of the whole list is decided against the members loaded with the state.
 */
export type GroupEvent =
  | { type: 'GroupCreated'; data: { groupId: string; displayName: string; externalId: string | null } }
  | { type: 'GroupRenamed'; data: { groupId: string; displayName: string; previousName: string } }
  | { type: 'GroupExternalIdChanged'; data: { groupId: string; externalId: string | null } }
  | { type: 'GroupMembersAdded'; data: { groupId: string; userIds: string[] } }
  | { type: 'GroupMembersRemoved'; data: { groupId: string; userIds: string[] } }
  | { type: 'GroupMembersCleared'; data: { groupId: string } }
  | { type: 'GroupDeleted'; data: { groupId: string; displayName: string } };

export type GroupCommand =
  | { type: 'CreateGroup'; groupId: string; displayName: string; externalId: string | null; members: string[] }
  | {
      type: 'ChangeGroup';
      displayName?: string;
      externalId?: string | null;
      /**
       * Member changes in request order; `clear` empties the group first. `replace`: the whole
       * membership from now on (a PUT, a `replace members`), stored as what changed when the state
       * carries the members, else as clearing and adding.
       */
      members: { clear: boolean; add: string[]; remove: string[]; replace?: string[] };
    }
  | { type: 'DeleteGroup' };

export interface GroupState {
  status: 'absent' | 'present' | 'deleted';
  groupId: string;
  displayName: string;
  externalId: string | null;
  /** The members, when the state was loaded with them (for a replacement); events never carry the whole list. */
  members?: ReadonlySet<string>;
  /**
   * Of the ids a change adds or removes, those that are members, when the state was loaded with
   * them: adding a member or removing a non-member then stores nothing (an IdP re-adds every
   * member at each full cycle), and still no change reads the whole list.
   */
  namedMembers?: ReadonlySet<string>;
}

export class GroupRuleViolation extends Error {
  constructor(
    readonly code: 'group-exists' | 'group-not-found' | 'invalid-value',
    message: string,
  ) {
    super(message);
    this.name = 'GroupRuleViolation';
  }
}

export const GROUP_NAME_MAX = 256;

export const initialGroupState = (): GroupState => ({ status: 'absent', groupId: '', displayName: '', externalId: null });

export function evolveGroup(state: GroupState, event: GroupEvent): GroupState {
  switch (event.type) {
    case 'GroupCreated':
      return { status: 'present', groupId: event.data.groupId, displayName: event.data.displayName, externalId: event.data.externalId };
    case 'GroupRenamed':
      return { ...state, displayName: event.data.displayName };
    case 'GroupExternalIdChanged':
      return { ...state, externalId: event.data.externalId };
    case 'GroupDeleted':
      return { ...state, status: 'deleted' };
    default:
      return state;
  }
}

export function decideGroup(command: GroupCommand, state: GroupState): GroupEvent[] {
  if (command.type === 'CreateGroup') {
    if (state.status !== 'absent') throw new GroupRuleViolation('group-exists', 'the group already exists');
    const displayName = validName(command.displayName);
    const events: GroupEvent[] = [{ type: 'GroupCreated', data: { groupId: command.groupId, displayName, externalId: command.externalId } }];
    const members = unique(command.members);
    if (members.length > 0) events.push({ type: 'GroupMembersAdded', data: { groupId: command.groupId, userIds: members } });
    return events;
  }
  if (state.status !== 'present') throw new GroupRuleViolation('group-not-found', 'no such group');
  const groupId = state.groupId;
  if (command.type === 'DeleteGroup') return [{ type: 'GroupDeleted', data: { groupId, displayName: state.displayName } }];
  const events: GroupEvent[] = [];
  if (command.displayName !== undefined) {
    const displayName = validName(command.displayName);
    if (displayName !== state.displayName) events.push({ type: 'GroupRenamed', data: { groupId, displayName, previousName: state.displayName } });
  }
  if (command.externalId !== undefined && command.externalId !== state.externalId) {
    events.push({ type: 'GroupExternalIdChanged', data: { groupId, externalId: command.externalId } });
  }
  const { replace } = command.members;
  if (replace !== undefined && state.members !== undefined) {
    // What changed, not the group: replacing one member of a large group adds one and removes one.
    const wanted = new Set(replace);
    const current = state.members;
    const added = [...wanted].filter((id) => !current.has(id));
    const removed = [...current].filter((id) => !wanted.has(id));
    if (added.length > 0) events.push({ type: 'GroupMembersAdded', data: { groupId, userIds: added } });
    if (removed.length > 0) events.push({ type: 'GroupMembersRemoved', data: { groupId, userIds: removed } });
    return events;
  }
  if (command.members.clear || replace !== undefined) events.push({ type: 'GroupMembersCleared', data: { groupId } });
  if (replace !== undefined) {
    const members = unique(replace);
    if (members.length > 0) events.push({ type: 'GroupMembersAdded', data: { groupId, userIds: members } });
    return events;
  }
  let remove = unique(command.members.remove);
  // A set: a PATCH may list tens of thousands of members each way.
  const removing = new Set(remove);
  let add = unique(command.members.add).filter((id) => !removing.has(id));
  const members = state.namedMembers;
  if (members !== undefined && !command.members.clear) {
    add = add.filter((id) => !members.has(id));
    remove = remove.filter((id) => members.has(id));
  }
  if (add.length > 0) events.push({ type: 'GroupMembersAdded', data: { groupId, userIds: add } });
  if (remove.length > 0) events.push({ type: 'GroupMembersRemoved', data: { groupId, userIds: remove } });
  return events;
}

function validName(raw: string): string {
  const name = raw.trim();
  if (name.length === 0 || name.length > GROUP_NAME_MAX) {
    throw new GroupRuleViolation('invalid-value', `displayName must have 1 to ${GROUP_NAME_MAX} characters`);
  }
  return name;
}

function unique(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}

/** Group display names are unique per tenant regardless of case. */
export function groupNameReservations(tenantId: string) {
  return (events: readonly GroupEvent[], before: GroupState) =>
    events.flatMap((event) => {
      const scope = `group-name:${tenantId}`;
      if (event.type === 'GroupCreated') return [{ action: 'reserve' as const, scope, key: event.data.displayName.toLowerCase() }];
      if (event.type === 'GroupRenamed') {
        if (event.data.displayName.toLowerCase() === before.displayName.toLowerCase()) return [];
        return [
          { action: 'release' as const, scope, key: before.displayName.toLowerCase() },
          { action: 'reserve' as const, scope, key: event.data.displayName.toLowerCase() },
        ];
      }
      if (event.type === 'GroupDeleted') return [{ action: 'release' as const, scope, key: before.displayName.toLowerCase() }];
      return [];
    });
}

export const groupDecider = { initialState: initialGroupState, evolve: evolveGroup, decide: decideGroup };
