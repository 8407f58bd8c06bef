/** A tfjs LayersModel as two bundle files (`<prefix>model.json`, `<prefix>weights.bin`), tfjs's own format. */
import * as tf from '@tensorflow/tfjs';
import type { BundleFiles } from './bundle-format.ts';
import { readJsonFile } from './bundle-format.ts';

function toBytes(data: ArrayBuffer | ArrayBuffer[] | undefined): Uint8Array {
  if (data === undefined) return new Uint8Array();
  const parts = Array.isArray(data) ? data : [data];
  return Buffer.concat(parts.map((p) => new Uint8Array(p)));
}

export async function modelToFiles(model: tf.LayersModel, prefix = ''): Promise<BundleFiles> {
  let files: BundleFiles = {};
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const { weightData, ...rest } = artifacts;
      files = {
        [`${prefix}model.json`]: Buffer.from(JSON.stringify(rest), 'utf8'),
        [`${prefix}weights.bin`]: toBytes(weightData),
      };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return files;
}

export async function modelFromFiles(files: BundleFiles, prefix = ''): Promise<tf.LayersModel> {
  const artifacts = readJsonFile<tf.io.ModelArtifacts>(files, `${prefix}model.json`);
  const weights = files[`${prefix}weights.bin`] ?? new Uint8Array();
  // Copy into an ArrayBuffer of exactly their length (Buffer#slice is a view on a shared pool).
  const weightData = Uint8Array.prototype.slice.call(weights).buffer;
  return tf.loadLayersModel(tf.io.fromMemory({ ...artifacts, weightData }));
}
