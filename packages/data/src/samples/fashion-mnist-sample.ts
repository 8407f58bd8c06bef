/**
 * Fashion-MNIST (Xiao, Rasul, Vollgraf 2017; MIT) from Debian's `dataset-fashion-mnist`:
 * 60,000 training and 10,000 test images of 28×28 greyscale product photos in IDX format.
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { DataSourceError } from '../data-errors.ts';
import { openIdx } from '../sources/idx-source.ts';
import type { OpenedSource, SourceRecord } from '../sources/source-record.ts';

export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';
export const FASHION_MNIST_LABELS = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

export async function openFashionMnistSample(options: {
  part?: 'train' | 'test' | 'all';
  limit?: number;
  dir?: string;
}): Promise<OpenedSource> {
  const dir = options.dir ?? FASHION_MNIST_DIR;
  const parts = options.part === 'test' ? ['t10k'] : options.part === 'train' ? ['train'] : ['train', 't10k'];
  const paths = parts.map((p) => ({
    images: join(dir, `${p}-images-idx3-ubyte.gz`),
    labels: join(dir, `${p}-labels-idx1-ubyte.gz`),
  }));
  for (const p of paths) {
    try {
      await access(p.images);
      await access(p.labels);
    } catch {
      throw new DataSourceError(
        'sample_unavailable',
        `Fashion-MNIST is not installed (${p.images} is missing): run \`apt-get install -y dataset-fashion-mnist\``,
        {
          path: p.images,
        },
      );
    }
  }
  let remaining = options.limit ?? Infinity;
  const opened: OpenedSource[] = [];
  for (const p of paths)
    opened.push(
      await openIdx({
        ...p,
        labelNames: FASHION_MNIST_LABELS,
        ...(Number.isFinite(remaining) ? { limit: remaining } : {}),
      }),
    );
  async function* records(): AsyncIterable<SourceRecord> {
    let row = 0;
    for (const source of opened) {
      for await (const record of source.records) {
        if (remaining <= 0) return;
        remaining -= 1;
        row += 1;
        yield { values: record.values, row };
      }
    }
  }
  return {
    format: 'sample:fashion-mnist',
    columns: ['label', 'pixels'],
    records: records(),
    image: { width: 28, height: 28, channels: 1 },
    description: { sample: 'fashion-mnist', package: 'dataset-fashion-mnist', part: options.part ?? 'all' },
  };
}
