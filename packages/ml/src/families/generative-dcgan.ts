/**
 * A small DCGAN (Radford, Metz & Chintala 2016): the generator maps z ~ N(0, 1) through a dense
 * layer to (h/4 × w/4 × 2·width), then two stride-2 transposed convolutions (batch norm, leaky
 * ReLU) to an h × w image in [−1, 1] (tanh); the discriminator mirrors it with stride-2
 * convolutions. Losses are the non-saturating GAN losses (Goodfellow et al. 2014):
 * L_D = −log D(x) − log(1 − D(G(z))), L_G = −log D(G(z)).
 */
import * as tf from '@tensorflow/tfjs';
import { ValidationError } from '@lathe/core';
import type { BundleFiles } from '../bundle/bundle-format.ts';
import { jsonFile } from '../bundle/bundle-format.ts';
import { modelFromFiles, modelToFiles } from '../bundle/layers-model-files.ts';
import type { HyperparametersOf } from '../hyperparameters.ts';
import { deriveSeed, seededRandom } from '../random.ts';
import { clearDropoutSeeds, dropoutReseeder } from '../training/seed-dropout.ts';
import type { ImageRow, ImageShape } from '@lathe/contract';
import { createOptimizer, setLearningRate } from '../training/optimizers.ts';
import { requireImageShape, pixelsTensor } from './image-cnn.ts';
import { glorot } from './layers-family.ts';
import type { FamilyDefinition, TrainableModel } from './types.ts';

type Hp = HyperparametersOf<'dcgan'>;
type GanPrep = {
  shape: ImageShape;
  latentDim: number;
};

function buildGenerator(p: GanPrep, hp: Hp, seed: number): tf.LayersModel {
  const h = p.shape.height / 4;
  const w = p.shape.width / 4;
  return tf.sequential({
    layers: [
      tf.layers.dense({
        inputShape: [p.latentDim],
        units: h * w * hp.width * 2,
        useBias: false,
        kernelInitializer: glorot(seed, 1),
      }),
      tf.layers.batchNormalization(),
      tf.layers.leakyReLU({ alpha: 0.2 }),
      tf.layers.reshape({ targetShape: [h, w, hp.width * 2] }),
      tf.layers.conv2dTranspose({
        filters: hp.width,
        kernelSize: 4,
        strides: 2,
        padding: 'same',
        useBias: false,
        kernelInitializer: glorot(seed, 2),
      }),
      tf.layers.batchNormalization(),
      tf.layers.leakyReLU({ alpha: 0.2 }),
      tf.layers.conv2dTranspose({
        filters: p.shape.channels,
        kernelSize: 4,
        strides: 2,
        padding: 'same',
        activation: 'tanh',
        kernelInitializer: glorot(seed, 3),
      }),
    ],
  });
}

function buildDiscriminator(p: GanPrep, hp: Hp, seed: number): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [p.shape.height, p.shape.width, p.shape.channels],
        filters: hp.width,
        kernelSize: 4,
        strides: 2,
        padding: 'same',
        kernelInitializer: glorot(seed, 4),
      }),
      tf.layers.leakyReLU({ alpha: 0.2 }),
      ...(hp.dropout > 0 ? [tf.layers.dropout({ rate: hp.dropout })] : []),
      tf.layers.conv2d({
        filters: hp.width * 2,
        kernelSize: 4,
        strides: 2,
        padding: 'same',
        kernelInitializer: glorot(seed, 5),
      }),
      tf.layers.leakyReLU({ alpha: 0.2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 1, kernelInitializer: glorot(seed, 6) }), // logits
    ],
  });
}

const bce = (logits: tf.Tensor, label: 0 | 1) =>
  tf.losses.sigmoidCrossEntropy(label === 1 ? tf.onesLike(logits) : tf.zerosLike(logits), logits);

function toImages(batch: tf.Tensor4D): Uint8Array[] {
  const [n, h, w, c] = batch.shape;
  const values = batch.dataSync();
  const size = h * w * c;
  return Array.from({ length: n }, (_, i) =>
    Uint8Array.from(values.subarray(i * size, (i + 1) * size), (v) => Math.round(((v + 1) / 2) * 255)),
  );
}

function generate(generator: tf.LayersModel, p: GanPrep, count: number, seed: number): Uint8Array[] {
  const images = tf.tidy(
    () => generator.predict(tf.randomNormal([count, p.latentDim], 0, 1, 'float32', seed)) as tf.Tensor4D,
  );
  try {
    return toImages(images);
  } finally {
    images.dispose();
  }
}

/** A grid of greyscale (first channel) samples as a binary PGM, viewable by any image tool. */
function samplesPgm(images: Uint8Array[], shape: ImageShape): Uint8Array {
  const cols = Math.ceil(Math.sqrt(images.length));
  const rows = Math.ceil(images.length / cols);
  const W = cols * shape.width;
  const H = rows * shape.height;
  const pixels = new Uint8Array(W * H);
  images.forEach((img, k) => {
    const ox = (k % cols) * shape.width;
    const oy = Math.floor(k / cols) * shape.height;
    for (let y = 0; y < shape.height; y++)
      for (let x = 0; x < shape.width; x++)
        pixels[(oy + y) * W + ox + x] = img[(y * shape.width + x) * shape.channels]!;
  });
  return Buffer.concat([Buffer.from(`P5\n${W} ${H}\n255\n`, 'ascii'), pixels]);
}

interface GanModel extends TrainableModel {
  generator: tf.LayersModel;
}

async function createGan(p: GanPrep, hp: Hp, seed: number, files?: BundleFiles): Promise<GanModel> {
  const generator = files ? await modelFromFiles(files, 'generator/') : buildGenerator(p, hp, seed);
  const discriminator = files
    ? await modelFromFiles(files, 'discriminator/')
    : buildDiscriminator(p, hp, seed);
  const gOpt = createOptimizer(hp);
  const dOpt = createOptimizer(hp);
  let step = 0;
  const reseedDropout = dropoutReseeder(generator, discriminator);
  const dVars = () => discriminator.trainableWeights.map((w) => w.read() as tf.Variable);
  const gVars = () => generator.trainableWeights.map((w) => w.read() as tf.Variable);
  return {
    generator,
    async trainBatch(rows) {
      step++;
      const real = pixelsTensor(rows as ImageRow[], p.shape, (v) => (v / 255) * 2 - 1);
      const n = rows.length;
      const noiseSeed = deriveSeed(seed, step);
      reseedDropout(seededRandom(noiseSeed));
      const dLoss = dOpt.minimize(
        () => {
          const fake = generator.apply(tf.randomNormal([n, p.latentDim], 0, 1, 'float32', noiseSeed), {
            training: true,
          }) as tf.Tensor;
          const realLogits = discriminator.apply(real, { training: true }) as tf.Tensor;
          const fakeLogits = discriminator.apply(fake, { training: true }) as tf.Tensor;
          return tf.add(bce(realLogits, 1), bce(fakeLogits, 0)) as tf.Scalar;
        },
        true,
        dVars(),
      )!;
      const gLoss = gOpt.minimize(
        () => {
          const fake = generator.apply(tf.randomNormal([n, p.latentDim], 0, 1, 'float32', noiseSeed + 1), {
            training: true,
          }) as tf.Tensor;
          return bce(discriminator.apply(fake, { training: true }) as tf.Tensor, 1) as tf.Scalar;
        },
        true,
        gVars(),
      )!;
      const [d, g] = [(await dLoss.data())[0]!, (await gLoss.data())[0]!];
      tf.dispose([real, dLoss, gLoss]);
      return { loss: d + g, dLoss: d, gLoss: g };
    },
    evaluateBatch: () => null,
    setLearningRate(lr) {
      setLearningRate(gOpt, lr);
      setLearningRate(dOpt, lr);
    },
    snapshotWeights: () =>
      [...generator.getWeights(), ...discriminator.getWeights()].map((w) => tf.keep(w.clone())),
    restoreWeights(weights) {
      const g = generator.getWeights().length;
      generator.setWeights(weights.slice(0, g));
      discriminator.setWeights(weights.slice(g));
    },
    async files() {
      clearDropoutSeeds(generator, discriminator);
      return {
        ...(await modelToFiles(generator, 'generator/')),
        ...(await modelToFiles(discriminator, 'discriminator/')),
      };
    },
    dispose() {
      gOpt.dispose();
      dOpt.dispose();
      generator.dispose();
      discriminator.dispose();
    },
  };
}

export const generativeDcgan: FamilyDefinition<GanPrep> = {
  useCase: 'generative',
  async prepare(_rows, metadata, hp) {
    const shape = requireImageShape(metadata);
    if (shape.height % 4 !== 0 || shape.width % 4 !== 0) {
      throw new ValidationError(
        `dataset.imageShape: the DCGAN needs height and width divisible by 4, got ${shape.height}×${shape.width}`,
        { field: 'dataset.imageShape' },
        'invalid_hyperparameters',
      );
    }
    return { shape, latentDim: (hp as Hp).latentDim } satisfies GanPrep;
  },
  create: (prep, hp, seed, files) => createGan(prep, hp as Hp, seed, files),
  signature(p) {
    return {
      useCase: 'generative',
      inputs: [
        {
          name: 'count',
          type: 'number',
          description: `images to generate from N(0, 1) noise of dimension ${p.latentDim}`,
        },
      ],
      outputs: [
        {
          name: 'images',
          type: `uint8[${p.shape.height}×${p.shape.width}×${p.shape.channels}][]`,
          description: 'generated images',
        },
      ],
    };
  },
  async extraFiles(model, p, hp, seed) {
    const images = generate(
      (model as GanModel).generator,
      p,
      (hp as Hp).sampleCount,
      deriveSeed(seed, 424242),
    );
    return {
      'samples.pgm': samplesPgm(images, p.shape),
      'samples.json': jsonFile({ shape: p.shape, count: images.length }),
      'samples.bin': Buffer.concat(images),
    };
  },
  async load(files, p) {
    const generator = await modelFromFiles(files, 'generator/');
    const discriminator = await modelFromFiles(files, 'discriminator/');
    return {
      // For images, `predict` gives the discriminator's probability that each is real.
      async predict(rows) {
        const x = pixelsTensor(rows as ImageRow[], p.shape, (v) => (v / 255) * 2 - 1);
        const y = tf.tidy(() => tf.sigmoid(discriminator.predict(x) as tf.Tensor));
        const values = await y.data();
        tf.dispose([x, y]);
        return Array.from(values, (score) => ({ score }));
      },
      async generate(count, seed = 0) {
        return { shape: p.shape, images: generate(generator, p, count, seed) };
      },
      dispose() {
        generator.dispose();
        discriminator.dispose();
      },
    };
  },
};
