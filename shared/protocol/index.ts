// The wire protocol: every schema, type and code a client or server part needs.
export * from './fields.ts';
export * from './messages.ts';
export * from './license-detail.ts';
export * from './actions.ts';
export * from './errors.ts';
export * from './close-codes.ts';
export * from './usage.ts';
