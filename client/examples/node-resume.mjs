// Follow a gateway's logs, stop, and later resume from where you stopped: what was published
// meanwhile arrives first, nothing is missed, nothing comes twice.
//   LICMON_URL=ws://localhost:8080 LICMON_API_KEY=… node node-resume.mjs [count]
// Node 22+ has a global WebSocket; on Node 20 install `ws` next to @licmon/client.
import { LicmonClient } from '@licmon/client';

const WebSocket = globalThis.WebSocket ?? (await import('ws')).default;
const count = Number(process.argv[2] ?? 5);
const options = { url: process.env.LICMON_URL ?? 'ws://localhost:8080', apiKey: process.env.LICMON_API_KEY ?? '', endpoint: 'logs', WebSocket };

/** Print `count` logs, then close; answers the position to resume from. */
function follow(since) {
  return new Promise((resolve, reject) => {
    const client = new LicmonClient({ ...options, since });
    let seen = 0;
    client.on('log', (log) => {
      console.log(`log ${log.id} ${log.message}`);
      if (++seen === count) {
        const position = client.since; // the last id delivered per stream: store it anywhere
        client.close();
        resolve(position);
      }
    });
    client.on('state', ({ state, because }) => {
      console.log(`state ${state}`);
      if (state === 'closed' && because !== 'client') reject(new Error(`closed: ${because}`));
    });
    client.connect();
  });
}

const position = await follow(undefined);
console.log(`paused at ${position}; press Enter to resume`);
await new Promise((resolve) => process.stdin.once('data', resolve));
process.stdin.pause();
await follow(position);
