import 'reflect-metadata';
import { runServiceProcess } from '@identity/platform-service';
import { eventRelayService } from './event-relay.service';

void runServiceProcess(eventRelayService);
