// The runner's side of the load generator: worker processes (worker.ts), each holding up to
// MAX_CONNS_PER_WORKER connections (the open-files limit is 20,000 per process), driven over IPC.
// The workers inherit the runner's CPU affinity: the runner pins itself to the generator's core.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Cleanup } from '../cleanup.ts';
import type { Command, GroupSpec, GroupStats, OpenResult, Reply, StatsResult } from './commands.ts';
import type { ConnectionTarget } from './ws-connection.ts';

export const MAX_CONNS_PER_WORKER = 15_000;
/**
 * Connections per 127.0.0.x source address. Each address has ~28,000 ephemeral ports, but the
 * gateway allows 1,000 connections per client address by default (MAX_CONNECTIONS_PER_IP), and
 * the bench keeps that protection on: like real clients, its connections come from many addresses.
 */
const CONNS_PER_ADDRESS = 1000;
/** Rounds in which probes and bulk connections are opened together (see open()). */
const OPEN_ROUNDS = 20;
const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));

export interface OpenOptions {
  probeEvery?: number;
  timeArrivals?: boolean;
  concurrency?: number;
  timeoutMs?: number;
}

class WorkerHandle {
  conns = 0;
  private nextId = 0;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  readonly exited: Promise<void>;

  constructor(readonly child: ChildProcess) {
    child.on('message', (reply: Reply) => {
      const waiter = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      if (reply.error !== undefined) waiter?.reject(new Error(`load worker: ${reply.error}`));
      else waiter?.resolve(reply.result);
    });
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        for (const waiter of this.waiting.values()) waiter.reject(new Error(`load worker ${child.pid} exited (${code ?? signal})`));
        this.waiting.clear();
        resolve();
      }),
    );
  }

  request<T>(command: Command): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ ...command, id });
    });
  }
}

let nextAddress = 2;
/** `count` loopback source addresses, rotating through 127.0.0.2-254 so consecutive opens use fresh ones. */
function sourceAddresses(count: number): string[] {
  const addresses: string[] = [];
  for (let i = 0; i < count; i++) {
    addresses.push(`127.0.0.${nextAddress}`);
    nextAddress = nextAddress >= 254 ? 2 : nextAddress + 1;
  }
  return addresses;
}

/**
 * Bulk workers hold most connections; latency probes live in a worker of their own. A worker
 * sweeping thousands of sockets takes milliseconds per sweep, which a probe among them would
 * count as latency; a lightly loaded probe worker, like a real client, reads as soon as data
 * arrives (the scheduler favours it: it mostly sleeps).
 */
export class LoadGenerator {
  private constructor(
    private readonly bulk: WorkerHandle[],
    private readonly prober: WorkerHandle,
  ) {}

  static async start(count: number, cleanup: Cleanup): Promise<LoadGenerator> {
    const spawnWorker = () => {
      const child = fork(WORKER, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      const handle = new WorkerHandle(child);
      const done = cleanup.add(`load worker ${child.pid}`, async () => {
        child.kill('SIGKILL');
        await handle.exited;
      });
      void handle.exited.then(done);
      return handle;
    };
    const generator = new LoadGenerator(Array.from({ length: count }, spawnWorker), spawnWorker());
    await generator.reset(); // every worker is up and answering
    return generator;
  }

  private get workers(): WorkerHandle[] {
    return [...this.bulk, this.prober];
  }

  get pids(): number[] {
    return this.workers.map((w) => w.child.pid!);
  }

  /**
   * Open connections in groups, spread over the least-loaded bulk workers; with `probeEvery`, one
   * connection in that many of each group is a latency probe. Resolves when all are ready or failed.
   *
   * Probes are opened in rounds alongside the bulk, so they sit evenly among the connections in
   * the order a server accepted them. A server writes a message to its connections one after
   * another: probes all opened first (their worker is idle, so they win the race) would be written
   * first by a server that walks connections in accept order, and last by one that walks them
   * backwards, and the latency figures would say more about the walk than about the server.
   */
  async open(target: ConnectionTarget, groups: readonly GroupSpec[], options: OpenOptions = {}): Promise<OpenResult> {
    const total = groups.reduce((sum, g) => sum + g.count, 0);
    const probes = groups.map((g) => ({ ...g, count: options.probeEvery ? Math.floor(g.count / options.probeEvery) : 0 }));
    const rest = groups.map((g, i) => ({ ...g, count: g.count - probes[i]!.count }));
    const used = [...this.bulk].sort((a, b) => a.conns - b.conns).slice(0, Math.max(1, Math.ceil(total / MAX_CONNS_PER_WORKER)));
    const localAddresses = sourceAddresses(Math.max(1, Math.ceil(total / CONNS_PER_ADDRESS)));
    const request = (worker: WorkerHandle, mine: GroupSpec[], probe: boolean) => {
      worker.conns += mine.reduce((sum, g) => sum + g.count, 0);
      return worker.request<OpenResult>({
        cmd: 'open',
        target,
        groups: mine,
        localAddresses,
        probe,
        timeArrivals: options.timeArrivals ?? false,
        concurrency: options.concurrency ?? 256,
        timeoutMs: options.timeoutMs ?? 30_000,
      });
    };
    const share = (n: number, part: number, parts: number) => Math.floor((n * (part + 1)) / parts) - Math.floor((n * part) / parts);
    const rounds = probes.some((g) => g.count > 0) ? OPEN_ROUNDS : 1;
    const results: OpenResult[] = [];
    let ms = 0;
    for (let round = 0; round < rounds; round++) {
      const part = (specs: GroupSpec[]) => specs.map((g) => ({ ...g, count: share(g.count, round, rounds) }));
      const opened = await Promise.all([
        ...used.map((worker, w) => request(worker, part(rest).map((g) => ({ ...g, count: share(g.count, w, used.length) })), false)),
        ...(rounds > 1 ? [request(this.prober, part(probes), true)] : []),
      ]);
      results.push(...opened);
      ms += Math.max(...opened.map((r) => r.ms));
    }
    return {
      opened: sum(results.map((r) => r.opened)),
      failed: sum(results.map((r) => r.failed)),
      errors: results.flatMap((r) => r.errors).slice(0, 5),
      ms,
    };
  }

  async reset(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.request({ cmd: 'reset' })));
  }

  /** Counters of every worker, merged per group; latency samples since the last call. */
  async stats(intervals = false): Promise<StatsResult> {
    const all = await Promise.all(this.workers.map((w) => w.request<StatsResult>({ cmd: 'stats', intervals })));
    const groups: Record<string, GroupStats> = {};
    const merged: Record<string, number[]> = {};
    for (const result of all) {
      for (const [name, g] of Object.entries(result.groups)) {
        const into = groups[name];
        groups[name] = into ? mergeGroup(into, g) : g;
      }
      for (const [name, means] of Object.entries(result.intervals ?? {})) (merged[name] ??= []).push(...means);
    }
    return { groups, samples: all.flatMap((r) => r.samples), ...(intervals ? { intervals: merged } : {}) };
  }

  /** Stop reading on every connection of a group (or read again). */
  async reading(group: string, on: boolean): Promise<void> {
    await Promise.all(this.workers.map((w) => w.request({ cmd: on ? 'resume' : 'pause', group })));
  }

  /** Close every connection (with `inFlight`, that many per worker at a time: see the closeAll command). */
  async closeAll(inFlight?: number): Promise<void> {
    await Promise.all(this.workers.map((w) => w.request(inFlight === undefined ? { cmd: 'closeAll' } : { cmd: 'closeAll', inFlight })));
    for (const w of this.workers) w.conns = 0;
  }

  async stop(): Promise<void> {
    for (const w of this.workers) w.child.kill('SIGKILL');
    await Promise.all(this.workers.map((w) => w.exited));
  }
}

function mergeGroup(a: GroupStats, b: GroupStats): GroupStats {
  const closeCodes: Record<string, number> = { ...a.closeCodes };
  for (const [code, n] of Object.entries(b.closeCodes)) closeCodes[code] = (closeCodes[code] ?? 0) + n;
  return { conns: a.conns + b.conns, open: a.open + b.open, frames: a.frames + b.frames, reached: a.reached + b.reached, closeCodes };
}

const sum = (values: number[]) => values.reduce((s, v) => s + v, 0);

/** Totals over every group (or the named ones). */
export function totals(stats: StatsResult, names?: readonly string[]): GroupStats {
  let total: GroupStats = { conns: 0, open: 0, frames: 0, reached: 0, closeCodes: {} };
  for (const [name, g] of Object.entries(stats.groups)) if (!names || names.includes(name)) total = mergeGroup(total, g);
  return total;
}
