import express from 'express';
import { EVENT_STORE_MIGRATIONS } from '@identity/platform-event-store';
import { MAX_CERTIFICATE_UPLOAD_BYTES, SAML_LIMITS } from '@identity/platform-saml';
import { formBodyParser, PLATFORM_ADMIN_TOKEN, ProblemError, type ServiceDefinition } from '@identity/platform-service';
import { asProblem, SSO_CONFIG } from '@identity/sso-application';
import { SSO_MIGRATIONS, loginAccountsProjection, ssoConfigurationsProjection, ssoTenantAccessProjection } from '@identity/sso-data-access';
import { SamlAuthModule } from './saml-auth.module';
import { renderSignInError } from './sign-in/html-pages';

/** Paths a browser reaches during sign-in and sign-out, in any case as routes match them: their errors are pages, not JSON. */
const SIGN_IN_PAGES = /^\/(saml2(\/|$)|sso\/(login|logout|signed-in|signed-out)(\/|$))/i;

export const samlAuthService: ServiceDefinition = {
  name: 'saml-auth',
  config: [PLATFORM_ADMIN_TOKEN, ...SSO_CONFIG],
  module: SamlAuthModule,
  migrations: [...EVENT_STORE_MIGRATIONS, ...SSO_MIGRATIONS],
  projections: [loginAccountsProjection, ssoTenantAccessProjection],
  inlineOnlyProjections: [ssoConfigurationsProjection],
  publicPrefixes: ['/saml2', '/sso', '/api/v1/tenants/*/sso', '/api/docs/sso'],
  openApi: {
    path: 'api/docs/sso',
    title: 'Identity platform: SAML single sign-on',
    description: 'Per-company SSO configuration (Azure AD or any SAML 2.0 IdP), signing certificates with rollover, sessions and their access tokens.',
  },
  runsRelay: false,
  bodyParsers: [
    // A SAMLResponse is a few kilobytes; the form is capped well below the platform-wide body limit.
    // Forms only: a JSON body would otherwise be read under the platform-wide limit.
    { path: '/saml2', parser: formBodyParser(SAML_LIMITS.maxEncodedBytes + 4096, 'refused', 'refused') },
    // The sign-in page's form (which answers a NUL with the form and its message).
    { path: '/sso/login', parser: formBodyParser(16 * 1024, 'answered-by-the-route', 'refused') },
    // Signing out and taking a token need no body: one a client sends anyway is read under a small cap and dropped, never refused.
    ...['/sso/logout', '/sso/token'].map((path) => ({ path, parser: formBodyParser(16 * 1024, 'answered-by-the-route', 'ignored') })),
    // RFC 7662 introspection: a form, or JSON (the platform's admin APIs send JSON).
    { path: '/sso/introspect', parser: formBodyParser(16 * 1024) },
    // Certificate files arrive as downloaded (PEM, or the wrong DER/PFX/XML that deserves a clear refusal).
    { path: '/api/v1/tenants/:tenantId/sso/certificates', parser: express.raw({ type: () => true, limit: MAX_CERTIFICATE_UPLOAD_BYTES }) },
  ],
  errorMappers: [
    (error) => {
      const problem = asProblem(error);
      return problem instanceof ProblemError ? problem.problem : undefined;
    },
  ],
  errorRenderers: [{ owns: (path) => SIGN_IN_PAGES.test(path), render: renderSignInError }],
};
