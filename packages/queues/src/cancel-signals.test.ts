import { describe, expect, it } from 'vitest';
import { cancelChannel, createCancelWatches } from './cancel-signals.ts';

describe('cancel watches', () => {
  it('calls the watches of the announced run only, and forgets a watch once it is released', () => {
    const watches = createCancelWatches();
    const heard: string[] = [];
    const releaseA1 = watches.watch('run-a', () => heard.push('a1'));
    watches.watch('run-a', () => heard.push('a2'));
    const releaseB = watches.watch('run-b', () => heard.push('b'));

    expect(watches.announce('run-a')).toBe(2);
    expect(heard).toEqual(['a1', 'a2']);
    expect(watches.announce('run-c')).toBe(0);

    releaseA1();
    heard.length = 0;
    watches.announce('run-a');
    expect(heard).toEqual(['a2']);
    releaseB();
    releaseB(); // twice is harmless
    expect(watches.announce('run-b')).toBe(0);
    expect(watches.size).toBe(1);
  });

  it('names one channel per installation (queue prefix)', () => {
    expect(cancelChannel('lathe')).toBe('lathe:lathe:cancel');
    expect(cancelChannel('test-abc')).not.toBe(cancelChannel('test-def'));
  });
});
