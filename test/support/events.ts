import { parseEventText, type ValidatedEvent } from '../../core/events/validate';

export const DAY = Date.UTC(2026, 10, 20);

/** A small Altis-shaped event; `extra` fields are merged in at the top level. */
export function altisEvent(ts: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    event_type: 'pageView',
    event_timestamp: ts,
    attributes: { url: 'https://example.com/', blogId: '1' },
    metrics: { scrollDepth: 0.5 },
    endpoint: { Id: `ep-${ts}`, Location: { Country: 'GB' } },
    ...extra,
  };
}

export function validated(docs: readonly Record<string, unknown>[]): ValidatedEvent[] {
  return docs.map((d, i) => parseEventText(JSON.stringify(d), { index: i }));
}
