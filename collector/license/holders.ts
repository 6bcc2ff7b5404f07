// Who holds a feature now, who waits for it, and what is reserved: a feature's parsed checkouts,
// queue and reservations → the wire's holder detail (shared/protocol/license-detail.ts). User
// names go through the farm's privacy option (and out of host and display names made of them); lists are bounded (a busy feature of a big farm
// has thousands of checkouts) and the cut is counted, never silent.
import type { FeatureDetail, Holder, QueuedRequestDetail, ReservationDetail } from '../../shared/protocol/index.ts';
import type { Checkout, FeatureUsage, QueuedRequest, Reservation } from '../parsers/types.ts';
import { zonedIso } from '../parsers/zoned-time.ts';
import { publishedUser, withoutUser, type UserPrivacy } from '../privacy/user-privacy.ts';

export interface HolderOptions {
  /** Holders (and queued requests) published per feature. */
  readonly bound: number;
  readonly privacy: UserPrivacy;
  /** The license server's clock zone: `since` carries its UTC offset. */
  readonly timeZone: string;
}

type HolderDetail = Required<Pick<FeatureDetail, 'holders' | 'reservations' | 'queue'>> & Pick<FeatureDetail, 'holdersOmitted' | 'queueOmitted'>;

export function holderDetail(f: Pick<FeatureUsage, 'checkouts' | 'queue' | 'reservations'>, options: HolderOptions): HolderDetail {
  // Longest-held first: the bound keeps the holders an admin asks about first when licenses run out.
  const held = [...f.checkouts].sort(byStart);
  const holders = held.slice(0, options.bound).map((c) => holder(c, options));
  // The queue in the order the server lists it (who is served first).
  const queue = f.queue.slice(0, options.bound).map((q) => queued(q, options.privacy));
  return {
    holders,
    ...(held.length > holders.length && { holdersOmitted: held.length - holders.length }),
    // Reservations come from the options file, a handful per feature: not bounded.
    reservations: f.reservations.map((r) => reservation(r, options.privacy)),
    queue,
    ...(f.queue.length > queue.length && { queueOmitted: f.queue.length - queue.length }),
  };
}

/** Earliest start first; checkouts without a start time last; ties in a stable, readable order. */
function byStart(a: Checkout, b: Checkout): number {
  if (a.start !== b.start) {
    if (a.start === null) return 1;
    if (b.start === null) return -1;
    return a.start < b.start ? -1 : 1;
  }
  return a.user.localeCompare(b.user) || a.host.localeCompare(b.host);
}

function holder(c: Checkout, { privacy, timeZone }: HolderOptions): Holder {
  return {
    user: publishedUser(c.user, privacy),
    // Many sites name a desktop, or a display, after its user (lmstat's `aaa146615 aaa146615`).
    host: withoutUser(c.host, c.user, privacy),
    display: withoutUser(c.display, c.user, privacy),
    version: c.version,
    count: c.count,
    since: c.start === null ? null : zonedIso(new Date(c.start), timeZone),
    linger: c.linger?.seconds ?? null,
    // lmstat and rlmstat print no mark that tells a borrowed checkout from a lingering one (a
    // borrow shows as a checkout whose linger is the borrow period), so none is claimed.
    borrowed: false,
  };
}

function queued(q: QueuedRequest, privacy: UserPrivacy): QueuedRequestDetail {
  return { user: publishedUser(q.user, privacy), host: withoutUser(q.host, q.user, privacy), display: withoutUser(q.display, q.user, privacy), version: q.version, count: q.count };
}

function reservation(r: Reservation, privacy: UserPrivacy): ReservationDetail {
  // A USER reservation names a person: its target is a user name like any other.
  const target = r.kind.toUpperCase() === 'USER' ? (publishedUser(r.target, privacy) ?? '') : r.target;
  return { kind: r.kind, target, count: r.count };
}
