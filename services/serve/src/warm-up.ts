/**
 * A warm-up call through a freshly loaded model, before it takes traffic: the first call of a
 * tfjs model compiles its kernels and allocates its buffers (tens of milliseconds), which
 * would otherwise land on the first caller. The instance is built from the model's own
 * signature and preprocessing, so it always fits.
 */
import type { LoadedModel } from '@lathe/ml';

export async function warmUp(model: LoadedModel): Promise<void> {
  const { useCase, inputs } = model.signature;
  if (useCase === 'recommendation') {
    const users = model.preprocessing.users as string[] | undefined;
    if (users?.[0] !== undefined) await model.recommendBatch([{ user: users[0], k: 1 }]);
    return;
  }
  if (useCase === 'tabular') {
    await model.predict([{ features: Object.fromEntries(inputs.map((input) => [input.name, null])) }]);
    return;
  }
  if (useCase === 'nlp') {
    await model.predict([{ text: 'warm up' }]);
    return;
  }
  if (useCase === 'image') {
    const shape = model.preprocessing.shape as { height: number; width: number; channels: number };
    await model.predict([{ pixels: new Array<number>(shape.height * shape.width * shape.channels).fill(0) }]);
  }
  // Generative models answer `generate`, not request traffic: nothing to warm.
}
