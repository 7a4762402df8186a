import { randomUUID } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { escapeXml } from './azure-ad-test-idp';

/**
 * Hostile variants of a signed response from azureResponseXml, one per case of our SAML attack
 * list (XSW numbering after Somorovsky et al., "On Breaking SAML", and SAML Raider). They edit
 * the serialized string, not a DOM, so that the signed element keeps its exact bytes: a DOM
 * round trip would re-escape text and re-order namespace declarations, and the point of a
 * wrapping attack is a signature that is still valid for the element it covers.
 *
 * "Signed with the attacker's key" is azureResponseXml with other createIdpKeys() keys.
 */

export interface WrapOptions {
  /** give the forged assertion the signed one's ID (the XSW-dup variants) */
  sameId?: boolean;
}

interface Span {
  start: number;
  end: number;
  text: string;
}

/** The first element with this local name (any prefix) from `from` on, nested ones included. */
function findElement(xml: string, localName: string, from = 0): Span {
  const tags = new RegExp(`<(/?)(?:[\\w.-]+:)?${localName}(?=[\\s/>])[^>]*?(/?)>`, 'g');
  tags.lastIndex = from;
  let depth = 0;
  let start = -1;
  for (let tag = tags.exec(xml); tag; tag = tags.exec(xml)) {
    const [text, closing, selfClosing] = tag;
    if (start < 0) {
      if (closing) continue;
      start = tag.index;
      if (selfClosing) return { start, end: tag.index + text.length, text };
      depth = 1;
    } else if (closing) depth -= 1;
    else if (!selfClosing) depth += 1;
    if (depth === 0) return { start, end: tag.index + text.length, text: xml.slice(start, tag.index + text.length) };
  }
  throw new Error(`no complete <${localName}> element in the document`);
}

function replaceSpan(xml: string, span: Span, replacement: string): string {
  return xml.slice(0, span.start) + replacement + xml.slice(span.end);
}

function idOf(element: string): string {
  const id = /^<[^>]*?\sID="([^"]*)"/.exec(element)?.[1];
  if (id === undefined) throw new Error('element has no ID attribute');
  return id;
}

function withId(element: string, id: string): string {
  return element.replace(/^(<[^>]*?\sID=")[^"]*"/, (_match, head: string) => `${head}${id}"`);
}

function nameIdText(xml: string): { span: Span; open: string; text: string; close: string } {
  const span = findElement(xml, 'NameID');
  const open = span.text.slice(0, span.text.indexOf('>') + 1);
  const close = span.text.slice(span.text.lastIndexOf('</'));
  return { span, open, text: span.text.slice(open.length, span.text.length - close.length), close };
}

function withNameIdText(xml: string, rawText: string): string {
  const { span, open, close } = nameIdText(xml);
  return replaceSpan(xml, span, `${open}${rawText}${close}`);
}

function withoutSignature(assertion: string): string {
  return replaceSpan(assertion, findElement(assertion, 'Signature'), '');
}

/** Inserts `child` as the last child of the element that `element` holds. */
function appendChild(element: string, child: string): string {
  const closeAt = element.lastIndexOf('</');
  return element.slice(0, closeAt) + child + element.slice(closeAt);
}

function signedAssertion(xml: string): Span {
  return findElement(xml, 'Assertion');
}

/** A copy of the signed assertion with the attacker's NameID, no Signature, and a new (or the same) ID. */
function forge(original: string, evilNameId: string, options: WrapOptions): string {
  return withNameIdText(withId(withoutSignature(original), options.sameId ? idOf(original) : `_${randomUUID()}`), escapeXml(evilNameId));
}

/** XSW3: an unsigned forged assertion inserted before the untouched signed one. */
export function xswPrependEvilAssertion(xml: string, evilNameId: string, options: WrapOptions = {}): string {
  const original = signedAssertion(xml);
  return replaceSpan(xml, original, forge(original.text, evilNameId, options) + original.text);
}

/** XSW4: the forged assertion takes the signed one's place and holds it as its last child. */
export function xswEvilWrapsSigned(xml: string, evilNameId: string, options: WrapOptions = {}): string {
  const original = signedAssertion(xml);
  return replaceSpan(xml, original, appendChild(forge(original.text, evilNameId, options), original.text));
}

/**
 * XSW5: the assertion in place gets the attacker's NameID and a new ID but keeps its Signature,
 * whose Reference now resolves to an untouched copy of the original appended to the Response.
 */
export function xswAppendOriginalCopy(xml: string, evilNameId: string, options: WrapOptions = {}): string {
  const original = signedAssertion(xml);
  const evil = withNameIdText(options.sameId ? original.text : withId(original.text, `_${randomUUID()}`), escapeXml(evilNameId));
  return appendChild(replaceSpan(xml, original, evil), original.text);
}

/** XSW6: a forged assertion (new ID, copied Signature) with the untouched original inside that Signature. */
export function xswOriginalInsideEvilSignature(xml: string, evilNameId: string, options: WrapOptions = {}): string {
  const original = signedAssertion(xml);
  const evil = withNameIdText(options.sameId ? original.text : withId(original.text, `_${randomUUID()}`), escapeXml(evilNameId));
  const evilSignature = findElement(evil, 'Signature');
  return replaceSpan(xml, original, replaceSpan(evil, evilSignature, appendChild(evilSignature.text, original.text)));
}

/** XSW7: the untouched original moves into samlp:Extensions; an unsigned forged assertion is the Response's child. */
export function xswSignedInExtensions(xml: string, evilNameId: string, options: WrapOptions = {}): string {
  const original = signedAssertion(xml);
  const forged = replaceSpan(xml, original, forge(original.text, evilNameId, options));
  const status = findElement(forged, 'Status');
  const prefix = /^<([\w.-]+:)?Status/.exec(status.text)?.[1] ?? '';
  return forged.slice(0, status.start) + `<${prefix}Extensions>${original.text}</${prefix}Extensions>` + forged.slice(status.start);
}

/** A copy of the signed Response with a new ID and the attacker's NameID (its signature no longer matches it). */
function forgedResponse(original: string, evilNameId: string): string {
  return withNameIdText(withId(original, `_${randomUUID()}`), escapeXml(evilNameId));
}

/** XSW1 (a signed Response): a forged Response holds the untouched signed original inside its copied Signature. */
export function xswResponseInsideSignature(xml: string, evilNameId: string): string {
  const original = findElement(xml, 'Response');
  const evil = forgedResponse(original.text, evilNameId);
  const signature = findElement(evil, 'Signature');
  return replaceSpan(xml, original, replaceSpan(evil, signature, appendChild(signature.text, original.text)));
}

/** XSW2 (a signed Response): the untouched signed original sits just before the forged Response's Signature. */
export function xswResponseBeforeSignature(xml: string, evilNameId: string): string {
  const original = findElement(xml, 'Response');
  const evil = forgedResponse(original.text, evilNameId);
  const signature = findElement(evil, 'Signature');
  return replaceSpan(xml, original, evil.slice(0, signature.start) + original.text + evil.slice(signature.start));
}

/**
 * XSW8: an unsigned forged assertion inside a ds:Object appended to the signed assertion's
 * Signature. The signature stays valid (the enveloped-signature transform drops the whole
 * Signature), but the signed assertion's bytes change.
 */
export function xswEvilInsideSignatureObject(xml: string, evilNameId: string, options: WrapOptions = {}): string {
  const original = signedAssertion(xml);
  const signature = findElement(xml, 'Signature', original.start);
  const prefix = /^<([\w.-]+:)?Signature/.exec(signature.text)?.[1] ?? '';
  return replaceSpan(xml, signature, appendChild(signature.text, `<${prefix}Object>${forge(original.text, evilNameId, options)}</${prefix}Object>`));
}

/** Content tampering after signing: the signature no longer matches. */
export function tamperNameId(xml: string, newNameId: string): string {
  return withNameIdText(xml, escapeXml(newNameId));
}

/**
 * Inserts `<!---->` at character `at` of the NameID's serialized text. Comments are not signed,
 * so the signature stays valid, while a reader taking only the first text node sees a prefix:
 * sign `admin@contoso.com.evil.example`, insert at 17, and a naive SP reads `admin@contoso.com`.
 */
export function commentInNameId(xml: string, at: number): string {
  return insertIntoNameId(xml, at, '<!---->');
}

/** Processing instructions, unlike comments, are part of the canonical form: the signature breaks. */
export function withProcessingInstructionInNameId(xml: string, at?: number): string {
  return insertIntoNameId(xml, at, '<?x ?>');
}

function insertIntoNameId(xml: string, at: number | undefined, insert: string): string {
  const { text } = nameIdText(xml);
  const position = at ?? Math.floor(text.length / 2);
  if (!Number.isInteger(position) || position <= 0 || position >= text.length) throw new RangeError(`position ${position} is not inside the NameID text (${text.length} characters)`);
  return withNameIdText(xml, text.slice(0, position) + insert + text.slice(position));
}

export function stripAssertionSignature(xml: string): string {
  const original = signedAssertion(xml);
  return replaceSpan(xml, original, withoutSignature(original.text));
}

function responseStart(xml: string): Span {
  const match = /<(?:[\w.-]+:)?Response(?=[\s>])[^>]*>/.exec(xml);
  if (!match) throw new Error('no Response element in the document');
  return { start: match.index, end: match.index + match[0].length, text: match[0] };
}

/** Sets (or adds) an attribute of the Response element, which Entra leaves unsigned by default. */
export function setResponseAttribute(xml: string, name: string, value: string): string {
  const tag = responseStart(xml);
  const existing = new RegExp(`\\s${name}="[^"]*"`);
  const attribute = ` ${name}="${escapeXml(value)}"`;
  const updated = existing.test(tag.text) ? tag.text.replace(existing, () => attribute) : tag.text.replace(/>$/, () => `${attribute}>`);
  return replaceSpan(xml, tag, updated);
}

export function removeResponseAttribute(xml: string, name: string): string {
  const tag = responseStart(xml);
  return replaceSpan(xml, tag, tag.text.replace(new RegExp(`\\s${name}="[^"]*"`), ''));
}

function rootName(xml: string): string {
  return responseStart(xml).text.slice(1).split(/[\s>]/)[0];
}

/** A DOCTYPE declaring an external entity for /etc/passwd, which becomes the NameID. */
export function withDoctypeXxe(xml: string): string {
  return `<!DOCTYPE ${rootName(xml)} [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>` + withNameIdText(xml, '&xxe;');
}

/** "Billion laughs": `levels` nested internal entities, each ten of the one below, used in the NameID. */
export function withEntityExpansion(xml: string, levels = 9): string {
  const entities = ['<!ENTITY lol0 "lol">'];
  for (let level = 1; level <= levels; level += 1) entities.push(`<!ENTITY lol${level} "${`&lol${level - 1};`.repeat(10)}">`);
  return `<!DOCTYPE ${rootName(xml)} [${entities.join('')}]>` + withNameIdText(xml, `&lol${levels};`);
}

/** Appends `bytes` characters to the first AttributeValue, for body-size limits. */
export function padAttributeValue(xml: string, bytes: number): string {
  const value = findElement(xml, 'AttributeValue');
  return replaceSpan(xml, value, appendChild(value.text, 'A'.repeat(bytes)));
}

/**
 * base64 of raw DEFLATE of `inflatedBytes` 'A's, the HTTP-Redirect encoding of SAMLRequest and
 * SAMLResponse. Needs `inflatedBytes` of memory while it runs; 200 MB deflates to about 200 kB.
 */
export function deflateBomb(inflatedBytes: number): string {
  return deflateRawSync(Buffer.alloc(inflatedBytes, 'A'), { level: 9 }).toString('base64');
}
