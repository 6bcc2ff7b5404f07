// One look at a license server: run its status tool and parse what it printed. FlexLM's
// `lmstat -a` gives usage; `lmstat -i` (the license file's feature table) gives the expiry of
// features nobody uses, changes only when the license file does, and is read again only every
// `expiryRefreshMs`. Output that says nothing a parser recognises (an empty answer, a crash
// message on stderr) is a failed poll, not a server that is down.
import type { LicenseServerConfig } from '../farm/farm-config.ts';
import { parseLmstat } from '../parsers/lmstat.ts';
import { parseLmstatI, withExpiries, type LmstatIResult } from '../parsers/lmstat-i.ts';
import { parseRlmstat } from '../parsers/rlmstat.ts';
import type { LicenseServerStatus } from '../parsers/types.ts';
import { ToolError, type ToolResult, type ToolRunner } from '../tools/tool-runner.ts';

/** Below this much time left in a poll, `lmstat -i` is not started (the cached table, if any, serves). */
const MIN_EXPIRY_READ_MS = 200;

type StatusServer = Pick<LicenseServerConfig, 'id' | 'kind' | 'address' | 'command' | 'timeZone' | 'timeoutMs' | 'expiryRefreshMs'>;

export class StatusReader {
  private readonly expiryTables = new Map<string, { readAt: number; table: LmstatIResult }>();

  constructor(
    private readonly tools: ToolRunner,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The server's status now; rejects with a ToolError when the tool could not tell. */
  async read(server: StatusServer, signal: AbortSignal): Promise<LicenseServerStatus> {
    const options = { now: new Date(this.clock()), ...(server.timeZone !== undefined && { timeZone: server.timeZone }) };
    if (server.kind === 'rlm') {
      const result = await this.run(server, ['rlmstat', '-a', '-c', server.address], signal);
      return readable(parseRlmstat(result.stdout, options), result, server.command);
    }
    const deadline = this.clock() + server.timeoutMs;
    const result = await this.run(server, ['lmstat', '-a', '-c', server.address], signal);
    const status = readable(parseLmstat(result.stdout, options), result, server.command);
    if (!status.reachable) return status;
    const table = await this.expiryTable(server, signal, deadline - this.clock());
    return table ? withExpiries(status, table) : status;
  }

  /** `lmstat -i` in what is left of the poll's time, cached; a failure costs only the expiry of unused features. */
  private async expiryTable(server: StatusServer, signal: AbortSignal, timeLeftMs: number): Promise<LmstatIResult | undefined> {
    const cached = this.expiryTables.get(server.id);
    if ((cached && this.clock() - cached.readAt < server.expiryRefreshMs) || timeLeftMs < MIN_EXPIRY_READ_MS) return cached?.table;
    try {
      const result = await this.tools.run(server.command, ['lmstat', '-i', '-c', server.address], { signal, timeoutMs: timeLeftMs });
      const table = parseLmstatI(result.stdout);
      this.expiryTables.set(server.id, { readAt: this.clock(), table });
      return table;
    } catch (err) {
      if (signal.aborted) throw err;
      return cached?.table;
    }
  }

  private run(server: StatusServer, args: string[], signal: AbortSignal): Promise<ToolResult> {
    return this.tools.run(server.command, args, { signal, timeoutMs: server.timeoutMs });
  }
}

/**
 * The status, unless the output explained nothing: no server line, and no error message that
 * the output itself carries (the parsers fall back to a generic error of their own).
 */
function readable(status: LicenseServerStatus, result: ToolResult, command: string): LicenseServerStatus {
  const explained = status.reachable || status.servers.length > 0 || (status.error !== null && result.stdout.includes(status.error));
  if (explained) return status;
  const said = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-3).join(' ').slice(0, 500);
  throw new ToolError(`${command} exited with ${result.exitCode ?? 'a signal'} without a status${said ? `: ${said}` : ''}`);
}
