// Which address a connection comes from, for the per-address limits. Behind a balancer every
// connection comes from the balancer, so with TRUST_PROXY the address is the last entry of
// X-Forwarded-For — the one our balancer appended; entries before it are the client's own claims.

export function clientAddress(remote: string, forwardedFor: string, trustProxy: boolean): string {
  if (trustProxy && forwardedFor) {
    const last = forwardedFor.slice(forwardedFor.lastIndexOf(',') + 1).trim();
    if (last) return last.slice(0, 64);
  }
  return remote;
}
