// Peer: Socket.IO with @socket.io/redis-adapter (ioredis), as a team would deploy it across nodes.
// Clients emit `subscribe`/`filter` ({filter}), `configure` ({interval}) and `ping`; the server
// emits `log`, `metrics` and `pong`. The same filter semantics as the gateway. Given its best
// shot: each distinct filter is a room, so a message is tested once per distinct filter and sent
// as one broadcast (Socket.IO encodes a broadcast once for all members). Collector messages reach
// every node from Redis, so they are emitted with `io.local` — otherwise the adapter would
// re-publish them to the other nodes. Metrics go out on a timer per connection.
//
// Env: PORT (0: a free port), REDIS_URL, REDIS_KEY_PREFIX. Logs {"msg":"listening","port":N}.
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket } from 'socket.io';
import { BusKeys } from '../../shared/bus/index.ts';
import { compileLogFilter, parseFilter, type LogPredicate } from './log-filter.ts';

interface FilterRoom {
  readonly matches: LogPredicate;
  members: number;
}

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const keys = new BusKeys(process.env.REDIS_KEY_PREFIX ?? 'licmon');
const rooms = new Map<string, FilterRoom>();
const latestMetrics = new Map<string, unknown>();

const http = createServer();
const pub = new Redis(redisUrl);
const io = new Server(http, { serveClient: false, adapter: createAdapter(pub, pub.duplicate(), { key: `${keys.prefix}:socket.io` }) });

function joinFilterRoom(socket: Socket, filter: unknown): void {
  const parsed = parseFilter(filter);
  const room = `filter:${JSON.stringify(parsed)}`;
  leaveFilterRoom(socket);
  let entry = rooms.get(room);
  if (!entry) rooms.set(room, (entry = { matches: compileLogFilter(parsed), members: 0 }));
  entry.members++;
  socket.data.room = room;
  void socket.join(room);
}

function leaveFilterRoom(socket: Socket): void {
  const room = socket.data.room as string | undefined;
  if (!room) return;
  void socket.leave(room);
  const entry = rooms.get(room)!;
  if (--entry.members === 0) rooms.delete(room);
  socket.data.room = undefined;
}

function startMetrics(socket: Socket, interval: number): void {
  clearInterval(socket.data.timer as NodeJS.Timeout | undefined);
  socket.data.timer = setInterval(() => {
    for (const snapshot of latestMetrics.values()) socket.emit('metrics', snapshot);
  }, interval);
}

io.on('connection', (socket) => {
  const onFilter = (payload: { filter?: unknown } | undefined) => {
    try {
      joinFilterRoom(socket, payload?.filter);
    } catch {
      socket.emit('error', { type: 'error', code: 'INVALID_FILTER', message: 'Invalid filter configuration', timestamp: new Date().toISOString() });
    }
  };
  socket.on('subscribe', onFilter);
  socket.on('filter', onFilter);
  socket.on('configure', (payload: { interval?: unknown } | undefined) => {
    if (typeof payload?.interval === 'number' && payload.interval >= 100) startMetrics(socket, payload.interval);
  });
  socket.on('ping', () => socket.emit('pong', { type: 'pong', timestamp: new Date().toISOString() }));
  socket.on('disconnect', () => {
    clearInterval(socket.data.timer as NodeJS.Timeout | undefined);
    leaveFilterRoom(socket);
  });
});

const collectors = new Redis(redisUrl);
collectors.on('pmessage', (_pattern: string, channel: string, json: string) => {
  const route = keys.parseChannel(channel);
  if (!route) return;
  const msg = JSON.parse(json) as { type: string; source?: string };
  if (route.kind === 'metrics') {
    latestMetrics.set(`${route.site}\n${msg.source ?? ''}`, msg);
    return;
  }
  if (msg.type !== 'log') return;
  for (const [room, entry] of rooms) if (entry.matches(msg)) io.local.to(room).emit('log', msg);
});
await collectors.psubscribe(keys.channelPattern());

http.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(JSON.stringify({ msg: 'listening', port: (http.address() as AddressInfo).port }));
});
process.on('SIGTERM', () => process.exit(0));
