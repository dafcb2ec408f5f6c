import type { Store } from '../../core/store/store';

/** Every stored document, file by file (oldest first) then line by line: arrival order. */
export async function storedDocuments(store: Store): Promise<string[]> {
  const files = await store.files.oldestPending(10_000);
  const session = await store.db.openReadSession();
  try {
    const docs: string[] = [];
    for (const f of files) for await (const page of store.files.documents(session, f.id)) docs.push(...page.map(String));
    return docs;
  } finally {
    await session.close();
  }
}

/** The stored files' uuids and event counts, oldest first. */
export async function storedFiles(store: Store): Promise<{ uuid: string; events: number }[]> {
  return (await store.files.oldestPending(10_000)).map((f) => ({ uuid: f.uuid, events: f.events }));
}

export async function postEvents(
  url: string,
  body: string | Buffer,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Headers; json: Record<string, unknown> }> {
  const res = await fetch(`${url}/wp-json/analytics/v1/events`, { method: 'POST', body, headers });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = { raw: text };
  }
  return { status: res.status, headers: res.headers, json };
}
