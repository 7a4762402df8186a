import type { ConfigVariable } from '@identity/platform-service';

export const PLATFORM_READINESS_URLS: ConfigVariable = {
  name: 'PLATFORM_READINESS_URLS',
  kind: 'list',
  description:
    'The services whose readiness makes the platform’s, as name=url pairs of their /health/ready (user-directory=http://user-directory/health/ready,...). The console then answers the platform’s readiness at /health/platform, where the Ingress sends the public /health/ready.',
};
