import { LatheError, NotFoundError } from '@lathe/core';

export class ArtifactCorruptError extends LatheError {
  constructor(expected: string, actual: string, where: string) {
    super(
      'artifact_corrupt',
      `artifact ${where} is corrupt: its bytes hash to sha256 ${actual}, expected ${expected}; delete it and re-create it from its source`,
      { httpStatus: 500, permanent: true, details: { expected, actual, where } },
    );
  }
}

export class ArtifactNotFoundError extends NotFoundError {
  constructor(ref: string) {
    super('artifact', ref);
    // NotFoundError's code is generic; readers of artifacts want to tell this case apart.
    Object.defineProperty(this, 'code', { value: 'artifact_not_found' });
  }
}

export class InvalidArtifactRefError extends LatheError {
  constructor(ref: string) {
    super(
      'invalid_artifact_ref',
      `"${ref}" is not an artifact reference: give a 64-character hex sha256 or a URI ending in one`,
      { httpStatus: 400, details: { ref } },
    );
  }
}

/**
 * The store's filesystem is full (ENOSPC) or over its quota (EDQUOT). Not permanent: the same
 * write succeeds once space is freed, so a stage that hits it can be retried as it is.
 */
export class ArtifactStoreFullError extends LatheError {
  constructor(root: string, cause: NodeJS.ErrnoException) {
    super(
      'artifact_store_full',
      `the artifact store at ${root} has no space left (${cause.code}); free space or grow the volume, then retry the run`,
      { httpStatus: 507, details: { root, errno: cause.code } },
    );
  }
}

/** Whether `error` says the filesystem has no room for the write. */
export function isNoSpaceError(error: unknown): error is NodeJS.ErrnoException {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}
