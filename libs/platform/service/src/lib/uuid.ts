const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids in URLs and bodies are checked before they reach a uuid column, where anything else is a PostgreSQL error. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
