/**
 * Collects, per row, only what the chosen split strategy needs (the label for stratified, the
 * user and timestamp for time / leave-last-n-out; nothing for random), as growable typed
 * arrays of dictionary codes: 4–8 bytes a row instead of a string per row, so a million-row
 * ingest keeps a few MB of split keys.
 */
import type { SplitSpec } from '@lathe/contract';
import type { SplitKeys } from '../split/split-indices.ts';

class GrowableUint32 {
  data = new Uint32Array(1024);
  length = 0;
  push(value: number): void {
    if (this.length === this.data.length) {
      const next = new Uint32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = value;
  }
}

class GrowableFloat64 {
  data = new Float64Array(1024);
  length = 0;
  push(value: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = value;
  }
}

class Dictionary {
  readonly names: string[] = [];
  private readonly codes = new Map<string, number>();
  code(name: string): number {
    let code = this.codes.get(name);
    if (code === undefined) {
      code = this.names.length;
      this.names.push(name);
      this.codes.set(name, code);
    }
    return code;
  }
}

export class SplitKeyCollector {
  private readonly wantLabels: boolean;
  private readonly wantUsers: boolean;
  private readonly labels = new GrowableUint32();
  private readonly labelNames = new Dictionary();
  private readonly users = new GrowableUint32();
  private readonly userNames = new Dictionary();
  private readonly times = new GrowableFloat64();
  private readonly nullTimes = new Set<number>();

  constructor(strategy: SplitSpec['strategy']) {
    this.wantLabels = strategy === 'stratified';
    this.wantUsers = strategy === 'time' || strategy === 'leave-last-n-out';
  }

  /** One call per written row: its label, or its user and timestamp. */
  add(label: string | undefined, user?: string, timestamp?: number | null): void {
    if (this.wantLabels && label !== undefined) this.labels.push(this.labelNames.code(label));
    if (this.wantUsers && user !== undefined) {
      this.users.push(this.userNames.code(user));
      if (timestamp === null || timestamp === undefined) this.nullTimes.add(this.times.length);
      this.times.push(timestamp ?? 0);
    }
  }

  /** The keys in the shape splitIndices takes (strings are shared, not copied per row). */
  keys(): SplitKeys {
    const keys: SplitKeys = {};
    if (this.wantLabels && this.labels.length > 0) {
      keys.labels = Array.from(
        this.labels.data.subarray(0, this.labels.length),
        (c) => this.labelNames.names[c] as string,
      );
    }
    if (this.wantUsers && this.users.length > 0) {
      keys.users = Array.from(
        this.users.data.subarray(0, this.users.length),
        (c) => this.userNames.names[c] as string,
      );
      keys.timestamps = Array.from(this.times.data.subarray(0, this.times.length), (t, i) =>
        this.nullTimes.has(i) ? null : t,
      );
    }
    return keys;
  }
}
