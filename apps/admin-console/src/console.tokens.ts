export const CONSOLE_BUNDLE = Symbol('CONSOLE_BUNDLE');
