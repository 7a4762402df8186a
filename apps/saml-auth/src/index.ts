export { samlAuthService } from './saml-auth.service';
