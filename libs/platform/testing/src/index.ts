export * from './lib/decider-spec';
export * from './lib/harness';
export * from './lib/kafka-collector';
export * from './lib/processes';
export * from './lib/saml/azure-ad-test-idp';
export * from './lib/saml/saml-attacks';
export * from './lib/integration-events';
export * from './lib/hang-guard';
