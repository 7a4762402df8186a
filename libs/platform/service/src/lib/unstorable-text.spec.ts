import { hasUnstorableText, refuseUnstorableText, storableText, UnstorableText } from './unstorable-text';

describe('text PostgreSQL cannot store', () => {
  it('is a NUL or half of a surrogate pair; whole pairs (emoji) and other control characters are fine', () => {
    for (const text of ['a\u0000b', '\ud800', 'x\udc00', '\udc00\ud800']) expect(hasUnstorableText(text)).toBe(true);
    for (const text of ['plain', 'Zoë 😀', '\t\n', '']) expect(hasUnstorableText(text)).toBe(false);
  });

  it('is refused anywhere in a JSON body, in keys too', () => {
    expect(() => JSON.parse('{"a":["ok","\\u0000"]}', refuseUnstorableText)).toThrow(UnstorableText);
    expect(() => JSON.parse('{"\\ud800":1}', refuseUnstorableText)).toThrow(UnstorableText);
    expect(JSON.parse('{"name":"Zoë 😀"}', refuseUnstorableText)).toEqual({ name: 'Zoë 😀' });
  });

  it('becomes U+FFFD where it must be stored anyway (a log line)', () => {
    expect(storableText('a\u0000b\ud800😀')).toBe('a\ufffdb\ufffd😀');
  });
});
