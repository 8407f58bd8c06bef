/**
 * Uniform [0, 1) from the operating system's CSPRNG: privacy noise must not be predictable
 * (a seeded generator whose seed leaks lets anyone subtract the noise). 53 random bits per draw.
 */
import { randomBytes } from 'node:crypto';
import type { Random } from '@lathe/core';

export function secureRandom(): Random {
  let pool = Buffer.alloc(0);
  let offset = 0;
  return () => {
    if (offset + 8 > pool.length) {
      pool = randomBytes(8 * 1024);
      offset = 0;
    }
    const high = pool.readUInt32BE(offset) >>> 11; // 21 bits
    const low = pool.readUInt32BE(offset + 4); // 32 bits
    offset += 8;
    return (high * 4294967296 + low) / 9007199254740992;
  };
}
