// Hostile input: thousands of generated frames — random bytes, random text, truncated and deeply
// nested JSON, huge strings, wrong types, binary frames, pathological patterns, invalid UTF-8 and
// oversized frames — sent to a real gateway while a well-behaved client on the same gateway
// receives a numbered stream. The gateway stays up, answers every bad frame with its documented
// error (or close), and the good client gets every message, in order.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { compilePattern, PatternSyntaxError } from '../../shared/pattern/pattern.ts';
import { RedisBus } from '../../shared/bus/index.ts';
import { CloseCode } from '../../shared/protocol/index.ts';
import { randomPrefix, startGateway, type RunningGateway } from '../support/processes.ts';
import { TestClient } from '../support/ws-client.ts';

const KEY = 'fuzz-key';
const MAX_PAYLOAD = 16 * 1024;
/** uWS's own hard cap (see gateway.ts): beyond it uWS cuts the connection without a close frame. */
const HARD_CAP = 1024 * 1024;
const FRAMES = 5000;
const FEED_SOURCE = 'fuzz-feed';
/** A pattern a backtracking engine would choke on; the feed's messages are built to tempt it. */
const GOOD_PATTERN = '(x+x+)+y|seq';

type Expect = { reply: 'error'; code: string } | { reply: 'pong' } | { reply: 'none' };
interface Frame {
  readonly data: string | Buffer;
  readonly binary?: boolean;
  readonly expect: Expect;
}

const error = (code: string): Expect => ({ reply: 'error', code });
const NONE: Expect = { reply: 'none' };

/** mulberry32: a seeded generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generator(seed: number) {
  const rand = random(seed);
  const int = (n: number) => Math.floor(rand() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  const text = (n: number) => Array.from({ length: n }, () => String.fromCodePoint(pick([0x20 + int(95), 0xa0 + int(0x2000), 0x1f600 + int(80), int(32)]))).join('');
  const nest = (depth: number, open: string, close: string, inner = '1') => open.repeat(depth) + inner + close.repeat(depth);

  /** What the gateway must answer to a text frame that is not a well-formed action. */
  const notAnAction = (data: string): Expect | undefined => {
    try {
      const v = JSON.parse(data) as unknown;
      if (v !== null && typeof v === 'object' && !Array.isArray(v) && typeof (v as { action?: unknown }).action === 'string') return undefined;
    } catch {
      // not JSON
    }
    return error('INVALID_MESSAGE');
  };
  const patternExpect = (pattern: string): Expect => {
    if (pattern.length > 256) return error('INVALID_FILTER');
    try {
      compilePattern(pattern);
      return NONE;
    } catch (err) {
      if (err instanceof PatternSyntaxError) return error('INVALID_FILTER');
      throw err;
    }
  };

  const validActions = [
    '{"action":"ping"}',
    '{"action":"subscribe","filter":{"level":["error","warn"],"source":"license-server","pattern":"utilization"}}',
    '{"action":"filter","filter":null}',
    '{"action":"configure","interval":5000}',
    '{"action":"subscribe"}',
  ];
  const pathological = ['(a+)+$', '(a|aa)*b', '(.*a){12}', '((a*)*)*b', '(x+x+)+y', '^(a?){25}a{25}$', '(a|b|ab)*c', '([a-z]+)*[0-9]', '(\\w+\\s?)*$',
    '(a{1,100}){1,100}', '(((a{100}){100}){100})', '(unclosed', '[z-a]', '\\1', '(?=x)', 'a{5,2}', '*', 'x'.repeat(300), '(?:a|b)*?c', '[\\s\\S]*denied'];
  const wrongTypes: Array<[string, Expect]> = [
    ['{"action":5}', error('INVALID_MESSAGE')], ['{"action":null}', error('INVALID_MESSAGE')], ['{"action":["ping"]}', error('INVALID_MESSAGE')],
    ['{"action":{}}', error('INVALID_MESSAGE')], ['{"action":true}', error('INVALID_MESSAGE')], ['{}', error('INVALID_MESSAGE')],
    ['null', error('INVALID_MESSAGE')], ['"ping"', error('INVALID_MESSAGE')], ['42', error('INVALID_MESSAGE')], ['[{"action":"ping"}]', error('INVALID_MESSAGE')],
    ['{"action":"PING"}', error('UNKNOWN_ACTION')], ['{"action":""}', error('UNKNOWN_ACTION')], ['{"action":"__proto__"}', error('UNKNOWN_ACTION')],
    ['{"action":"subscribe","filter":"error"}', error('INVALID_FILTER')], ['{"action":"subscribe","filter":5}', error('INVALID_FILTER')],
    ['{"action":"subscribe","filter":[]}', error('INVALID_FILTER')], ['{"action":"filter"}', error('INVALID_FILTER')],
    ['{"action":"filter","filter":{"level":5}}', error('INVALID_FILTER')], ['{"action":"filter","filter":{"level":[]}}', error('INVALID_FILTER')],
    ['{"action":"filter","filter":{"level":["error","fatal"]}}', error('INVALID_FILTER')], ['{"action":"filter","filter":{"level":{}}}', error('INVALID_FILTER')],
    ['{"action":"filter","filter":{"source":""}}', error('INVALID_FILTER')], ['{"action":"filter","filter":{"source":7}}', error('INVALID_FILTER')],
    ['{"action":"filter","filter":{"pattern":null}}', error('INVALID_FILTER')], ['{"action":"filter","filter":{"pattern":["a"]}}', error('INVALID_FILTER')],
    ['{"action":"filter","filter":{"site":"no such site!"}}', error('INVALID_FILTER')], ['{"action":"filter","filter":{"__proto__":{"level":"x"}}}', error('INVALID_FILTER')],
    ['{"action":"filter","filter":{"levels":["error"]}}', error('INVALID_FILTER')],
    ['{"action":"configure","interval":"5000"}', error('INVALID_INTERVAL')], ['{"action":"configure","interval":null}', error('INVALID_INTERVAL')],
    ['{"action":"configure","interval":1.5}', error('INVALID_INTERVAL')], ['{"action":"configure","interval":-1}', error('INVALID_INTERVAL')],
    ['{"action":"configure","interval":1e308}', error('INVALID_INTERVAL')], ['{"action":"configure"}', error('INVALID_INTERVAL')],
    ['{"action":"configure","interval":true}', error('INVALID_INTERVAL')],
  ];

  const kinds: Array<() => Frame | undefined> = [
    // random bytes, as binary frames
    () => ({ data: Buffer.from(Array.from({ length: 1 + int(2000) }, () => int(256))), binary: true, expect: error('INVALID_MESSAGE') }),
    // JSON as a binary frame: still refused, binary frames are not actions
    () => ({ data: Buffer.from(pick(validActions)), binary: true, expect: error('INVALID_MESSAGE') }),
    // random valid-UTF-8 text, control characters and astral planes included
    () => {
      const data = text(1 + int(500));
      const expect = notAnAction(data);
      return expect && { data, expect };
    },
    // valid actions cut short
    () => {
      const whole = pick(validActions);
      const data = whole.slice(0, int(whole.length));
      const expect = notAnAction(data);
      return expect && { data, expect };
    },
    // deeply nested JSON, everywhere it can go
    () => pick<Frame>([
      { data: nest(2000 + int(5000), '[', ']'), expect: error('INVALID_MESSAGE') },
      { data: nest(1000 + int(1400), '{"a":', '}'), expect: error('INVALID_MESSAGE') },
      { data: `{"action":"ping","x":${nest(1000 + int(1400), '{"a":', '}')}}`, expect: { reply: 'pong' } },
      { data: `{"action":"subscribe","filter":{"level":${nest(1000 + int(4000), '[', ']', '"error"')}}}`, expect: error('INVALID_FILTER') },
      { data: `{"action":"configure","interval":${nest(1000 + int(4000), '[', ']')}}`, expect: error('INVALID_INTERVAL') },
    ]),
    // huge strings, just under the frame limit
    () => pick<Frame>([
      { data: JSON.stringify({ action: 'x'.repeat(MAX_PAYLOAD - 20) }), expect: error('UNKNOWN_ACTION') },
      { data: JSON.stringify({ action: 'subscribe', filter: { source: 's'.repeat(MAX_PAYLOAD - 60) } }), expect: error('INVALID_FILTER') },
      { data: JSON.stringify({ action: 'subscribe', filter: { pattern: 'p'.repeat(MAX_PAYLOAD - 60) } }), expect: error('INVALID_FILTER') },
      { data: JSON.stringify({ action: 'ping', padding: '\u00e9'.repeat((MAX_PAYLOAD - 60) / 2) }), expect: { reply: 'pong' } },
      { data: 'z'.repeat(MAX_PAYLOAD), expect: error('INVALID_MESSAGE') },
    ]),
    // wrong types
    () => {
      const [data, expect] = pick(wrongTypes);
      return { data, expect };
    },
    // pathological patterns, compiled (or refused) and then run against every feed message
    () => {
      const pattern = pick(pathological);
      return { data: JSON.stringify({ action: 'filter', filter: { pattern } }), expect: patternExpect(pattern) };
    },
    // and well-formed actions in between
    () => {
      const data = pick(validActions);
      return { data, expect: data.includes('ping') ? { reply: 'pong' } : NONE };
    },
  ];
  return (): Frame => {
    for (;;) {
      const frame = pick(kinds)();
      if (frame) return frame;
    }
  };
}

let gateway: RunningGateway;
let bus: RedisBus;
const clients: TestClient[] = [];

async function connect(path = '/ws/logs'): Promise<TestClient> {
  const client = await TestClient.connect(`${gateway.wsUrl}${path}?api_key=${KEY}`);
  clients.push(client);
  return client;
}

beforeAll(async () => {
  const prefix = randomPrefix();
  // No message rate limit here: every frame must get its own answer (limits.test.ts covers the rate).
  gateway = await startGateway({ REDIS_URL: inject('redisUrl'), REDIS_KEY_PREFIX: prefix, API_KEYS: KEY, RATE_LIMIT_PER_SEC: '0', MAX_PAYLOAD_BYTES: String(MAX_PAYLOAD) });
  bus = await new RedisBus({ url: inject('redisUrl'), prefix }).connect();
});

afterAll(async () => {
  for (const c of clients) c.close();
  await gateway?.kill();
  await bus?.close();
});

describe('fuzzing a gateway', () => {
  it(`answers ${FRAMES} hostile frames one by one while a good client receives every message in order`, async () => {
    const good = await connect();
    good.send({ action: 'subscribe', filter: { source: FEED_SOURCE, pattern: GOOD_PATTERN } });
    good.send({ action: 'ping' });
    await good.next((m) => m.type === 'pong');

    // The feed: numbered logs published for as long as the fuzzing lasts.
    let fuzzing = true;
    let published = 0;
    const feed = (async () => {
      while (fuzzing || published < 500) {
        await bus.publish({ type: 'log', timestamp: new Date().toISOString(), level: 'info', source: FEED_SOURCE, message: `seq ${published} ${'x'.repeat(40)}` });
        published++;
        if (published % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
    })();

    const next = generator(20240115);
    const frames = Array.from({ length: FRAMES }, next);
    expect(frames.every((f) => Buffer.byteLength(f.data) <= MAX_PAYLOAD)).toBe(true); // the oversized ones are the next test's
    const replies = (c: TestClient) => c.messages.filter((m) => m.type === 'error' || m.type === 'pong');
    const shown = (e: Expect) => (e.reply === 'error' ? `error ${e.code}` : e.reply);
    const bad = await connect();
    const expected: string[] = [];
    try {
      for (let i = 0; i < frames.length; i += 100) {
        for (const frame of frames.slice(i, i + 100)) {
          bad.ws.send(frame.data, { binary: frame.binary ?? false });
          if (frame.expect.reply !== 'none') expected.push(shown(frame.expect));
        }
        // On a stall the comparison below shows where the answers went wrong.
        const answered = await bad.waitUntil(() => replies(bad).length >= expected.length, 20_000).then(() => true, () => false);
        if (!answered) break;
      }
    } finally {
      fuzzing = false;
    }
    await feed;
    expect(bad.ws.readyState).toBe(bad.ws.OPEN);
    expect(replies(bad).map((m) => (m.type === 'error' ? `error ${String(m.code)}` : 'pong'))).toEqual(expected);
    for (const m of replies(bad)) if (m.type === 'error') expect(typeof m.message).toBe('string');
    const kinds = new Set(expected);
    for (const code of ['INVALID_MESSAGE', 'UNKNOWN_ACTION', 'INVALID_FILTER', 'INVALID_INTERVAL']) expect(kinds).toContain(`error ${code}`);

    // The good client: every number, in order, and nothing else.
    await good.waitUntil((ms) => ms.filter((m) => m.type === 'log').length >= published, 30_000, 'the whole feed');
    const seqs = good.ofType('log').map((m) => Number(/^seq (\d+)/.exec(String(m.message))?.[1]));
    expect(published).toBeGreaterThanOrEqual(500);
    expect(seqs).toEqual(Array.from({ length: published }, (_, i) => i));
    expect(good.ofType('error')).toEqual([]);
  });

  it('closes oversized frames with 1009, cuts frames over uWS\'s hard cap and invalid UTF-8, and stays up', async () => {
    const good = await connect();
    const oversized = await Promise.all(Array.from({ length: 10 }, () => connect()));
    oversized.forEach((c, i) => c.ws.send(JSON.stringify({ action: 'ping', pad: 'y'.repeat(MAX_PAYLOAD + 1 + i * 50_000) })));
    for (const close of await Promise.all(oversized.map((c) => c.closed))) {
      expect(close.code).toBe(CloseCode.MESSAGE_TOO_BIG);
      expect(close.reason).toMatch(/too big/);
    }
    // Past the hard cap uWS does not read the frame at all: the TCP connection is cut (1006 at the client).
    const huge = await connect();
    huge.ws.send(Buffer.alloc(HARD_CAP + 1, 0x20), { binary: false });
    expect((await huge.closed).code).toBe(1006);
    // Invalid UTF-8 in a text frame: uWS cuts the connection too (it never reaches the gateway's code).
    const garbled = await Promise.all(Array.from({ length: 20 }, () => connect()));
    const rand = random(7);
    garbled.forEach((c) => c.ws.send(Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0xff, 0xfe, 0xed, 0xa0, 0x80, Math.floor(rand() * 0x40) + 0x80]), { binary: false }));
    for (const close of await Promise.all(garbled.map((c) => c.closed))) expect(close.code).toBe(1006);

    // Still up: the bystander answers, health is fine, a new client connects.
    good.send({ action: 'ping' });
    await good.next((m) => m.type === 'pong');
    expect((await fetch(`${gateway.httpUrl}/healthz`)).status).toBe(200);
    const fresh = await connect('/ws/combined');
    fresh.send({ action: 'ping' });
    await fresh.next((m) => m.type === 'pong');
    expect(gateway.child.exitCode).toBeNull();
  });
});

describe('hostile handshakes', () => {
  it('refuses malformed credentials with 401 (or the HTTP layer\'s own refusal) and stays up', async () => {
    const attempts: Array<[string, Record<string, string>]> = [
      [`/ws/logs?api_key=${'A'.repeat(3000)}`, {}],
      ['/ws/logs?api_key=%00%ff%fe', {}],
      ['/ws/logs?api_key=&api_key=&api_key=', {}],
      [`/ws/logs?api_key=${encodeURIComponent(`${KEY}\u0000`)}`, {}],
      ['/ws/logs', { 'sec-websocket-protocol': 'api_key' }],
      ['/ws/logs', { 'sec-websocket-protocol': Array.from({ length: 300 }, (_, i) => `p${i}`).join(', ') }],
      ['/ws/logs', { 'sec-websocket-protocol': `api_key, ${'k'.repeat(2000)}` }],
      ['/ws/logs?since=%%%', { origin: '\u00ff\u00fe' }],
    ];
    const statuses: Array<number | string> = [];
    for (const [path, headers] of attempts) {
      statuses.push(await TestClient.connect(`${gateway.wsUrl}${path}`, undefined, headers).then(
        (c) => (c.close(), 101),
        (e: { status?: number; message?: string }) => e.status ?? String(e.message),
      ));
    }
    for (const status of statuses) expect([401, 431], `statuses: ${JSON.stringify(statuses)}`).toContain(status);
    const fresh = await connect();
    fresh.send({ action: 'ping' });
    await fresh.next((m) => m.type === 'pong');
  });
});
