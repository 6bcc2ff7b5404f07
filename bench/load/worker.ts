// A load-generator worker process: holds raw WebSocket connections and answers the runner's
// commands (commands.ts) over IPC. The runner pins it to its own core, away from the server.
import type { Command, GroupStats, OpenCommand, OpenResult, Reply, Request, StatsResult } from './commands.ts';
import { WsConnection, type ConnectionEvents } from './ws-connection.ts';

/** Latency samples kept between two stats calls (a uniform reservoir sample beyond that). */
const MAX_SAMPLES = 100_000;

const conns: WsConnection[] = [];
const groupNames: string[] = [];
let samples: number[] = [];
let seen = 0;
/** The next number for a numbered group's setup frames (see GroupSpec.numbered). */
let nextNumber = 0;

function sample(micros: number): void {
  seen++;
  if (samples.length < MAX_SAMPLES) samples.push(micros);
  else {
    const slot = Math.floor(Math.random() * seen);
    if (slot < MAX_SAMPLES) samples[slot] = micros;
  }
}

function groupIndex(name: string): number {
  let index = groupNames.indexOf(name);
  if (index < 0) index = groupNames.push(name) - 1;
  return index;
}

async function open(command: OpenCommand): Promise<OpenResult> {
  const started = performance.now();
  const specs: Array<{ group: number; setup: readonly string[] }> = [];
  for (const group of command.groups) {
    for (let i = 0; i < group.count; i++) {
      const n = `${process.pid}-${nextNumber++}`;
      specs.push({ group: groupIndex(group.name), setup: group.numbered ? group.setup.map((frame) => frame.replaceAll('{n}', n)) : group.setup });
    }
  }
  const errors: string[] = [];
  let next = 0;
  let opened = 0;
  let failed = 0;
  await new Promise<void>((resolve) => {
    if (specs.length === 0) return resolve();
    const settle = (conn: WsConnection, ok: boolean, error?: string) => {
      const state = pendingState.get(conn);
      if (!state) return;
      pendingState.delete(conn);
      clearTimeout(state);
      if (ok) opened++;
      else {
        // A connection that never got ready is not part of the run: forget it.
        failed++;
        if (errors.length < 5 && error) errors.push(error);
        conn.destroy();
        conns.splice(conns.indexOf(conn), 1);
      }
      if (opened + failed === specs.length) resolve();
      else launch();
    };
    const pendingState = new Map<WsConnection, NodeJS.Timeout>();
    const events: ConnectionEvents = {
      ready: (conn) => settle(conn, true),
      latency: sample,
      closed: (conn, error) => settle(conn, false, error ?? `closed before ready (code ${conn.closeCode || 1006})`),
    };
    const launch = () => {
      if (next >= specs.length) return;
      const index = conns.length;
      const spec = specs[next++]!;
      const localAddress = command.localAddresses[index % command.localAddresses.length];
      const conn = new WsConnection(command.target, spec.setup, spec.group, command.probe, command.timeArrivals, events, localAddress);
      conns.push(conn);
      pendingState.set(conn, setTimeout(() => settle(conn, false, `not ready within ${command.timeoutMs} ms`), command.timeoutMs));
    };
    for (let i = 0; i < Math.min(command.concurrency, specs.length); i++) launch();
  });
  return { opened, failed, errors, ms: performance.now() - started };
}

function stats(intervals: boolean): StatsResult {
  const groups: Record<string, { conns: number; open: number; frames: number; reached: number; closeCodes: Record<string, number> }> = {};
  const means: Record<string, number[]> = {};
  for (const conn of conns) {
    const name = groupNames[conn.group]!;
    const g = (groups[name] ??= { conns: 0, open: 0, frames: 0, reached: 0, closeCodes: {} });
    g.conns++;
    g.frames += conn.frames;
    if (conn.frames > 0) g.reached++;
    if (!conn.closed) g.open++;
    else if (conn.ready) g.closeCodes[conn.closeCode || 1006] = (g.closeCodes[conn.closeCode || 1006] ?? 0) + 1;
    if (intervals && conn.frames >= 2) (means[name] ??= []).push((conn.lastAt - conn.firstAt) / 1000 / (conn.frames - 1));
  }
  const result: StatsResult = { groups: groups as Record<string, GroupStats>, samples, ...(intervals ? { intervals: means } : {}) };
  samples = [];
  seen = 0;
  return result;
}

async function handle(command: Command): Promise<unknown> {
  switch (command.cmd) {
    case 'open':
      return open(command);
    case 'reset':
      for (const conn of conns) conn.frames = conn.firstAt = conn.lastAt = 0;
      samples = [];
      seen = 0;
      return undefined;
    case 'stats':
      return stats(command.intervals);
    case 'pause':
    case 'resume':
      for (const conn of conns) if (groupNames[conn.group] === command.group) conn.reading(command.cmd === 'resume');
      return undefined;
    case 'closeAll': {
      const all = conns.splice(0);
      const inFlight = command.inFlight;
      if (inFlight === undefined) {
        for (const conn of all) conn.destroy();
        return undefined;
      }
      // `inFlight` lanes, each leaving with one connection after another.
      let next = 0;
      const lane = async () => {
        while (next < all.length) await all[next++]!.leave();
      };
      await Promise.all(Array.from({ length: Math.min(inFlight, all.length) }, lane));
      return undefined;
    }
  }
}

process.on('message', (request: Request) => {
  handle(request).then(
    (result) => process.send!({ id: request.id, result } satisfies Reply),
    (err: unknown) => process.send!({ id: request.id, error: err instanceof Error ? err.message : String(err) } satisfies Reply),
  );
});
// The runner is gone (crashed or killed): nothing is left to report to.
process.on('disconnect', () => process.exit(0));
