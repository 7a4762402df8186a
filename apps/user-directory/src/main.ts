import 'reflect-metadata';
import { runServiceProcess } from '@identity/platform-service';
import { userDirectoryService } from './user-directory.service';

void runServiceProcess(userDirectoryService);
