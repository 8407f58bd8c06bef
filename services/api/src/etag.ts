/**
 * Optimistic concurrency over HTTP (RFC 9110 §13.1.1): the ETag of an experiment or alias is
 * its revision; an update must send it back in If-Match. A missing If-Match is 428 (RFC 6585),
 * a stale one 412: the client reloads and retries instead of silently overwriting.
 */
import type { Request, Response } from 'express';
import { HttpProblem, LatheError } from '@lathe/core';

export function etagOf(revision: number): string {
  return `"${revision}"`;
}

export function setEtag(res: Response, revision: number): void {
  res.set('ETag', etagOf(revision));
}

/** The revision named by If-Match; throws 428 when absent and 412 when unreadable. */
export function requiredIfMatch(req: Request, what: string): number {
  const header = req.get('if-match');
  if (!header) {
    throw new HttpProblem(
      428,
      'if_match_required',
      `updating ${what} needs an If-Match header with the ETag from GET (e.g. If-Match: "3")`,
    );
  }
  const match = /^\s*(?:W\/)?"(\d{1,9})"\s*$/.exec(header);
  if (!match) {
    throw new HttpProblem(
      412,
      'precondition_failed',
      `If-Match ${JSON.stringify(header.slice(0, 40))} is not an ETag of ${what}; GET it and send its ETag`,
    );
  }
  return Number(match[1]);
}

/** A registry `revision_mismatch` conflict, as HTTP's 412. */
export function asPreconditionFailed(error: unknown): never {
  if (error instanceof LatheError && error.code === 'revision_mismatch') {
    throw new HttpProblem(
      412,
      'precondition_failed',
      `${error.message} (If-Match did not match the current ETag)`,
    );
  }
  throw error;
}
