// Where a client's API key comes from: `?api_key=` or the sub-protocol pair ['api_key', KEY].
// In the second form the handshake must answer `Sec-WebSocket-Protocol: api_key` — browsers fail
// a handshake whose answer is not one they offered — and never echo the key.

export const API_KEY_PROTOCOL = 'api_key';

export interface Credentials {
  readonly key: string | undefined;
  /** The sub-protocol to select in the handshake ('' for none). */
  readonly protocol: string;
}

export function readCredentials(queryKey: string | undefined, protocolHeader: string): Credentials {
  let protocolKey: string | undefined;
  let protocol = '';
  if (protocolHeader) {
    const offered = protocolHeader.split(',').map((p) => p.trim());
    const at = offered.indexOf(API_KEY_PROTOCOL);
    if (at >= 0) {
      protocol = API_KEY_PROTOCOL;
      protocolKey = offered[at + 1] || undefined;
    }
  }
  return { key: queryKey || protocolKey, protocol };
}
