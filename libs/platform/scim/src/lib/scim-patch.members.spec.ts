import { ScimError } from './scim-errors';
import { applyPatch } from './scim-patch.apply';
import { memberChanges } from './scim-patch.members';
import { normalizePatch, PATCH_OP_SCHEMA } from './scim-patch.normalize';
import { CORE_GROUP, groupType } from './scim-test.fixtures';

type Json = Record<string, unknown>;

const sales: Json = Object.freeze({
  schemas: [CORE_GROUP],
  id: 'g1',
  displayName: 'Sales',
  members: Object.freeze([Object.freeze({ value: 'u1' }), Object.freeze({ value: 'u2' }), Object.freeze({ value: 'u3' })]),
});

const ops = (Operations: unknown[]) => normalizePatch({ schemas: [PATCH_OP_SCHEMA], Operations }, groupType);
const patch = (Operations: unknown[], group: Json = sales) => applyPatch(group, ops(Operations), groupType);
const changes = (Operations: unknown[]) => memberChanges(ops(Operations));
const memberIds = (group: Json) => ((group.members as { value: string }[] | undefined) ?? []).map((member) => member.value);

describe('Group membership PATCH', () => {
  it('adds members from Entra (`$ref: null` dropped, duplicates skipped)', () => {
    const request = [{ op: 'Add', path: 'members', value: [{ $ref: null, value: 'u4' }, { value: 'u1' }, { value: 'u5' }] }];
    expect(patch(request).members).toEqual([{ value: 'u1' }, { value: 'u2' }, { value: 'u3' }, { value: 'u4' }, { value: 'u5' }]);
    expect(changes(request)).toEqual({ add: ['u4', 'u1', 'u5'], remove: [], removeAll: false });
  });

  it('removes only the listed members for `Remove members` with a value array (Entra default)', () => {
    const request = [{ op: 'Remove', path: 'members', value: [{ value: 'u2' }] }];
    expect(memberIds(patch(request))).toEqual(['u1', 'u3']);
    expect(changes(request)).toEqual({ add: [], remove: ['u2'], removeAll: false });
  });

  it('removes a member by filter (aadOptscim062020, validator), several joined with or', () => {
    expect(memberIds(patch([{ op: 'remove', path: 'members[value eq "u2"]' }]))).toEqual(['u1', 'u3']);
    const request = [{ op: 'remove', path: 'members[value eq "u1" or value eq "u3"]' }];
    expect(memberIds(patch(request))).toEqual(['u2']);
    expect(changes(request)).toEqual({ add: [], remove: ['u1', 'u3'], removeAll: false });
  });

  it('removes no one for `Remove members` with an empty value list, in the changes and in the resource alike', () => {
    const request = [{ op: 'Remove', path: 'members', value: [] }];
    expect(changes(request)).toEqual({ add: [], remove: [], removeAll: false });
    expect(memberIds(patch(request))).toEqual(['u1', 'u2', 'u3']);
  });

  it('removes every member for a bare `remove members`', () => {
    expect(patch([{ op: 'remove', path: 'members' }])).not.toHaveProperty('members');
    expect(changes([{ op: 'remove', path: 'members' }])).toEqual({ add: [], remove: [], removeAll: true });
  });

  it('replaces the membership with `replace members` (the validator adds a member this way)', () => {
    const request = [{ op: 'replace', path: 'members', value: [{ value: 'u9' }] }];
    expect(memberIds(patch(request))).toEqual(['u9']);
    expect(changes(request)).toEqual({ add: [], remove: [], removeAll: true, replace: ['u9'] });
  });

  it('ends with the member gone after add then remove in one request (validator preview)', () => {
    const request = [
      { op: 'add', path: 'members', value: [{ value: 'u7' }] },
      { op: 'remove', path: 'members[value eq "u7"]' },
    ];
    expect(memberIds(patch(request))).toEqual(['u1', 'u2', 'u3']);
    expect(changes(request)).toEqual({ add: [], remove: ['u7'], removeAll: false });
  });

  it('applies operations in order after a remove-all or a replace', () => {
    expect(changes([{ op: 'remove', path: 'members' }, { op: 'add', path: 'members', value: [{ value: 'u4' }] }])).toEqual({ add: ['u4'], remove: [], removeAll: true });
    expect(
      changes([
        { op: 'replace', path: 'members', value: [{ value: 'u4' }, { value: 'u5' }] },
        { op: 'remove', path: 'members', value: [{ value: 'u4' }] },
        { op: 'add', path: 'members', value: [{ value: 'u6' }] },
      ]),
    ).toEqual({ add: [], remove: [], removeAll: true, replace: ['u5', 'u6'] });
    expect(changes([{ op: 'remove', path: 'members', value: [{ value: 'u1' }] }, { op: 'add', path: 'members', value: [{ value: 'u1' }] }])).toEqual({
      add: ['u1'],
      remove: [],
      removeAll: false,
    });
  });

  it('ignores other attributes and takes path-less member lists', () => {
    expect(changes([{ op: 'Replace', path: 'displayName', value: 'Sales EMEA' }, { op: 'add', value: { members: [{ value: 'u8' }] } }])).toEqual({
      add: ['u8'],
      remove: [],
      removeAll: false,
    });
  });

  it('renames and re-keys a group with path-less replaces (validator)', () => {
    expect(patch([{ op: 'replace', value: { displayName: 'Sales EMEA', externalId: '8aa1a0c0' } }])).toMatchObject({ displayName: 'Sales EMEA', externalId: '8aa1a0c0' });
  });

  it('rejects member filters it cannot resolve to ids, and members without a value', () => {
    expect(() => changes([{ op: 'remove', path: 'members[type eq "User"]' }])).toThrow(ScimError);
    expect(() => changes([{ op: 'add', path: 'members', value: [{ display: 'x' }] }])).toThrow(expect.objectContaining({ scimType: 'invalidValue' }));
  });
});
