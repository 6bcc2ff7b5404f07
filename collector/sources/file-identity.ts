// Which file a byte offset belongs to, so a reader can come back to it after a restart: the
// device and inode (what rotation by rename keeps), and a hash of the file's first bytes (what
// tells a truncated-and-rewritten or a replaced file that reuses the inode from the original).
import { createHash } from 'node:crypto';
import { readdir, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

/** Bytes at the head of a file that identify it together with its inode. */
export const HEAD_BYTES = 1024;

export interface FileIdentity {
  readonly dev: number;
  readonly ino: number;
  /** How many bytes at the head were hashed: fewer than HEAD_BYTES while the file was shorter. */
  readonly headBytes: number;
  /** SHA-256 (hex, first 32 digits) of those bytes. */
  readonly headHash: string;
}

async function headHash(handle: FileHandle, bytes: number): Promise<string> {
  const head = Buffer.alloc(bytes);
  const { bytesRead } = bytes > 0 ? await handle.read(head, 0, bytes, 0) : { bytesRead: 0 };
  return createHash('sha256').update(head.subarray(0, bytesRead)).digest('hex').slice(0, 32);
}

/** The identity of an open file, hashing at most `upTo` bytes of its head (what was read of it). */
export async function identify(handle: FileHandle, upTo = HEAD_BYTES): Promise<FileIdentity> {
  const { dev, ino, size } = await handle.stat();
  const headBytes = Math.min(size, upTo, HEAD_BYTES);
  return { dev, ino, headBytes, headHash: await headHash(handle, headBytes) };
}

/** Is the open file the one `identity` was taken of (same inode, same first bytes)? */
export async function isSameFile(handle: FileHandle, identity: FileIdentity): Promise<boolean> {
  const { dev, ino, size } = await handle.stat();
  if (dev !== identity.dev || ino !== identity.ino || size < identity.headBytes) return false;
  return (await headHash(handle, identity.headBytes)) === identity.headHash;
}

/**
 * The path, in `dir`, of the file with this device and inode (a log renamed by rotation, e.g.
 * `lmgrd.log` → `lmgrd.log.1`), or undefined when none is there any more (deleted, compressed,
 * moved to another directory).
 */
export async function findByInode(dir: string, identity: FileIdentity): Promise<string | undefined> {
  for (const name of await readdir(dir)) {
    const path = join(dir, name);
    const info = await stat(path).catch(() => undefined);
    if (info?.isFile() && info.dev === identity.dev && info.ino === identity.ino) return path;
  }
  return undefined;
}
