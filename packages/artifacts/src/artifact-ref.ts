import { InvalidArtifactRefError } from './artifact-errors.ts';

const SHA256 = /^[0-9a-f]{64}$/;

/** Accepts a bare digest or any URI this project produces (`file://…/<sha>`, `s3://…/<sha>`). */
export function parseArtifactRef(ref: string): string {
  const candidate = ref.slice(ref.lastIndexOf('/') + 1).toLowerCase();
  if (!SHA256.test(candidate)) throw new InvalidArtifactRefError(ref);
  return candidate;
}

/** `sha256/ab/abcdef…`: two-character fan-out keeps directories (and S3 listings) small. */
export function artifactKey(sha256: string, prefix = ''): string {
  const clean = prefix.replace(/^\/+|\/+$/g, '');
  const key = `sha256/${sha256.slice(0, 2)}/${sha256}`;
  return clean === '' ? key : `${clean}/${key}`;
}
