/**
 * The console's one page. Nothing inline: the script and the stylesheet are files of the same
 * origin, so the Content-Security-Policy needs neither 'unsafe-inline' nor nonces.
 */
export function consolePage(version: string): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<title>Admin console · Identity platform</title>',
    // No favicon request to answer with a 404.
    '<link rel="icon" href="data:,">',
    `<link rel="stylesheet" href="/console/console.css?v=${version}">`,
    `<script defer src="/console/console.js?v=${version}"></script>`,
    '</head>',
    '<body>',
    '<div id="app"><noscript>The admin console needs JavaScript.</noscript></div>',
    '</body>',
    '</html>',
  ].join('\n');
}

/**
 * Same-origin everything, no inline script or style, no framing. `connect-src 'self'` keeps the
 * admin token from being sent anywhere but the platform's own APIs.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const CONSOLE_HEADERS: Record<string, string> = {
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
};
