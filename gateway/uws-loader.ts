// Picks the uWebSockets.js build whose native binary fits the running Node (its ABI,
// process.versions.modules) and the running glibc, from the builds installed as dependencies.
// uWS is not on npm under its own name, and no single published build covers every Node on every
// glibc: the one for Node 20 on older glibc stops at Node 20, the one for Node 22+ needs glibc 2.38.
// The README's "Platforms" section says why each build was chosen and how it was checked.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as UWS from 'uWebSockets.js';

const require = createRequire(import.meta.url);

export interface UwsBuild {
  /** The dependency name in package.json (an npm alias for the 20.30 build). */
  readonly dependency: string;
  /** uWS.js version and the package it is published as, for logs and the matrix message. */
  readonly label: string;
  /** Node ABI (process.versions.modules) → Node major, for each binary the package ships. */
  readonly nodeByAbi: Readonly<Record<number, number>>;
  /**
   * The newest glibc symbol version its Linux binaries need: read from the binaries
   * (`objdump -T uws_linux_*.node | grep GLIBC_`), and checked against the installed files by
   * test/unit/uws-loader.test.ts.
   */
  readonly glibc: string;
  /** Where its `uws_<platform>_<arch>_<abi>.node` files are, from the package's main module. */
  readonly binaryDir: string;
}

/** In order of preference: the maintained build first, wherever it fits. */
export const UWS_BUILDS: readonly UwsBuild[] = [
  {
    dependency: '@btc-vision/uwebsockets.js',
    label: 'uWS.js v20.57.0 (@btc-vision/uwebsockets.js@20.57.0)',
    nodeByAbi: { 115: 20, 127: 22, 137: 24, 141: 25 },
    glibc: '2.38',
    binaryDir: '.',
  },
  {
    dependency: 'uWebSockets.js',
    label: 'uWS.js v20.30.0 (@trufflesuite/uws-js-unofficial@20.30.0-unofficial.0)',
    nodeByAbi: { 93: 16, 108: 18, 115: 20 },
    glibc: '2.27',
    binaryDir: '../binaries',
  },
];

/** What a binary has to fit. `glibc` is undefined off Linux, and on a musl Linux (Alpine). */
export interface Platform {
  readonly node: string;
  readonly abi: number;
  readonly os: NodeJS.Platform;
  readonly arch: string;
  readonly glibc: string | undefined;
}

export function currentPlatform(): Platform {
  const header = (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header;
  return { node: process.version, abi: Number(process.versions.modules), os: process.platform, arch: process.arch, glibc: header?.glibcVersionRuntime };
}

/** The builds whose binary for this platform is installed and whose glibc need is met, best first. */
export function fittingBuilds(platform: Platform, builds: readonly UwsBuild[] = UWS_BUILDS, binaryPath = installedBinary): UwsBuild[] {
  return builds.filter((build) => {
    if (!(platform.abi in build.nodeByAbi)) return false;
    if (platform.os === 'linux' && (platform.glibc === undefined || compareVersions(platform.glibc, build.glibc) < 0)) return false;
    return binaryPath(build, platform) !== undefined;
  });
}

/** The build's binary file for this platform, if that package is installed and ships one. */
export function installedBinary(build: UwsBuild, platform: Platform): string | undefined {
  let main: string;
  try {
    main = require.resolve(build.dependency);
  } catch {
    return undefined;
  }
  const file = join(dirname(main), build.binaryDir, `uws_${platform.os}_${platform.arch}_${platform.abi}.node`);
  return existsSync(file) ? file : undefined;
}

/** The one-paragraph answer to "why does the gateway not start on this machine". */
export function unsupportedMessage(platform: Platform, builds: readonly UwsBuild[] = UWS_BUILDS): string {
  const runtime = `Node ${platform.node} (ABI ${platform.abi}) on ${platform.os}-${platform.arch}${platform.os === 'linux' ? ` with ${platform.glibc ? `glibc ${platform.glibc}` : 'no glibc (musl?)'}` : ''}`;
  const matrix = builds.map((b) => `  ${b.label}: Node ${Object.values(b.nodeByAbi).join(', ')}; on Linux, glibc >= ${b.glibc}`);
  return [
    `No native uWebSockets.js build fits ${runtime}.`,
    'Supported (Linux x64/arm64, macOS x64/arm64, Windows x64):',
    ...matrix,
    'Run Node 20 on glibc >= 2.27, or Node 22/24 on glibc >= 2.38 (Debian 13, Ubuntu 24.04, RHEL 10; the Docker image is Node 24 on Debian 13).',
  ].join('\n');
}

export type UwsRuntime = 'native' | 'fallback';

export interface LoadedUws {
  readonly uWS: typeof UWS;
  readonly runtime: UwsRuntime;
  /** The build loaded natively (its label), or undefined on the fallback. */
  readonly build: string | undefined;
  /** Why no native build runs (the matrix message, plus load errors); undefined when native. */
  readonly problem: string | undefined;
}

/**
 * Load the first fitting build natively. If none fits (or none loads), load the 20.30 package's
 * pure-JS fallback and say why in `problem`: the gateway refuses to start on it unless told to.
 */
export function loadUws(platform = currentPlatform()): LoadedUws {
  const failures: string[] = [];
  for (const build of fittingBuilds(platform)) {
    try {
      const uWS = require(build.dependency) as typeof UWS;
      if (isNative(uWS, installedBinary(build, platform)!)) return { uWS, runtime: 'native', build: build.label, problem: undefined };
      failures.push(`${build.label}: loaded without its native binary`);
    } catch (err) {
      failures.push(`${build.label}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const problem = [unsupportedMessage(platform), ...failures.map((f) => `Tried ${f}`)].join('\n');
  return { uWS: require('uWebSockets.js/dist/index.js') as typeof UWS, runtime: 'fallback', build: undefined, problem };
}

/** The addon itself is loaded (not a JS stand-in), and exports what only the native build has. */
function isNative(uWS: typeof UWS, binary: string): boolean {
  return binary in require.cache && typeof (uWS as { getParts?: unknown }).getParts === 'function';
}

function compareVersions(a: string, b: string): number {
  const [x, y] = [a, b].map((v) => v.split('.').map(Number));
  for (let i = 0; i < Math.max(x!.length, y!.length); i++) {
    const d = (x![i] ?? 0) - (y![i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
