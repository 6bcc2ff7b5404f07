// Waiting on a condition that no event announces (a count reached, a list filled, a time passed):
// poll it against a deadline, and say what was awaited, and what was seen, when it does not come.

/**
 * Wait until `done()` holds, checked every 20 ms. Past `timeoutMs` it throws, naming `what` (a
 * function is called only then, so it can describe the state at that moment) and adding `detail()`.
 */
export async function waitUntil(
  done: () => boolean,
  what: string | (() => string),
  timeoutMs = 10_000,
  detail: () => string = () => '',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'function' ? what() : what}\n${detail()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * The same for a condition that asks a server each time (a Redis, a Sentinel: they announce
 * nothing to a test), checked every 100 ms. A check that throws counts as not yet: the server may
 * be starting, or failing over.
 */
export async function waitUntilAsync(done: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
