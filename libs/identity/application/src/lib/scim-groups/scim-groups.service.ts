import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { groupResourceType, GROUP_SCHEMA, scimGroupsProjection, ScimQueries, type ScimGroupRow } from '@identity/identity-data-access';
import { groupDecider, groupNameReservations, GroupRuleViolation, type GroupCommand, type GroupState } from '@identity/identity-domain';
import { ReservationConflictError, StreamVersionConflictError, publishAsIs } from '@identity/platform-event-store';
import { inlineProjections } from '@identity/platform-projections';
import { applyPatch, memberChanges, normalizePatch, ScimError, type FilterNode, type MemberChanges } from '@identity/platform-scim';
import { isUuid, SERVICE_INFRASTRUCTURE, type ServiceInfrastructure } from '@identity/platform-service';
import type { ScimCaller } from '../scim-users/scim-users.service';

export interface ScimGroupResult {
  resource: Record<string, unknown>;
  version: number;
}

/**
 * The SCIM Groups endpoint. A membership change is decided from the group's read-model row (its
 * name and version), never from its member list, so it costs what changed, not the group's size.
 */
@Injectable()
export class ScimGroupsService {
  constructor(
    @Inject(SERVICE_INFRASTRUCTURE) private readonly infrastructure: ServiceInfrastructure,
    @Inject(ScimQueries) private readonly queries: ScimQueries,
  ) {}

  async create(caller: ScimCaller, body: unknown): Promise<ScimGroupResult> {
    const resource = object(body);
    const displayName = text(field(resource, 'displayName'), 'displayName');
    if (!displayName) throw ScimError.invalidValue('displayName is required');
    const members = await this.members(caller, memberValues(field(resource, 'members')));
    const groupId = randomUUID();
    await this.run(caller, groupId, { type: 'CreateGroup', groupId, displayName, externalId: text(field(resource, 'externalId'), 'externalId') ?? null, members });
    return this.read(caller, groupId, true);
  }

  async get(caller: ScimCaller, groupId: string, withMembers: boolean): Promise<ScimGroupResult> {
    return this.read(caller, groupId, withMembers);
  }

  async list(caller: ScimCaller, query: { filter?: FilterNode; startIndex: number; count: number; sortBy?: string; descending: boolean }, withMembers: boolean) {
    const { total, rows } = await this.queries.groups(caller.tenantId, query, caller.retrieval);
    const members = withMembers ? await this.queries.members(rows.map((row) => row.group_id), caller.retrieval) : undefined;
    return { total, resources: rows.map((row) => toScimGroup(row, caller.baseUrl, members?.get(row.group_id))) };
  }

  async patch(caller: ScimCaller, groupId: string, body: unknown, ifMatch?: number): Promise<number> {
    const row = await this.row(caller, groupId);
    const operations = normalizePatch(body, groupResourceType);
    const changes = canonicalIds(memberChanges(operations));
    const others = operations.filter((operation) => operation.path.attribute.toLowerCase() !== 'members');
    const next = applyPatch(toScimGroup(row, caller.baseUrl), others, groupResourceType);
    const add = await this.members(caller, [...(changes.replace ?? []), ...changes.add]);
    // Only what an operation names: a member PATCH must not write back a name another request just changed.
    const named = (attribute: string) => others.some((operation) => operation.path.attribute.toLowerCase() === attribute.toLowerCase());
    return this.run(
      caller,
      groupId,
      {
        type: 'ChangeGroup',
        displayName: named('displayName') ? text(field(next, 'displayName'), 'displayName') : undefined,
        externalId: named('externalId') ? (text(field(next, 'externalId'), 'externalId') ?? null) : undefined,
        // A value that is no user id names no member: removing it changes nothing (RFC 7644 §3.5.2.2).
        // With `idp-only`, removing every member is replacing them with the ones added after: the
        // members the IdP cannot see stay, as they do when it replaces the list.
        members:
          changes.replace !== undefined || (changes.removeAll && caller.retrieval === 'idp-only')
            ? { clear: false, add: [], remove: [], replace: add }
            : { clear: changes.removeAll, add, remove: changes.remove.filter(isUuid) },
      },
      row,
      ifMatch,
    );
  }

  async replace(caller: ScimCaller, groupId: string, body: unknown, ifMatch?: number): Promise<ScimGroupResult> {
    const row = await this.row(caller, groupId);
    const resource = object(body);
    const displayName = text(field(resource, 'displayName'), 'displayName');
    if (!displayName) throw ScimError.invalidValue('displayName is required');
    const members = await this.members(caller, memberValues(field(resource, 'members')));
    await this.run(
      caller,
      groupId,
      { type: 'ChangeGroup', displayName, externalId: text(field(resource, 'externalId'), 'externalId') ?? null, members: { clear: false, add: [], remove: [], replace: members } },
      row,
      ifMatch,
    );
    return this.read(caller, groupId, true);
  }

  async delete(caller: ScimCaller, groupId: string, ifMatch?: number): Promise<void> {
    const row = await this.row(caller, groupId);
    await this.run(caller, groupId, { type: 'DeleteGroup' }, row, ifMatch);
  }

  private async run(caller: ScimCaller, groupId: string, command: GroupCommand, row?: ScimGroupRow, ifMatch?: number): Promise<number> {
    try {
      const outcome = await this.infrastructure.commands.run({
        streamId: `group-${groupId}`,
        streamType: 'group',
        decider: groupDecider,
        command,
        context: { tenantId: caller.tenantId, correlationId: caller.correlationId, actor: 'scim' },
        ifMatch,
        reservations: groupNameReservations(caller.tenantId),
        inTransaction: inlineProjections([scimGroupsProjection], publishAsIs),
        loadState: row
          ? async () => {
              // Membership changes are decided against the members, read with the version they belong to (the projection is
              // inline): a replacement against all of them, adds and removes against those they name.
              const members = command.type === 'ChangeGroup' ? command.members : undefined;
              const replacing = members?.replace !== undefined;
              const named = members && !replacing && !members.clear ? [...members.add, ...members.remove] : [];
              const withMembers =
                replacing || named.length > 0 ? await this.queries.groupWithMembers(caller.tenantId, groupId, caller.retrieval, replacing ? undefined : named) : null;
              const current = withMembers ?? (await this.queries.group(caller.tenantId, groupId));
              // Deleted meanwhile: the decision is the 404 it would have been a moment later, not a retry against a stale row.
              if (!current) return { state: { status: 'deleted' as const, groupId, displayName: row.display_name, externalId: row.external_id }, version: row.version };
              const loaded = withMembers ? new Set(withMembers.member_ids) : undefined;
              const state: GroupState = {
                status: 'present',
                groupId,
                displayName: current.display_name,
                externalId: current.external_id,
                ...(replacing ? { members: loaded } : { namedMembers: loaded }),
              };
              return { state, version: current.version };
            }
          : undefined,
      });
      return outcome.version;
    } catch (error) {
      if (error instanceof GroupRuleViolation) throw error.code === 'group-not-found' ? ScimError.notFound(error.message) : ScimError.invalidValue(error.message);
      if (error instanceof ReservationConflictError) throw ScimError.uniqueness(`a group named "${error.key}" already exists`);
      if (error instanceof StreamVersionConflictError) {
        throw ifMatch === undefined
          ? new ScimError(503, undefined, 'the group is being changed by other requests at this moment; retry')
          : new ScimError(412, undefined, 'the group changed since the version given in If-Match');
      }
      throw error;
    }
  }

  /** Members must be users of the same company. */
  private async members(caller: ScimCaller, ids: string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const existing = await this.queries.existingUserIds(caller.tenantId, ids, caller.retrieval);
    const unknown = ids.filter((id) => !existing.has(id));
    if (unknown.length > 0) throw ScimError.invalidValue(`members ${unknown.slice(0, 5).join(', ')} are not users of this company`);
    return ids;
  }

  private async row(caller: ScimCaller, groupId: string): Promise<ScimGroupRow> {
    const row = await this.queries.group(caller.tenantId, groupId);
    if (!row) throw ScimError.notFound(`no group with id ${groupId}`);
    return row;
  }

  private async read(caller: ScimCaller, groupId: string, withMembers: boolean): Promise<ScimGroupResult> {
    const row = await this.row(caller, groupId);
    const members = withMembers ? (await this.queries.members([groupId], caller.retrieval)).get(groupId) : undefined;
    return { resource: toScimGroup(row, caller.baseUrl, members), version: row.version };
  }
}

export function toScimGroup(row: ScimGroupRow, baseUrl: string, members?: { value: string; display: string }[]): Record<string, unknown> {
  return {
    schemas: [GROUP_SCHEMA],
    id: row.group_id,
    ...(row.external_id !== null ? { externalId: row.external_id } : {}),
    displayName: row.display_name,
    ...(members ? { members: members.map((member) => ({ ...member, $ref: `${baseUrl}/Users/${member.value}` })) } : {}),
    meta: {
      resourceType: 'Group',
      created: new Date(row.created_at).toISOString(),
      lastModified: new Date(row.last_modified).toISOString(),
      location: `${baseUrl}/Groups/${row.group_id}`,
      version: `W/"${row.version}"`,
    },
  };
}

function object(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw ScimError.invalidSyntax('the body must be a JSON object');
  return body as Record<string, unknown>;
}

function field(resource: Record<string, unknown>, name: string): unknown {
  const key = Object.keys(resource).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : resource[key];
}

function text(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw ScimError.invalidValue(`${name} must be a string`);
  return value;
}

function memberValues(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw ScimError.invalidValue('members must be an array');
  return value.map((member) => {
    const id = typeof member === 'object' && member !== null ? field(member as Record<string, unknown>, 'value') : member;
    if (typeof id !== 'string') throw ScimError.invalidValue('each member needs a value (the user id)');
    return canonicalId(id);
  });
}

/** User ids are UUIDs, which we write in lower case; a client may send them in upper case (GET /Users/{id} takes that too). */
function canonicalId(id: string): string {
  return isUuid(id) ? id.toLowerCase() : id;
}

function canonicalIds(changes: MemberChanges): MemberChanges {
  return {
    ...changes,
    add: changes.add.map(canonicalId),
    remove: changes.remove.map(canonicalId),
    ...(changes.replace === undefined ? {} : { replace: changes.replace.map(canonicalId) }),
  };
}
