export * from './lib/certificate-upload';
export * from './lib/relay-state';
export * from './lib/saml-message';
export * from './lib/service-provider';
