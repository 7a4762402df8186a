import type { ConfigVariable, ServiceConfig } from '@identity/platform-service';
import type { ServiceProvider } from '@identity/platform-saml';

export const SSO_CONFIG: readonly ConfigVariable[] = [
  { name: 'SSO_SESSION_TTL_SECONDS', kind: 'int', default: '28800', min: 60, max: 604800, description: 'How long a sign-in session lasts (deactivating the user ends it at once).' },
  {
    name: 'SSO_SESSION_IDLE_TIMEOUT_SECONDS',
    kind: 'int',
    default: '3600',
    min: 300,
    max: 604800,
    description:
      'A session nobody uses for this long ends (signed out), even before SSO_SESSION_TTL_SECONDS: issuing an access token for it (`POST /sso/token`) is a use. Set it to SSO_SESSION_TTL_SECONDS or more for no idle timeout.',
  },
  {
    name: 'SSO_CONSOLE_ADMIN_TTL_SECONDS',
    kind: 'int',
    default: '3600',
    min: 60,
    max: 604800,
    description:
      'How long after signing in an SSO session may act as a console admin. Azure AD tells roles only at sign-in, so taking the admin app role away takes effect by then (deactivating the user, at once); the console then signs the admin in again, which reads the roles anew. Set it to SSO_SESSION_TTL_SECONDS for as long as the session.',
  },
  { name: 'SSO_ACCESS_TOKEN_TTL_SECONDS', kind: 'int', default: '300', min: 30, max: 3600, description: 'Lifetime of the signed access tokens (JWT) issued to a session.' },
  {
    name: 'SSO_RATE_LIMIT_PER_SECOND',
    kind: 'int',
    default: '50',
    min: 1,
    max: 100000,
    description:
      'Sign-in and sign-out requests per second each client address (an IPv6 /64) may send to one saml-auth instance, in bursts of five times that; above it, 429 with Retry-After. A sign-in is three or four requests, and a company’s employees may share one NAT address. Behind an Ingress, set HTTP_TRUSTED_PROXY_HOPS so that the address is the client’s.',
  },
  {
    name: 'SSO_ALLOW_HTTP_LOOPBACK',
    kind: 'bool',
    default: 'false',
    description: 'Accept http://localhost IdP sign-in and sign-out URLs (development against a local IdP); https is required otherwise.',
  },
  {
    name: 'SSO_SIGNING_KEY_PASSPHRASE',
    kind: 'string',
    secret: true,
    min: 16,
    description:
      'Encrypts the private keys that sign access tokens where they are stored in PostgreSQL (PKCS#8, AES-256), so that a copy of the database cannot sign tokens; without it they are stored in the clear. Every saml-auth pod needs the same one; after a change, the keys it cannot open are left unused and a new one signs.',
  },
];

/** Entity ID and reply (ACS) URL are one URL for every company: `{PUBLIC_BASE_URL}/saml2`. */
export function serviceProviderOf(config: ServiceConfig): ServiceProvider & { baseUrl: string } {
  const baseUrl = config.string('PUBLIC_BASE_URL').replace(/\/+$/, '');
  return { baseUrl, entityId: `${baseUrl}/saml2`, acsUrl: `${baseUrl}/saml2` };
}
