export { userDirectoryService } from './user-directory.service';
