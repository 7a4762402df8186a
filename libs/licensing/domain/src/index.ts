export * from './lib/licensing.errors';
export * from './lib/license.decide';
export * from './lib/subscription.decide';
export * from './lib/telephony/telephony.errors';
export * from './lib/telephony/telephony-settings.decide';
export * from './lib/telephony/telephony-profile.decide';
