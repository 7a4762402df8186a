import 'reflect-metadata';
import { runServiceProcess } from '@identity/platform-service';
import { adminConsoleService } from './admin-console.service';

void runServiceProcess(adminConsoleService);
