export * from './lib/message-bus.port';
export * from './lib/in-process-message-bus';
export * from './lib/kafka-message-bus';
