export { adminConsoleService } from './admin-console.service';
