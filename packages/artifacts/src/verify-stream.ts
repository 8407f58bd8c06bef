import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { ArtifactCorruptError } from './artifact-errors.ts';

/**
 * Passes bytes through while hashing them; at the end, errors with `artifact_corrupt` when
 * the digest differs. The consumer has seen the bytes by then, which is why readers that
 * act on content (parsers, model loaders) must treat a stream error as fatal.
 */
export function verifyingStream(expected: string, where: string): Transform {
  const hash = createHash('sha256');
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      hash.update(chunk);
      callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      const actual = hash.digest('hex');
      callback(actual === expected ? null : new ArtifactCorruptError(expected, actual, where));
    },
  });
}
