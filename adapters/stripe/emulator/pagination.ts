import type Stripe from 'stripe';
import { resourceMissing } from './errors.js';

export interface PageParams {
  limit?: number | undefined;
  starting_after?: string | undefined;
  ending_before?: string | undefined;
}

/**
 * Stripe's cursor pagination over items already sorted newest first: `limit` (default 10),
 * `starting_after` (older than that id), `ending_before` (newer than that id), `has_more`.
 */
export function paginate<T extends { id: string }>(
  newestFirst: readonly T[],
  params: PageParams,
  url: string,
  noun: string,
): Stripe.ApiList<T> {
  const limit = params.limit ?? 10;
  let start = 0;
  let end = newestFirst.length;
  if (params.starting_after) {
    const at = newestFirst.findIndex((item) => item.id === params.starting_after);
    if (at === -1) throw resourceMissing(noun, params.starting_after, 'starting_after');
    start = at + 1;
  } else if (params.ending_before) {
    const at = newestFirst.findIndex((item) => item.id === params.ending_before);
    if (at === -1) throw resourceMissing(noun, params.ending_before, 'ending_before');
    end = at;
    start = Math.max(0, end - limit);
  }
  const page = newestFirst.slice(start, Math.min(end, start + limit));
  const hasMore = params.ending_before ? start > 0 : start + page.length < end;
  return { object: 'list', data: [...page], has_more: hasMore, url };
}

/** Insertion order is creation order; lists are newest first. */
export function newestFirst<T>(values: Iterable<T>): T[] {
  return [...values].reverse();
}
