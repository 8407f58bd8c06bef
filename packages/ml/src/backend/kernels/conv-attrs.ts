/** The attributes of tfjs's Conv2DBackpropInput / Conv2DBackpropFilter kernels, and their geometry. */
import { backend_util } from '@tensorflow/tfjs-core';
import type { NamedAttrMap } from '@tensorflow/tfjs-core';

export interface ConvGradientAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

export function convGradientAttrs(attrs: NamedAttrMap | undefined): ConvGradientAttrs {
  // Why the cast: tfjs passes attributes as a NamedAttrMap; these are the attributes this kernel's op defines.
  return attrs as unknown as ConvGradientAttrs;
}

/** Geometry of the forward convolution x [n, h, w, ci] ⊛ filter [fh, fw, ci, co] (NHWC, no dilation). */
export function forwardConvInfo(
  xShape: number[],
  filterShape: number[],
  attrs: ConvGradientAttrs,
): backend_util.Conv2DInfo {
  return backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
}

/** Explicit NHWC padding in the form Conv2D's `pad` attribute takes. */
export function explicitPadding(
  top: number,
  bottom: number,
  left: number,
  right: number,
): backend_util.ExplicitPadding {
  return [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ];
}
