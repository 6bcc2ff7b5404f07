// The machine and software versions a run measured, for BENCHMARKS.md.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { currentPlatform, fittingBuilds } from '../../gateway/uws-loader.ts';

export interface MachineInfo {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGB: number;
  readonly kernel: string;
  readonly node: string;
  readonly redis: string;
  readonly uws: string;
  readonly socketIo: string;
  readonly ws: string;
  readonly ioredis: string;
  readonly openFilesLimit: string;
}

function packageVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(new URL(`../../node_modules/${name}/package.json`, import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function command(file: string, args: string[]): string {
  try {
    return execFileSync(file, args, { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

export function machineInfo(): MachineInfo {
  const redis = /v=(\S+)/.exec(command('redis-server', ['--version']))?.[1] ?? 'unknown';
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGB: Math.round(totalmem() / 1024 ** 3),
    kernel: release(),
    node: process.version,
    redis,
    // The build the gateway picks on this machine (gateway/uws-loader.ts), without loading it here.
    uws: fittingBuilds(currentPlatform())[0]?.label ?? 'none (pure-JS fallback)',
    socketIo: packageVersion('socket.io'),
    ws: packageVersion('ws'),
    ioredis: packageVersion('ioredis'),
    openFilesLimit: command('sh', ['-c', 'ulimit -n']),
  };
}
