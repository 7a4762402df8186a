import { createHash } from 'node:crypto';
import { Client, type ClientConfig } from 'pg';

/**
 * Statements one connection keeps prepared. The hot statements (the event store's, the
 * projections', the look-ups of every request) come first and stay; SQL built per request (a SCIM
 * filter's shape) beyond this goes unnamed, so neither side's memory grows without bound.
 */
export const PREPARED_STATEMENTS_PER_CONNECTION = 200;
/**
 * Marks a statement to be planned for its values at every call, never prepared: a search whose
 * best plan depends on what is searched (a rare name: the trigram index; a common one: the name
 * order) would otherwise end on PostgreSQL's generic plan, good for neither.
 */
export const PLANNED_PER_CALL = '/* planned per call */';

/** Distinct statement texts this process names at all. */
const NAMED_TEXTS_LIMIT = 2_000;
const names = new Map<string, string>();

function nameOf(text: string): string | undefined {
  let name = names.get(text);
  if (name === undefined && names.size < NAMED_TEXTS_LIMIT) {
    name = `ip_${createHash('sha256').update(text).digest('base64url').slice(0, 32)}`;
    names.set(text, name);
  }
  return name;
}

/**
 * A pg client that prepares each parameterised statement once per connection. node-postgres sends
 * a parameterised query unnamed, so PostgreSQL parses and plans it on every call, and for our short
 * statements that costs more server CPU than running them (ADR 0007). Statements without
 * parameters keep the simple protocol, which also allows several statements in one text.
 *
 * Off for the embedded database: PGlite serves every connection from one session, where one
 * connection's prepared name would collide with another's.
 */
export class PreparingClient extends Client {
  constructor(config?: string | ClientConfig) {
    super(config);
    const unnamed = this.query.bind(this) as (...args: unknown[]) => unknown;
    this.query = ((config: unknown, values?: unknown, callback?: unknown) => {
      if (typeof config === 'string' && Array.isArray(values) && values.length > 0 && !config.startsWith(PLANNED_PER_CALL)) {
        const name = nameOf(config);
        if (name !== undefined && this.mayPrepare(name)) {
          return callback === undefined ? unnamed({ name, text: config, values }) : unnamed({ name, text: config, values }, callback);
        }
      }
      return unnamed(config, values, callback);
    }) as Client['query'];
  }

  /** Asks node-postgres, which knows what the server parsed: a statement that failed to parse is not kept. */
  private mayPrepare(name: string): boolean {
    const { parsedStatements, submittedNamedStatements } = (this as unknown as { connection: PreparedOnConnection }).connection;
    if (parsedStatements[name] !== undefined || submittedNamedStatements[name] !== undefined) return true;
    return Object.keys(parsedStatements).length + Object.keys(submittedNamedStatements).length < PREPARED_STATEMENTS_PER_CONNECTION;
  }
}

/** node-postgres's record of the named statements on one connection. */
interface PreparedOnConnection {
  parsedStatements: Record<string, string>;
  submittedNamedStatements: Record<string, string>;
}
