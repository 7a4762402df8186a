import { deciderSpec } from '@identity/platform-testing';
import { groupDecider, groupNameReservations, type GroupEvent } from './group.decide';

const groupId = '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159';
const created: GroupEvent = { type: 'GroupCreated', data: { groupId, displayName: 'Sales', externalId: 'x1' } };
const spec = deciderSpec(groupDecider);

describe('Group aggregate', () => {
  it('creates a group with its first members, once each', () => {
    spec
      .given([])
      .when({ type: 'CreateGroup', groupId, displayName: ' Sales ', externalId: 'x1', members: ['u1', 'u1', 'u2'] })
      .then([created, { type: 'GroupMembersAdded', data: { groupId, userIds: ['u1', 'u2'] } }]);
  });

  it('records only what changed, and a member added then removed in one request ends removed', () => {
    spec
      .given([created])
      .when({ type: 'ChangeGroup', displayName: 'Sales', externalId: 'x1', members: { clear: false, add: ['u1', 'u2'], remove: ['u2'] } })
      .then([
        { type: 'GroupMembersAdded', data: { groupId, userIds: ['u1'] } },
        { type: 'GroupMembersRemoved', data: { groupId, userIds: ['u2'] } },
      ]);
  });

  it('replaces the membership with what changed when the state carries the members, else by clearing and adding', () => {
    const present = { ...[created].reduce(groupDecider.evolve, groupDecider.initialState()) };
    const large = new Set(Array.from({ length: 10_000 }, (_, index) => `u${index}`));
    const wanted = [...large].filter((id) => id !== 'u7').concat('v1');
    expect(groupDecider.decide({ type: 'ChangeGroup', members: { clear: false, add: [], remove: [], replace: wanted } }, { ...present, members: large })).toEqual([
      { type: 'GroupMembersAdded', data: { groupId, userIds: ['v1'] } },
      { type: 'GroupMembersRemoved', data: { groupId, userIds: ['u7'] } },
    ]);
    expect(groupDecider.decide({ type: 'ChangeGroup', members: { clear: false, add: [], remove: [], replace: ['v1', 'v1'] } }, present)).toEqual([
      { type: 'GroupMembersCleared', data: { groupId } },
      { type: 'GroupMembersAdded', data: { groupId, userIds: ['v1'] } },
    ]);
  });

  it('stores nothing for adding a member or removing a non-member when the state knows which of the named ids are members', () => {
    const present = [created].reduce(groupDecider.evolve, groupDecider.initialState());
    const change = (add: string[], remove: string[], clear = false) => ({ type: 'ChangeGroup' as const, members: { clear, add, remove } });
    const knowing = { ...present, namedMembers: new Set(['u1', 'u3']) };
    expect(groupDecider.decide(change(['u1'], ['u2']), knowing)).toEqual([]);
    expect(groupDecider.decide(change(['u1', 'u2'], ['u3', 'u4']), knowing)).toEqual([
      { type: 'GroupMembersAdded', data: { groupId, userIds: ['u2'] } },
      { type: 'GroupMembersRemoved', data: { groupId, userIds: ['u3'] } },
    ]);
    // A member added then removed in one request still ends removed.
    expect(groupDecider.decide(change(['u1'], ['u1']), knowing)).toEqual([{ type: 'GroupMembersRemoved', data: { groupId, userIds: ['u1'] } }]);
    // After a clear every add counts, members before it or not.
    expect(groupDecider.decide(change(['u1'], [], true), knowing)).toEqual([
      { type: 'GroupMembersCleared', data: { groupId } },
      { type: 'GroupMembersAdded', data: { groupId, userIds: ['u1'] } },
    ]);
  });

  it('renames and moves the name reservation', () => {
    const renamed: GroupEvent = { type: 'GroupRenamed', data: { groupId, displayName: 'Sales EMEA', previousName: 'Sales' } };
    spec.given([created]).when({ type: 'ChangeGroup', displayName: 'Sales EMEA', members: { clear: false, add: [], remove: [] } }).then([renamed]);
    const before = [created].reduce(groupDecider.evolve, groupDecider.initialState());
    expect(groupNameReservations('t')([renamed], before)).toEqual([
      { action: 'release', scope: 'group-name:t', key: 'sales' },
      { action: 'reserve', scope: 'group-name:t', key: 'sales emea' },
    ]);
  });

  it('deletes, after which the group is gone', () => {
    spec.given([created]).when({ type: 'DeleteGroup' }).then([{ type: 'GroupDeleted', data: { groupId, displayName: 'Sales' } }]);
    spec
      .given([created, { type: 'GroupDeleted', data: { groupId, displayName: 'Sales' } }])
      .when({ type: 'DeleteGroup' })
      .thenThrows({ code: 'group-not-found' });
  });
});
