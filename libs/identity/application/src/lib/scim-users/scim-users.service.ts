import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ScimQueries, toScimUser, userPatchResourceType, type ScimUserRow, type UserRetrievalMode } from '@identity/identity-data-access';
import { UserRuleViolation, type IdpKind, type ProfileChanges, type SiteRef } from '@identity/identity-domain';
import { ReservationConflictError, StreamVersionConflictError } from '@identity/platform-event-store';
import { applyPatch, normalizePatch, resolvePath, ScimError, type FilterNode, type NormalizedPatchOp } from '@identity/platform-scim';
import { UserWriter } from '../user-writer';
import { readScimUser, type ScimUserInput } from './scim-user.input';

/** Who is calling: the tenant whose SCIM token opened the request, and its IdP. */
export interface ScimCaller {
  tenantId: string;
  idp: IdpKind;
  retrieval: UserRetrievalMode;
  /** The tenant shows users the IdP creates in the company directory at once. */
  newUsersVisible: boolean;
  baseUrl: string;
  correlationId: string;
}

export interface ScimUserResult {
  resource: Record<string, unknown>;
  version: number;
  created?: boolean;
}

/** The SCIM Users endpoint's use cases, translated to commands on the User aggregate. */
@Injectable()
export class ScimUsersService {
  constructor(
    private readonly writer: UserWriter,
    @Inject(ScimQueries) private readonly queries: ScimQueries,
  ) {}

  async create(caller: ScimCaller, body: unknown): Promise<ScimUserResult> {
    const input = readScimUser(body);
    if (!input.userName?.trim()) throw ScimError.invalidValue('userName is required');
    const site = input.siteName === undefined ? null : await this.site(caller.tenantId, input.siteName);
    const userId = randomUUID();
    try {
      await this.writer.run({
        tenantId: caller.tenantId,
        userId,
        correlationId: caller.correlationId,
        newUser: true,
        command: {
          type: 'ProvisionUser',
          actor: { kind: 'idp', idp: caller.idp },
          userId,
          userName: input.userName,
          externalId: input.externalId,
          active: input.active ?? true,
          profile: input.profile,
          site,
          visibleInDirectory: caller.newUsersVisible,
        },
      });
    } catch (error) {
      if (!(error instanceof ReservationConflictError)) throw translate(error);
      // The IdP re-creates a user it deleted: restore that user (licenses and settings kept).
      const restored = await this.queries.idpDeletedUserNamed(caller.tenantId, input.userName);
      if (!restored) throw ScimError.uniqueness(`userName "${input.userName}" is already taken`);
      const result = await this.sync(caller, restored, { ...input, active: input.active ?? true }, undefined, true);
      return { ...result, created: true };
    }
    // A new user has no stale site name to forget: only a former name needs noting.
    if (input.siteName !== undefined && site && input.siteName !== site.siteName) {
      await this.queries.noteSiteNameSent(caller.tenantId, userId, input.siteName, { siteId: site.siteId, currentName: site.siteName });
    }
    return { ...(await this.read(caller, userId, true)), created: true };
  }

  async get(caller: ScimCaller, userId: string): Promise<ScimUserResult> {
    return this.read(caller, userId);
  }

  async list(caller: ScimCaller, query: { filter?: FilterNode; startIndex: number; count: number; sortBy?: string; descending: boolean }) {
    const { total, rows } = await this.queries.users(caller.tenantId, query, caller.retrieval);
    return { total, resources: rows.map((row) => toScimUser(row, caller.baseUrl)) };
  }

  /**
   * A PATCH reads the user, applies the operations and writes the result back; the write must find
   * the user at the version it read, else the operations are applied again to a fresh read. Two
   * PATCHes of different attributes at once would otherwise each write back the other's old value.
   */
  async patch(caller: ScimCaller, userId: string, body: unknown, ifMatch?: number): Promise<ScimUserResult> {
    const operations = normalizePatch(body, userPatchResourceType);
    for (let attempt = 1; ; attempt++) {
      const row = await this.row(caller, userId);
      if (ifMatch !== undefined && ifMatch !== row.version) throw translate(new StreamVersionConflictError(`user-${userId}`, ifMatch, row.version), ifMatch);
      const next = applyPatch(toScimUser(row, caller.baseUrl), operations, userPatchResourceType);
      const input = readScimUser(next, row.site_name);
      // The site in `next` is our own unless an operation names it: then there is nothing to look up or note.
      const sentSite = operations.some((operation) => operation.path.attribute.toLowerCase() === 'site');
      // Removing the site (or setting it to null or ""), itself or with its whole extension under
      // either name, would otherwise pass as "unchanged" with a 200 (the other name still holds it).
      if (row.site_name !== null && ((sentSite && input.siteName === undefined) || operations.some(removesSiteExtension))) {
        throw ScimError.mutability(`the site cannot be removed once set; this user's site is "${row.site_name}"`);
      }
      try {
        return await this.sync(caller, userId, sentSite ? input : { ...input, siteName: undefined }, { version: row.version, from: 'read' });
      } catch (error) {
        if (!(error instanceof OutdatedRead)) throw error;
        if (attempt >= PATCH_ATTEMPTS) throw busy();
        // Either another request wrote first, or another service did and the bus has not told us yet.
        await this.writer.catchUpView(userId);
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
      }
    }
  }

  async replace(caller: ScimCaller, userId: string, body: unknown, ifMatch?: number): Promise<ScimUserResult> {
    await this.row(caller, userId);
    const input = readScimUser(body);
    if (!input.userName?.trim()) throw ScimError.invalidValue('userName is required');
    return this.sync(caller, userId, input, ifMatch === undefined ? undefined : { version: ifMatch, from: 'client' });
  }

  /** SCIM DELETE deactivates and hides the user from the IdP; only an admin deletes users. */
  async delete(caller: ScimCaller, userId: string, ifMatch?: number): Promise<void> {
    await this.row(caller, userId);
    await this.writer
      .run({
        tenantId: caller.tenantId,
        userId,
        correlationId: caller.correlationId,
        ifMatch,
        command: { type: 'DeactivateUser', actor: { kind: 'idp', idp: caller.idp }, reason: 'idp-deleted' },
      })
      .catch((error: unknown) => {
        throw translate(error, ifMatch);
      });
  }

  /**
   * `expected`: the version the write must find, from the client's If-Match (412 otherwise) or from
   * the read the input was computed from (OutdatedRead otherwise).
   */
  private async sync(
    caller: ScimCaller,
    userId: string,
    input: ScimUserInput,
    expected?: { version: number; from: 'client' | 'read' },
    /** A POST re-creating a user the IdP deleted: it is shown to the IdP again. */
    recreate = false,
  ): Promise<ScimUserResult> {
    const site = input.siteName === undefined ? undefined : await this.site(caller.tenantId, input.siteName);
    const changes: ProfileChanges = { ...input.profile, externalId: input.externalId };
    if (input.userName !== undefined) changes.userName = input.userName;
    try {
      await this.writer.run({
        tenantId: caller.tenantId,
        userId,
        correlationId: caller.correlationId,
        ifMatch: expected?.version,
        command: { type: 'SyncFromIdp', actor: { kind: 'idp', idp: caller.idp }, changes, site, active: input.active, recreate },
      });
    } catch (error) {
      if (error instanceof StreamVersionConflictError && expected?.from === 'read') throw new OutdatedRead();
      throw translate(error, expected?.version);
    }
    if (input.siteName !== undefined && site) await this.queries.noteSiteNameSent(caller.tenantId, userId, input.siteName, { siteId: site.siteId, currentName: site.siteName });
    return this.read(caller, userId, recreate);
  }

  private async site(tenantId: string, name: string): Promise<SiteRef> {
    const site = await this.queries.siteNamed(tenantId, name);
    if (!site) throw ScimError.invalidValue(`site "${name}" is not a site of this company (the value must equal a site's name exactly)`);
    return { siteId: site.siteId, siteName: site.currentName };
  }

  private async row(caller: ScimCaller, userId: string): Promise<ScimUserRow> {
    const row = await this.queries.user(caller.tenantId, userId, caller.retrieval);
    if (!row) throw ScimError.notFound(`no user with id ${userId}`);
    return row;
  }

  private async read(caller: ScimCaller, userId: string, includeHidden = false): Promise<ScimUserResult> {
    const row = includeHidden ? await this.queries.user(caller.tenantId, userId, 'all') : await this.row(caller, userId);
    if (!row) throw ScimError.notFound(`no user with id ${userId}`);
    return { resource: toScimUser(row, caller.baseUrl), version: row.version };
  }
}

const PATCH_ATTEMPTS = 10;

/** The user changed between the read a write was computed from and the write. */
class OutdatedRead extends Error {}

/** Writers kept beating this one to the user: a 503, which IdPs retry after Retry-After. */
/** `remove urn:…:8x8:1.1:User`, or a replace of it with nothing: the extension that holds the site, gone whole. */
function removesSiteExtension(operation: NormalizedPatchOp): boolean {
  const whole = resolvePath(userPatchResourceType, operation.path).wholeExtension;
  if (!whole?.attributes.some((attribute) => attribute.name === 'site')) return false;
  return operation.op === 'remove' || operation.value === undefined || operation.value === null || operation.value === '';
}

function busy(): ScimError {
  return new ScimError(503, undefined, 'the user is being changed by other requests at this moment; retry');
}

/** Domain and store errors in SCIM terms; `ifMatch`: the version the client required, if it did. */
export function translate(error: unknown, ifMatch?: number): unknown {
  if (error instanceof UserRuleViolation) {
    switch (error.code) {
      case 'site-locked':
        return ScimError.mutability(error.message);
      case 'user-not-found':
        return ScimError.notFound(error.message);
      case 'user-exists':
        return ScimError.uniqueness(error.message);
      default:
        return ScimError.invalidValue(error.message);
    }
  }
  if (error instanceof ReservationConflictError && error.scope === 'username') return ScimError.uniqueness(`userName "${error.key}" is already taken`);
  if (error instanceof StreamVersionConflictError) {
    return ifMatch === undefined ? busy() : new ScimError(412, undefined, 'the resource changed since the version given in If-Match');
  }
  return error;
}
