import { resolve } from 'node:path';
import { ConfigError } from '@lathe/core';
import type { ArtifactStore } from './artifact-store.ts';
import { LocalArtifactStore } from './local-artifact-store.ts';
import { S3ArtifactStore } from './s3-artifact-store.ts';

export interface ArtifactStoreConfig {
  /** Local root; default `.lathe/artifacts` under the working directory. */
  dir?: string;
  s3?: {
    bucket: string;
    prefix?: string;
    endpoint?: string;
    region?: string;
    forcePathStyle?: boolean;
    credentials?: { accessKeyId: string; secretAccessKey: string };
  };
}

/**
 * Reads the store configuration from the environment:
 * `LATHE_S3_BUCKET` selects S3 (with `LATHE_S3_ENDPOINT`, `LATHE_S3_REGION`, `LATHE_S3_PREFIX`,
 * `LATHE_S3_FORCE_PATH_STYLE`, and `LATHE_S3_ACCESS_KEY_ID`/`LATHE_S3_SECRET_ACCESS_KEY` or the
 * AWS SDK's own credential chain); otherwise the local directory `LATHE_ARTIFACT_DIR`.
 */
export function artifactStoreConfigFromEnv(env: NodeJS.ProcessEnv): ArtifactStoreConfig {
  const bucket = env.LATHE_S3_BUCKET;
  if (!bucket) {
    if (env.LATHE_S3_ENDPOINT) {
      throw new ConfigError(
        'LATHE_S3_ENDPOINT is set but LATHE_S3_BUCKET is not: set the bucket or unset the endpoint',
      );
    }
    return env.LATHE_ARTIFACT_DIR ? { dir: env.LATHE_ARTIFACT_DIR } : {};
  }
  const accessKeyId = env.LATHE_S3_ACCESS_KEY_ID;
  const secretAccessKey = env.LATHE_S3_SECRET_ACCESS_KEY;
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    throw new ConfigError('set both LATHE_S3_ACCESS_KEY_ID and LATHE_S3_SECRET_ACCESS_KEY, or neither');
  }
  return {
    s3: {
      bucket,
      ...(env.LATHE_S3_PREFIX ? { prefix: env.LATHE_S3_PREFIX } : {}),
      ...(env.LATHE_S3_ENDPOINT ? { endpoint: env.LATHE_S3_ENDPOINT } : {}),
      ...(env.LATHE_S3_REGION ? { region: env.LATHE_S3_REGION } : {}),
      ...(env.LATHE_S3_FORCE_PATH_STYLE ? { forcePathStyle: env.LATHE_S3_FORCE_PATH_STYLE === 'true' } : {}),
      ...(accessKeyId && secretAccessKey ? { credentials: { accessKeyId, secretAccessKey } } : {}),
    },
  };
}

export function createArtifactStore(config: ArtifactStoreConfig): ArtifactStore {
  if (config.s3) return new S3ArtifactStore(config.s3);
  return new LocalArtifactStore(resolve(config.dir ?? '.lathe/artifacts'));
}
