/**
 * A bundle is several files stored as one artifact (a tfjs model is `model.json` plus weight
 * shards). Each file is stored as its own blob; the bundle is a JSON manifest of
 * `{ path, sha256, sizeBytes }` sorted by path, itself stored as a blob. The manifest's
 * sha256 is the bundle's identity: the same files give the same id, and shared files
 * (unchanged weights) are stored once.
 */
import { ValidationError } from '@lathe/core';
import type { ArtifactStore, BundleFiles, BundleManifest, PutResult } from './artifact-store.ts';

function checkPath(path: string): void {
  if (
    path === '' ||
    path.startsWith('/') ||
    path.split('/').some((part) => part === '..' || part === '.' || part === '')
  ) {
    throw new ValidationError(
      `bundle file path "${path}" is not a clean relative path (no leading "/", no "." or ".." segments)`,
      { path },
      'invalid_bundle_path',
    );
  }
}

export async function putBundle(
  store: ArtifactStore,
  files: BundleFiles,
): Promise<PutResult & { manifest: BundleManifest }> {
  const entries: BundleManifest['files'] = [];
  for (const path of Object.keys(files).sort()) {
    checkPath(path);
    const stored = await store.put(files[path] as Buffer);
    entries.push({ path, sha256: stored.sha256, sizeBytes: stored.sizeBytes });
  }
  const manifest: BundleManifest = { kind: 'lathe.bundle/v1', files: entries };
  const stored = await store.put(Buffer.from(JSON.stringify(manifest)));
  return { ...stored, manifest };
}

export async function getBundleManifest(store: ArtifactStore, ref: string): Promise<BundleManifest> {
  const bytes = await store.getBuffer(ref);
  let manifest: BundleManifest;
  try {
    manifest = JSON.parse(bytes.toString('utf8')) as BundleManifest;
  } catch {
    // Why the cast: A manifest that does not parse is checked as one of an unknown kind, so it is refused with the same code.
    manifest = { kind: 'invalid' } as unknown as BundleManifest;
  }
  if (manifest.kind !== 'lathe.bundle/v1' || !Array.isArray(manifest.files)) {
    throw new ValidationError(
      `artifact ${ref} is not a bundle manifest (kind lathe.bundle/v1)`,
      { ref },
      'not_a_bundle',
    );
  }
  return manifest;
}

/** Every file of the bundle, each verified against its own sha256 while read. */
export async function getBundle(store: ArtifactStore, ref: string): Promise<BundleFiles> {
  const manifest = await getBundleManifest(store, ref);
  const files: BundleFiles = {};
  for (const entry of manifest.files) files[entry.path] = await store.getBuffer(entry.sha256);
  return files;
}
