// The ceiling: what a bare uWebSockets.js app delivers on this machine for the fan-out job — the
// same pre-serialized log frames sent to every client, with no Redis, no filtering, no JSON. It
// generates the frames itself at the rate the runner asks for (GET /control?rate=R[&count=N]).
// uWS is only fast when writes are batched, so each tick's frames go out batched: either every
// connection is corked once per tick with the whole batch sent inside (CEILING_MODE=cork), or
// each frame is published on one topic that every connection subscribes to (CEILING_MODE=publish).
//
// Env: PORT (0: a free port), CEILING_MODE. Logs {"msg":"listening","port":N} when ready.
import type { WebSocket } from 'uWebSockets.js';
import { listenExclusive, uWS, uwsRuntime } from '../../gateway/uws.ts';
import { monotonicMicros } from '../workload/clock.ts';
import { ceilingFrameFactory } from '../workload/log-mix.ts';
import { Pacer } from '../workload/pacer.ts';

const MODE = process.env.CEILING_MODE === 'publish' ? 'publish' : 'cork';
const TOPIC = 'all';
/** Frames per tick at most: a late tick sends this much and forgets the rest (an overloaded app drops). */
const MAX_BATCH = 2000;
/** Per-connection write buffer beyond which the ceiling drops frames for that client. */
const MAX_BACKPRESSURE = 1024 * 1024;
const PONG = '{"type":"pong"}';

interface Client {
  index: number;
}

const clients: Array<WebSocket<Client>> = [];
const frameFor = ceilingFrameFactory();
const app = uWS.App();

let seq = 0;
let sent = 0;
const pacer = new Pacer((n, dueAgoMs) => {
  const now = monotonicMicros();
  const batch: Buffer[] = [];
  for (let i = 0; i < n; i++) batch.push(Buffer.from(frameFor(seq++, now - Math.round(dueAgoMs(i) * 1000))));
  broadcast(batch);
  sent += n;
  return n;
}, MAX_BATCH);

function broadcast(batch: Buffer[]): void {
  if (MODE === 'publish') {
    for (let i = 0; i < batch.length; i++) app.publish(TOPIC, batch[i]!, false, false);
    return;
  }
  for (let c = 0; c < clients.length; c++) {
    const ws = clients[c]!;
    if (ws.getBufferedAmount() > MAX_BACKPRESSURE) continue;
    ws.cork(() => {
      for (let i = 0; i < batch.length; i++) ws.send(batch[i]!, false, false);
    });
  }
}

app.ws<Client>('/*', {
  idleTimeout: 0,
  maxPayloadLength: 16 * 1024,
  maxBackpressure: MAX_BACKPRESSURE,
  upgrade: (res, req, context) => {
    res.upgrade({ index: -1 }, req.getHeader('sec-websocket-key'), req.getHeader('sec-websocket-protocol'), req.getHeader('sec-websocket-extensions'), context);
  },
  open: (ws) => {
    ws.getUserData().index = clients.push(ws) - 1;
    if (MODE === 'publish') ws.subscribe(TOPIC);
  },
  // Any client frame (subscribe, ping) gets one reply, so the client knows it was handled.
  message: (ws) => void ws.send(PONG, false, false),
  close: (ws) => {
    // Swap-remove; the closed socket must not be touched again.
    const index = ws.getUserData().index;
    const last = clients.pop()!;
    if (last !== ws) {
      clients[index] = last;
      last.getUserData().index = index;
    }
  },
});

app.get('/control', (res, req) => {
  const query = new URLSearchParams(req.getQuery() ?? '');
  const count = Number(query.get('count') ?? 0);
  void pacer.run(Number(query.get('rate') ?? 0), count > 0 ? count : Infinity);
  res.end(JSON.stringify({ sent, clients: clients.length }));
});
app.get('/stats', (res) => void res.end(JSON.stringify({ sent, clients: clients.length, mode: MODE })));
app.any('/*', (res) => void res.writeStatus('404 Not Found').end());

const listenSocket = await listenExclusive(app, '127.0.0.1', Number(process.env.PORT ?? 0));
console.log(JSON.stringify({ msg: 'listening', port: uWS.us_socket_local_port(listenSocket), mode: MODE, uws: uwsRuntime }));
process.on('SIGTERM', () => process.exit(0));
