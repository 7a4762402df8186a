// Integration specs start real services and wait on Kafka consumer groups: give them time.
jest.setTimeout(120_000);
