import 'reflect-metadata';
import { runServiceProcess } from '@identity/platform-service';
import { licensingService } from './licensing.service';

void runServiceProcess(licensingService);
