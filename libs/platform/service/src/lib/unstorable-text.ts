/**
 * PostgreSQL's text and jsonb take neither a NUL character nor half of a UTF-16 surrogate pair.
 * Request bodies holding either are refused while they are parsed (400), so they never reach a
 * statement and fail there as a 500.
 */
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export const UNSTORABLE_TEXT = 'entity.unstorable';

export class UnstorableText extends Error {
  constructor(message = 'a string in the request body holds a NUL character or half of a surrogate pair') {
    super(message);
  }
}
// On the prototype: body-parser strips the own properties of an error thrown while parsing, and reads `type`.
(UnstorableText.prototype as { type?: string }).type = UNSTORABLE_TEXT;

export function hasUnstorableText(value: string): boolean {
  return UNSTORABLE.test(value);
}

/** For text we must store whatever it holds (the provisioning log's error details): the unstorable characters become U+FFFD. */
export function storableText(value: string): string {
  return value.replace(new RegExp(UNSTORABLE.source, 'g'), '\ufffd');
}

/** A JSON.parse reviver: sees every key and string of the body. */
export function refuseUnstorableText(key: string, value: unknown): unknown {
  if (hasUnstorableText(key) || (typeof value === 'string' && hasUnstorableText(value))) throw new UnstorableText();
  return value;
}

/** Middleware: a `%00` anywhere in the path or query would reach a statement as a NUL. */
export function refuseNulInUrl(request: { url: string }, _response: unknown, next: (error?: unknown) => void): void {
  next(/%00/i.test(request.url) ? new UnstorableText('the URL holds a NUL character (%00)') : undefined);
}

/** A body in a character set we do not read; body-parser's own type for it, which answers 415. */
export class UnsupportedCharset extends Error {}
(UnsupportedCharset.prototype as { type?: string }).type = 'charset.unsupported';

/**
 * Charsets whose bytes decode to no unstorable character but NUL, which the byte check finds. Others
 * could smuggle one in (UTF-7 spells NUL `+AAA-`), so they are refused rather than decoded.
 */
const CHECKABLE_CHARSETS = new Set(['utf-8', 'utf8', 'us-ascii', 'ascii', 'iso-8859-1', 'latin1', 'windows-1252']);

/** A body-parser `verify` for text bodies (CSV): a NUL byte is the only unstorable text in the charsets read. */
export function refuseNulBytes(_request: unknown, _response: unknown, body: Buffer, charset: string): void {
  if (!CHECKABLE_CHARSETS.has(charset.toLowerCase())) throw new UnsupportedCharset(`charset ${charset} is not accepted: send UTF-8`);
  if (body.includes(0)) throw new UnstorableText();
}

/** A body-parser `verify` for form bodies: `%00`, or a raw NUL byte, would decode to a NUL. */
export function refuseNulInForm(_request: unknown, _response: unknown, body: Buffer): void {
  if (body.includes(0) || /%00/i.test(body.toString('latin1'))) throw new UnstorableText('the form holds a NUL character (%00)');
}
