// The uWS build matrix: which installed build the gateway picks for a Node ABI and a glibc, that
// the table's claims match the binaries actually installed, and the message when nothing fits.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fittingBuilds, installedBinary, UWS_BUILDS, unsupportedMessage, type Platform } from '../../gateway/uws-loader.ts';
import { uwsBuild, uwsRuntime } from '../../gateway/uws.ts';

const require = createRequire(import.meta.url);
const linux = (abi: number, glibc: string | undefined): Platform => ({ node: `v${abi}`, abi, os: 'linux', arch: 'x64', glibc });
const pick = (platform: Platform) => fittingBuilds(platform).map((b) => b.dependency);

describe('the uWS build table', () => {
  for (const build of UWS_BUILDS) {
    const dir = join(dirname(require.resolve(build.dependency)), build.binaryDir);
    const binaries = readdirSync(dir).filter((f) => /^uws_linux_x64_\d+\.node$/.test(f));

    it(`${build.dependency}: ships a linux-x64 binary for exactly the ABIs listed`, () => {
      expect(binaries.map((f) => Number(/_(\d+)\.node$/.exec(f)![1])).sort((a, b) => a - b)).toEqual(Object.keys(build.nodeByAbi).map(Number));
    });

    it(`${build.dependency}: its linux-x64 binaries need glibc ${build.glibc} at most`, () => {
      // The version names a binary needs are in its dynamic string table (what objdump -T shows).
      const newest = binaries.map((f) => {
        const versions = readFileSync(join(dir, f)).toString('latin1').match(/GLIBC_2\.\d+/g) ?? [];
        return Math.max(...versions.map((v) => Number(v.split('.')[1])));
      });
      expect(Math.max(...newest)).toBe(Number(build.glibc.split('.')[1]));
    });
  }
});

describe('picking a build', () => {
  it('Node 20 on glibc 2.36 (Debian 12): only the 20.30 build fits', () => {
    expect(pick(linux(115, '2.36'))).toEqual(['uWebSockets.js']);
  });
  it('Node 22 and 24 on glibc 2.36: nothing fits', () => {
    expect(pick(linux(127, '2.36'))).toEqual([]);
    expect(pick(linux(137, '2.36'))).toEqual([]);
  });
  it('Node 24 on glibc 2.41 (Debian 13): the 20.57 build', () => {
    expect(pick(linux(137, '2.41'))).toEqual(['@btc-vision/uwebsockets.js']);
  });
  it('Node 20 on glibc 2.39: both fit, the maintained 20.57 build first', () => {
    expect(pick(linux(115, '2.39'))).toEqual(['@btc-vision/uwebsockets.js', 'uWebSockets.js']);
  });
  it('a Linux without glibc (musl, Alpine): nothing fits', () => {
    expect(pick(linux(115, undefined))).toEqual([]);
  });
  it('macOS: no glibc to check, the ABI decides', () => {
    expect(pick({ node: 'v24.0.0', abi: 137, os: 'darwin', arch: 'arm64', glibc: undefined })).toEqual(['@btc-vision/uwebsockets.js']);
  });
  it('a build whose binary is not installed is not picked', () => {
    expect(fittingBuilds(linux(115, '2.36'), UWS_BUILDS, () => undefined)).toEqual([]);
    expect(installedBinary(UWS_BUILDS[1]!, { ...linux(115, '2.36'), arch: 'riscv64' })).toBeUndefined();
  });
});

describe('when nothing fits', () => {
  it('names the Node, the glibc and the supported matrix', () => {
    expect(unsupportedMessage({ node: 'v22.23.5', abi: 127, os: 'linux', arch: 'x64', glibc: '2.36' })).toBe([
      'No native uWebSockets.js build fits Node v22.23.5 (ABI 127) on linux-x64 with glibc 2.36.',
      'Supported (Linux x64/arm64, macOS x64/arm64, Windows x64):',
      '  uWS.js v20.57.0 (@btc-vision/uwebsockets.js@20.57.0): Node 20, 22, 24, 25; on Linux, glibc >= 2.38',
      '  uWS.js v20.30.0 (@trufflesuite/uws-js-unofficial@20.30.0-unofficial.0): Node 16, 18, 20; on Linux, glibc >= 2.27',
      'Run Node 20 on glibc >= 2.27, or Node 22/24 on glibc >= 2.38 (Debian 13, Ubuntu 24.04, RHEL 10; the Docker image is Node 24 on Debian 13).',
    ].join('\n'));
  });
  it('says when there is no glibc at all', () => {
    expect(unsupportedMessage(linux(115, undefined))).toContain('with no glibc (musl?)');
  });
});

describe('this test process', () => {
  it('runs a native build', () => {
    expect(uwsRuntime).toBe('native');
    expect(uwsBuild).toMatch(/^uWS\.js v20\.\d+\.0 /);
  });
});
