export { eventRelayService } from './event-relay.service';
