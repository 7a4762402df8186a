export { adminConsoleService } from './admin-console.service';
export { PlatformHealthController } from './platform-health.controller';
