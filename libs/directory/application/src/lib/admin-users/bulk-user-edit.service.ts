import { Inject, Injectable } from '@nestjs/common';
import { SiteQueries, UserQueries } from '@identity/directory-data-access';
import { CsvFormatError, parseCsv } from '@identity/platform-csv';
import { ProblemError } from '@identity/platform-service';
import { AdminInputError, PROFILE_FIELD_MAX_LENGTH, PROFILE_FIELDS, type AdminUserEdit } from './admin-user.input';
import { AdminUsersService, type PreviewedUser } from './admin-users.service';

export const BULK_EDIT_MAX_ROWS = 10_000;
const BOOLEAN_COLUMNS = ['visibleindirectory', 'active'];
const COLUMNS = new Set(['username', 'site', ...BOOLEAN_COLUMNS, ...PROFILE_FIELDS.map((field) => field.toLowerCase())]);

export interface BulkRowResult {
  line: number;
  userName: string;
  outcome: 'updated' | 'unchanged' | 'would-update' | 'error';
  /** The fields the row changes (or would, in a dry run). */
  changes: string[];
  error?: string;
}

/**
 * Bulk edit by CSV: one row per user (found by username), its cells the new values (empty cells
 * leave a field as it is). Each row is one command, so a row is applied whole or not at all; a
 * dry run reports the same outcomes and stores nothing.
 */
@Injectable()
export class BulkUserEditService {
  constructor(
    private readonly users: AdminUsersService,
    @Inject(UserQueries) private readonly queries: UserQueries,
    @Inject(SiteQueries) private readonly sites: SiteQueries,
  ) {}

  async run(tenantId: string, csv: string, dryRun: boolean, correlationId: string) {
    const table = this.read(csv);
    const results: BulkRowResult[] = [];
    // A dry run stores nothing: a user's later rows are previewed on the user as their earlier rows
    // would have left them, as the real run, which stores each row before the next, finds them.
    const previewed = new Map<string, PreviewedUser>();
    for (const row of table.rows) {
      const userName = row.cells.username ?? '';
      try {
        if (!userName) throw new AdminInputError('userName is empty');
        const user = await this.queries.byUserName(tenantId, userName);
        if (!user) throw new AdminInputError(`no user ${userName} in this company`);
        const edit = await this.edit(tenantId, row.cells);
        const preview = await this.users.preview(tenantId, user.userId, edit, dryRun ? previewed.get(user.userId) : undefined);
        const { version, events } = preview;
        const changes = [...new Set(events.flatMap((event) => (event.type === 'UserAttributesChanged' ? Object.keys(event.data.changes) : [fieldOf(event.type)])))];
        if (events.length === 0) results.push({ line: row.line, userName, outcome: 'unchanged', changes });
        else if (dryRun) {
          previewed.set(user.userId, preview.previewed);
          results.push({ line: row.line, userName, outcome: 'would-update', changes });
        }
        else {
          // Applied only if nothing changed the user since the preview: what is reported is what is stored.
          await this.users.edit(tenantId, user.userId, edit, correlationId, version);
          results.push({ line: row.line, userName, outcome: 'updated', changes });
        }
      } catch (error) {
        results.push({ line: row.line, userName, outcome: 'error', changes: [], error: describe(error) });
      }
    }
    const count = (outcome: BulkRowResult['outcome']) => results.filter((result) => result.outcome === outcome).length;
    return {
      dryRun,
      rows: results.length,
      summary: { updated: count('updated'), wouldUpdate: count('would-update'), unchanged: count('unchanged'), errors: count('error') },
      results,
    };
  }

  private read(csv: string) {
    try {
      const table = parseCsv(csv, { maxRows: BULK_EDIT_MAX_ROWS });
      const unknown = table.headers.filter((header) => !COLUMNS.has(header.toLowerCase()));
      if (unknown.length > 0) throw new CsvFormatError(`unknown columns: ${unknown.join(', ')} (known: userName, site, visibleInDirectory, active, ${PROFILE_FIELDS.join(', ')})`);
      if (!table.headers.some((header) => header.toLowerCase() === 'username')) throw new CsvFormatError('the userName column is required');
      return table;
    } catch (error) {
      if (error instanceof CsvFormatError) throw new ProblemError({ status: 400, title: 'invalid-csv', detail: error.message });
      throw error;
    }
  }

  private async edit(tenantId: string, cells: Record<string, string>): Promise<AdminUserEdit> {
    const edit: AdminUserEdit = { changes: {} };
    for (const field of PROFILE_FIELDS) {
      const value = cells[field.toLowerCase()];
      if (value && value.length > PROFILE_FIELD_MAX_LENGTH[field]) throw new AdminInputError(`${field} is longer than ${PROFILE_FIELD_MAX_LENGTH[field]} characters`, field);
      if (value) (edit.changes as Record<string, string>)[field] = value;
    }
    for (const column of BOOLEAN_COLUMNS) {
      const value = cells[column];
      if (!value) continue;
      if (!/^(true|false)$/i.test(value)) throw new AdminInputError(`${column} must be true or false, not "${value}"`);
      if (column === 'active') edit.active = value.toLowerCase() === 'true';
      else edit.visibleInDirectory = value.toLowerCase() === 'true';
    }
    if (cells.site) {
      const site = await this.sites.named(tenantId, cells.site);
      if (!site) throw new AdminInputError(`no site named "${cells.site}"`);
      edit.siteId = site.siteId;
    }
    return edit;
  }
}

function fieldOf(eventType: string): string {
  return (
    { SiteAssigned: 'site', DirectoryVisibilityChanged: 'visibleInDirectory', UserDeactivated: 'active', UserReactivated: 'active' }[eventType] ?? eventType
  );
}

function describe(error: unknown): string {
  if (error instanceof ProblemError) return String(error.problem.detail ?? error.problem.title);
  if (error instanceof Error && ['AdminInputError', 'UserRuleViolation'].includes(error.name)) return error.message;
  return 'the row could not be applied';
}
