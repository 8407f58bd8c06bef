/**
 * Artifacts on a local (or mounted) filesystem: `<root>/sha256/<ab>/<sha256>`.
 * A write streams into `<root>/tmp/<random>` while hashing, then renames into place: rename
 * is atomic within one filesystem, so a reader never sees a half-written blob and a crash
 * leaves only a temp file (swept by `sweepTemp`).
 */
import { createReadStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { ArtifactNotFoundError, ArtifactStoreFullError, isNoSpaceError } from './artifact-errors.ts';
import { artifactKey, parseArtifactRef } from './artifact-ref.ts';
import type { ArtifactStore, PutResult, PutSource } from './artifact-store.ts';
import { spoolWithHash } from './spool.ts';
import { verifyingStream } from './verify-stream.ts';

export class LocalArtifactStore implements ArtifactStore {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  pathOf(sha256: string): string {
    return join(this.root, artifactKey(sha256));
  }

  uriOf(sha256: string): string {
    return pathToFileURL(this.pathOf(sha256)).href;
  }

  async put(source: PutSource): Promise<PutResult> {
    // A full disk is its own failure (the spool removes its partial file; nothing is renamed).
    const {
      path: tmp,
      sha256,
      sizeBytes,
    } = await spoolWithHash(source, join(this.root, 'tmp')).catch((error: unknown) => {
      throw isNoSpaceError(error) ? new ArtifactStoreFullError(this.root, error) : error;
    });
    try {
      const target = this.pathOf(sha256);
      await mkdir(join(target, '..'), { recursive: true });
      // Same content ⇒ same name: renaming over an existing blob replaces identical bytes.
      await rename(tmp, target);
      return { sha256, uri: this.uriOf(sha256), sizeBytes };
    } catch (error) {
      await rm(tmp, { force: true });
      throw isNoSpaceError(error) ? new ArtifactStoreFullError(this.root, error) : error;
    }
  }

  async get(ref: string): Promise<Readable> {
    const sha256 = parseArtifactRef(ref);
    const path = this.pathOf(sha256);
    try {
      await stat(path);
    } catch {
      throw new ArtifactNotFoundError(ref);
    }
    const verify = verifyingStream(sha256, path);
    const file = createReadStream(path);
    file.on('error', (error) => verify.destroy(error));
    return file.pipe(verify);
  }

  async getBuffer(ref: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of await this.get(ref)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  async has(ref: string): Promise<boolean> {
    try {
      await stat(this.pathOf(parseArtifactRef(ref)));
      return true;
    } catch {
      return false;
    }
  }

  async delete(ref: string): Promise<void> {
    await rm(this.pathOf(parseArtifactRef(ref)), { force: true });
  }

  async *list(): AsyncIterable<string> {
    const base = join(this.root, 'sha256');
    let fans: string[];
    try {
      fans = (await readdir(base)).sort();
    } catch {
      return;
    }
    for (const fan of fans) for (const name of (await readdir(join(base, fan))).sort()) yield name;
  }

  /** Removes temp files older than `olderThanMs` left by crashed writers. */
  async sweepTemp(olderThanMs = 3_600_000): Promise<number> {
    const tmpDir = join(this.root, 'tmp');
    let removed = 0;
    let names: string[] = [];
    try {
      names = await readdir(tmpDir);
    } catch {
      return 0;
    }
    for (const name of names) {
      const info = await stat(join(tmpDir, name)).catch(() => undefined);
      if (info && Date.now() - info.mtimeMs > olderThanMs) {
        await rm(join(tmpDir, name), { force: true });
        removed += 1;
      }
    }
    return removed;
  }
}
