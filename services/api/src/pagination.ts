/**
 * Cursor pagination over Prisma: the cursor is the opaque base64url of the last item's id, and
 * Prisma's `cursor` + `skip: 1` resumes after it under any `orderBy` that ends with `id` (a
 * total order, so no row is skipped or repeated when rows share a sort value).
 */
import { HttpProblem } from '@lathe/core';

export function encodeCursor(id: string): string {
  return Buffer.from(id, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^[0-9a-f-]{36}$/i.test(id)) {
    throw new HttpProblem(422, 'validation_failed', 'query.cursor: not a cursor returned by this API', [
      { field: 'query.cursor', message: 'not a cursor returned by this API' },
    ]);
  }
  return id;
}

export interface PageArgs {
  take: number;
  cursor?: { id: string };
  skip?: number;
}

export async function paginate<T extends { id: string }>(
  query: { cursor?: string | undefined; limit: number },
  find: (args: PageArgs) => Promise<T[]>,
): Promise<{ items: T[]; nextCursor: string | null }> {
  const after = decodeCursor(query.cursor);
  const rows = await find({ take: query.limit + 1, ...(after ? { cursor: { id: after }, skip: 1 } : {}) });
  const hasMore = rows.length > query.limit;
  const items = hasMore ? rows.slice(0, query.limit) : rows;
  const last = items[items.length - 1];
  return { items, nextCursor: hasMore && last ? encodeCursor(last.id) : null };
}

/** `-createdAt` → `{ createdAt: 'desc' }`; the id tiebreak keeps the order total. */
export function sortOrder<F extends string>(sort: `${'' | '-'}${F}`): Array<Record<string, 'asc' | 'desc'>> {
  const desc = sort.startsWith('-');
  const field = desc ? sort.slice(1) : sort;
  return [{ [field]: desc ? 'desc' : 'asc' }, { id: desc ? 'desc' : 'asc' }];
}
