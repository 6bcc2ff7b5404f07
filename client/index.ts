// @licmon/client's public surface. Everything else in client/ is internal.
export { LicmonClient } from './licmon-client.ts';
export type { ClosedBecause, ConnectionState, LicmonClientEvents, LicmonClientOptions, StateChange } from './licmon-client.ts';
export { ENDPOINT_NAMES, endpointUrl } from './socket.ts';
export type { AuthMethod, EndpointName, WebSocketConstructor, WebSocketLike } from './socket.ts';
export { parseMessageId, type ParsedId } from './resume-tracker.ts';
export { RECONNECT_DEFAULTS } from './backoff.ts';
export { fetchUsage, usageUrl, UsageRequestError, type FetchUsageOptions } from './fetch-usage.ts';
export { CLOSE_CODES, CloseCode, ErrorCode, closeCodeEntry, shouldReconnect } from './protocol.ts';
export type {
  AlertMessage, CloseCodeEntry, ErrorMessage, FeatureDetail, Filter, Level, LogMessage, MetricsMessage,
  PollDetail, ServerCounts, ServerHost, ServerMessage, StreamKind, VendorDaemon,
  Holder, ReservationDetail, UsageBucket, UsagePeak, UsageResponse, UsageSeries, UsageSummary,
} from './protocol.ts';
