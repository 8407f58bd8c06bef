/**
 * A folder of images, one sub-folder per label (`cats/001.png` is labelled `cats`), the
 * layout of Keras' `image_dataset_from_directory`. PNG and JPEG are decoded with sharp to raw
 * greyscale or RGB bytes. Files are visited in sorted order so the content hash is stable.
 */
import { readdir } from 'node:fs/promises';
import { extname, join } from 'node:path';
import sharp from 'sharp';
import { DataSourceError } from '../data-errors.ts';
import type { ImageShape } from '@lathe/contract';
import type { OpenedSource, SourceRecord } from './source-record.ts';

const EXTENSIONS = new Set(['.png', '.jpg', '.jpeg']);

async function listImages(root: string): Promise<Array<{ label: string; path: string }>> {
  let entries;
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch {
    throw new DataSourceError('source_not_found', `cannot read image folder ${root}`, { path: root });
  }
  const files: Array<{ label: string; path: string }> = [];
  for (const dir of entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort()) {
    for (const name of (await readdir(join(root, dir))).sort()) {
      if (EXTENSIONS.has(extname(name).toLowerCase()))
        files.push({ label: dir, path: join(root, dir, name) });
    }
  }
  return files;
}

async function decode(path: string, channels: 1 | 3, resize?: { width: number; height: number }) {
  let image = sharp(path, { failOn: 'error' });
  if (resize) image = image.resize(resize.width, resize.height, { fit: 'fill' });
  image = channels === 1 ? image.greyscale() : image.removeAlpha().toColourspace('srgb');
  try {
    const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height, channels: info.channels };
  } catch (error) {
    throw new DataSourceError(
      'invalid_image',
      `${path} cannot be decoded as PNG/JPEG: ${(error as Error).message}`,
      { path },
    );
  }
}

export async function openImageFolder(options: {
  path: string;
  channels: 1 | 3;
  resize?: { width: number; height: number };
  limit?: number;
}): Promise<OpenedSource> {
  const files = (await listImages(options.path)).slice(0, options.limit);
  if (files.length === 0) {
    throw new DataSourceError(
      'empty_source',
      `${options.path} holds no .png/.jpg images in label sub-folders (expected <folder>/<label>/<image>)`,
      {
        path: options.path,
      },
    );
  }
  const first = await decode((files[0] as { path: string }).path, options.channels, options.resize);
  const shape: ImageShape = { width: first.width, height: first.height, channels: options.channels };
  async function* records(): AsyncIterable<SourceRecord> {
    let row = 0;
    for (const file of files) {
      row += 1;
      const image = row === 1 ? first : await decode(file.path, options.channels, options.resize);
      if (image.width !== shape.width || image.height !== shape.height) {
        throw new DataSourceError(
          'wrong_image_size',
          `${file.path} (row ${row}) is ${image.width}×${image.height} but the dataset's images are ${shape.width}×${shape.height}; pass resize: {width, height} to resize all images`,
          { row, path: file.path, width: image.width, height: image.height, expected: shape },
        );
      }
      yield {
        values: {
          label: file.label,
          pixels: new Uint8Array(image.data.buffer, image.data.byteOffset, image.data.length),
        },
        row,
      };
    }
  }
  return {
    format: 'image-folder',
    columns: ['label', 'pixels'],
    records: records(),
    image: shape,
    description: { path: options.path, files: files.length },
  };
}
