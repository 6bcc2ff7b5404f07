// The publishes of each producer in each stream that Redis has not answered yet, oldest first.
//
// A producer sends its messages in order, but they need not arrive in order: when a Redis Cluster
// fails over, ioredis re-sends the commands the old master refused (MOVED) or lost (connection
// closed), some after a delay, while newer commands go straight to the new master. The publish
// script must tell that apart from acknowledged writes lost by a failover, which leave the same
// gap in the producer's sequence. What tells them apart is whether the messages the gap lacks are
// still on their way: the script is given this producer's oldest unanswered sequence number, and
// refuses a message that came early; the bus sends it again once every earlier one is answered.
// A producer numbers its messages in the order it publishes them (publish-event.lua relies on
// that too), so the oldest one unanswered is the first still held here.

export interface UnansweredPublish {
  /** The producer's oldest sequence number in this stream still unanswered (this one's, at most). */
  oldest(): number;
  /** Resolves once every earlier publish of the producer in this stream was answered or failed. */
  earlierAnswered(): Promise<void>;
  /** This publish was answered (or failed for good). */
  end(): void;
}

export class UnansweredPublishes {
  /** `producer stream` → sequence number → resolves when that publish ends. */
  private readonly byProducer = new Map<string, Map<number, { ended: Promise<void>; end: () => void }>>();

  begin(producer: string, stream: string, seq: number): UnansweredPublish {
    const key = `${producer} ${stream}`;
    let pending = this.byProducer.get(key);
    if (!pending) this.byProducer.set(key, (pending = new Map()));
    let end!: () => void;
    const entry = { ended: new Promise<void>((resolve) => (end = resolve)), end };
    pending.set(seq, entry);
    const all = pending;
    return {
      oldest: () => all.keys().next().value ?? seq,
      earlierAnswered: async () => {
        const earlier: Promise<void>[] = [];
        for (const [other, { ended: done }] of all) if (other < seq) earlier.push(done);
        await Promise.all(earlier);
      },
      end: () => {
        entry.end();
        // A repeat of the same number (a reader gone back to an older checkpoint) may hold it now.
        if (all.get(seq) === entry) all.delete(seq);
        if (all.size === 0 && this.byProducer.get(key) === all) this.byProducer.delete(key);
      },
    };
  }
}
