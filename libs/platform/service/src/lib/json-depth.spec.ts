import { MAX_JSON_DEPTH, refuseDeepJson } from './json-depth';

const check = (json: string) => () => refuseDeepJson(undefined, undefined, Buffer.from(json));

describe('refuseDeepJson', () => {
  it('takes bodies up to the limit, and brackets inside strings (escaped quotes too) do not count', () => {
    expect(check(`{"a":${'['.repeat(MAX_JSON_DEPTH - 1)}1${']'.repeat(MAX_JSON_DEPTH - 1)}}`)).not.toThrow();
    expect(check(`{"a":"${'['.repeat(5000)}","b":"\\"${'{'.repeat(5000)}"}`)).not.toThrow();
    expect(check(`[${'[1],'.repeat(5000)}[1]]`)).not.toThrow();
  });

  it('reads UTF-8 only, where brackets are the bytes it counts', () => {
    const deep = Buffer.from(`{"a":${'['.repeat(1400)}1${']'.repeat(1400)}}`);
    for (const charset of ['utf-7', 'utf-16le', 'UTF-16']) expect(() => refuseDeepJson(undefined, undefined, deep, charset)).toThrow('send JSON as UTF-8');
    expect(() => refuseDeepJson(undefined, undefined, Buffer.from('{"a":1}'), 'UTF-8')).not.toThrow();
  });

  it('refuses a body that nests deeper', () => {
    expect(check(`{"name":"x","extra":${'['.repeat(1400)}1${']'.repeat(1400)}}`)).toThrow(`deeper than ${MAX_JSON_DEPTH} levels`);
    expect(check(`{"a":${'['.repeat(MAX_JSON_DEPTH)}1${']'.repeat(MAX_JSON_DEPTH)}}`)).toThrow();
  });
});
