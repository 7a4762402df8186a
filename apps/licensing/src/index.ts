export { licensingService } from './licensing.service';
