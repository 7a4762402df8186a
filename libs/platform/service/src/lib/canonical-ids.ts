const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The platform's ids (companies, users, sites, groups, jobs) are UUIDs, which we write in lower
 * case. One sent in upper case, or percent-encoded, names the same thing and must build the same
 * keys (a license's stream, a site's name, an extension, a number are unique by key) and events,
 * so every path segment that is a UUID is rewritten to lower case before any route reads it, under
 * whatever prefix: routes match paths in any case.
 */
export function canonicalIds(url: string): string {
  const queryAt = url.indexOf('?');
  const path = queryAt === -1 ? url : url.slice(0, queryAt);
  if (!/[A-F%]/.test(path)) return url;
  const segments = path.split('/').map((segment) => {
    if (!/[A-F%]/.test(segment)) return segment;
    let decoded = segment;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return segment;
    }
    return UUID.test(decoded) ? decoded.toLowerCase() : segment;
  });
  return segments.join('/') + (queryAt === -1 ? '' : url.slice(queryAt));
}
