import { safeRelayPath } from './relay-state';

describe('safeRelayPath', () => {
  const fallback = '/sso/signed-in';

  it.each([
    ['/console/users?tab=all#top', '/console/users?tab=all#top'],
    ['/', '/'],
    ['/a/../b', '/b'],
  ])('keeps our own path %s', (value, expected) => {
    expect(safeRelayPath(value, fallback)).toBe(expected);
  });

  it.each([
    'https://evil.example/phish',
    '//evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    '/%0d%0aLocation:%20https://evil.example'.replace('%0d%0a', '\r\n'),
    'javascript:alert(1)',
    '/.//evil.example',
    '/%2e//evil.example',
    '/a/..//evil.example',
    '/./%2E//evil.example/x',
    'evil.example/path',
    ' /leading-space',
    '/\t/evil.example',
    '',
    'x'.repeat(2000),
  ])('refuses %j and falls back', (value) => {
    expect(safeRelayPath(value, fallback)).toBe(fallback);
  });

  it('falls back for anything but a string', () => {
    expect(safeRelayPath(['/a'], fallback)).toBe(fallback);
    expect(safeRelayPath(undefined, fallback)).toBe(fallback);
  });
});
