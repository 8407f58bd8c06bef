/**
 * A model bundle is a set of named files stored as ONE content-addressed artifact:
 *   "LATHEBUNDLE1\n" | u32 LE manifest length | manifest JSON | file bytes, in manifest order.
 * The manifest lists each file's name, size and sha256, so a damaged bundle is detected per
 * file as well as by the artifact's own sha256.
 */
import { createHash } from 'node:crypto';
import { LatheError } from '@lathe/core';

const MAGIC = Buffer.from('LATHEBUNDLE1\n', 'utf8');

export type BundleFiles = Record<string, Uint8Array>;

interface Manifest {
  files: { name: string; size: number; sha256: string }[];
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function serializeBundle(files: BundleFiles): Buffer {
  const names = Object.keys(files).sort();
  const manifest: Manifest = {
    files: names.map((name) => ({ name, size: files[name]!.byteLength, sha256: sha256Hex(files[name]!) })),
  };
  const json = Buffer.from(JSON.stringify(manifest), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(json.length);
  return Buffer.concat([MAGIC, length, json, ...names.map((n) => files[n]!)]);
}

function corrupt(message: string): LatheError {
  return new LatheError('model_bundle_corrupt', message, { permanent: true });
}

export function deserializeBundle(
  buffer: Uint8Array,
  options: { expectedSha256?: string } = {},
): BundleFiles {
  const bytes = Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  if (options.expectedSha256 !== undefined) {
    const actual = sha256Hex(bytes);
    if (actual !== options.expectedSha256.toLowerCase()) {
      throw new LatheError(
        'artifact_checksum_mismatch',
        `model bundle sha256 is ${actual}, expected ${options.expectedSha256}: the artifact is damaged or not the one recorded`,
        {
          permanent: true,
          details: { expected: options.expectedSha256, actual },
        },
      );
    }
  }
  if (bytes.length < MAGIC.length + 4 || !bytes.subarray(0, MAGIC.length).equals(MAGIC))
    throw corrupt('not a Lathe model bundle (bad header)');
  const manifestLength = bytes.readUInt32LE(MAGIC.length);
  let offset = MAGIC.length + 4;
  let manifest: Manifest;
  try {
    manifest = JSON.parse(bytes.subarray(offset, offset + manifestLength).toString('utf8')) as Manifest;
  } catch (error) {
    throw corrupt(`model bundle manifest at offset ${offset} is not JSON: ${(error as Error).message}`);
  }
  offset += manifestLength;
  const files: BundleFiles = {};
  for (const entry of manifest.files) {
    if (offset + entry.size > bytes.length)
      throw corrupt(
        `model bundle file ${entry.name} runs past the end (offset ${offset}, size ${entry.size})`,
      );
    const file = bytes.subarray(offset, offset + entry.size);
    if (sha256Hex(file) !== entry.sha256)
      throw corrupt(`model bundle file ${entry.name} at offset ${offset} does not match its sha256`);
    files[entry.name] = file;
    offset += entry.size;
  }
  return files;
}

export function jsonFile(value: unknown): Uint8Array {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

export function readJsonFile<T>(files: BundleFiles, name: string): T {
  const file = files[name];
  if (file === undefined) throw corrupt(`model bundle has no ${name}`);
  return JSON.parse(Buffer.from(file).toString('utf8')) as T;
}
