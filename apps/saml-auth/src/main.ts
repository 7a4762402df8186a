import 'reflect-metadata';
import { runServiceProcess } from '@identity/platform-service';
import { samlAuthService } from './saml-auth.service';

void runServiceProcess(samlAuthService);
