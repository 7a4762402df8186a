import { UnsupportedCharset } from './unstorable-text';

/** No request of ours nests deeper than a few levels; validation recurses per level and overflows the stack at about 1,300. */
export const MAX_JSON_DEPTH = 64;

export const JSON_TOO_DEEP = 'entity.too.deep';

export class JsonTooDeep extends Error {
  constructor() {
    super(`the request body nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels`);
  }
}
// On the prototype: body-parser strips the own properties of an error thrown while parsing, and reads `type`.
(JsonTooDeep.prototype as { type?: string }).type = JSON_TOO_DEEP;

/**
 * A body-parser `verify` for JSON: one pass over the bytes, counting the brackets outside strings.
 * Only UTF-8 is read (RFC 8259 §8.1): in UTF-7 or UTF-16 the brackets are other bytes.
 */
export function refuseDeepJson(_request: unknown, _response: unknown, body: Buffer, charset = 'utf-8'): void {
  if (!/^utf-?8$/i.test(charset)) throw new UnsupportedCharset(`charset ${charset} is not accepted: send JSON as UTF-8`);
  let depth = 0;
  let inString = false;
  for (let index = 0; index < body.length; index++) {
    const byte = body[index];
    if (inString) {
      if (byte === 0x5c) index++; // a backslash escapes the next byte
      else if (byte === 0x22) inString = false;
    } else if (byte === 0x22) inString = true;
    else if (byte === 0x7b || byte === 0x5b) {
      if (++depth > MAX_JSON_DEPTH) throw new JsonTooDeep();
    } else if (byte === 0x7d || byte === 0x5d) depth--;
  }
}
