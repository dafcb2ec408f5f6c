/**
 * Deterministic generator of realistic Altis (AWS Pinpoint) analytics events, as the
 * Altis analytics JavaScript client records them: mostly page views, a few sessions,
 * clicks and conversions, each 1–1.5 KB of JSON. The same (count, day, seed, site) always
 * gives the same events, byte for byte.
 */
import fs from 'node:fs';
import { once } from 'node:events';

export interface GenerateOptions {
  /** UTC day the event_timestamps fall in, `YYYY-MM-DD` (default 2026-11-20). */
  day?: string;
  /** PRNG seed (default 1). */
  seed?: number;
  /** attributes.blogId of every event (default "1"). */
  site?: string;
  /** Give every event a unique `event_id` (default true), so the store's duplicate check is exercised. */
  eventIds?: boolean;
  /**
   * Give every event the browser's `attributes.userAgent` (default false, so earlier figures
   * stay comparable); one visitor in twenty is a crawler. Nothing else changes.
   */
  userAgents?: boolean;
}

/** mulberry32: small, fast, good enough for test data. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PAGES = ['/', '/blog/', '/pricing/', '/about/', '/contact/', '/docs/getting-started/', '/docs/analytics/data-export/', '/blog/2026/11/hello-world/', '/careers/', '/products/widgets/'];
const REFERERS = ['', 'https://www.google.com/', 'https://www.bing.com/', 'https://t.co/abc123', 'https://www.linkedin.com/', 'https://news.ycombinator.com/'];
const CITIES: [string, string, string, number, number, string][] = [
  ['London', 'GB', 'England', 51.5072, -0.1276, 'EC1A'],
  ['Paris', 'FR', 'Île-de-France', 48.8566, 2.3522, '75001'],
  ['New York', 'US', 'NY', 40.7128, -74.006, '10001'],
  ['Berlin', 'DE', 'Berlin', 52.52, 13.405, '10115'],
  ['São Paulo', 'BR', 'SP', -23.5505, -46.6333, '01000-000'],
  ['Tokyo', 'JP', 'Tokyo', 35.6762, 139.6503, '100-0001'],
  ['Sydney', 'AU', 'NSW', -33.8688, 151.2093, '2000'],
];
const BROWSERS: [string, string][] = [
  ['Chrome', '131.0.0.0'],
  ['Firefox', '133.0'],
  ['Safari', '18.1'],
  ['Edge', '131.0'],
];
const PLATFORMS: [string, string, string][] = [
  ['macOS', '15.1', 'Macintosh'],
  ['Windows', '10', 'PC'],
  ['iOS', '18.1', 'iPhone'],
  ['Android', '15', 'Pixel 8'],
  ['Linux', '6.1', 'PC'],
];
const CRAWLERS = [
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
  'Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)',
  'python-requests/2.32.3',
];
const LOCALES = ['en-GB', 'en-US', 'fr-FR', 'de-DE', 'pt-BR', 'ja-JP'];
const OTHER_TYPES = ['_session.start', '_session.stop', 'click', 'conversion', 'experienceView', 'scroll'];
const CAMPAIGNS = ['black-friday', 'newsletter-nov', 'spring-launch'];
const SOURCES = ['google', 'newsletter', 'twitter', 'linkedin'];
const AUDIENCES = ['returning', 'new', 'newsletter', 'developer', 'enterprise'];

function hex(rand: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += ((rand() * 16) | 0).toString(16);
  return s;
}

function uuid(rand: () => number): string {
  return `${hex(rand, 8)}-${hex(rand, 4)}-4${hex(rand, 3)}-${'89ab'[(rand() * 4) | 0]}${hex(rand, 3)}-${hex(rand, 12)}`;
}

function pick<T>(rand: () => number, list: readonly T[]): T {
  return list[(rand() * list.length) | 0];
}

function dayStart(day: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) throw new Error(`day must be YYYY-MM-DD, got "${day}"`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
}

/**
 * `count` events of the day, event_timestamp spread evenly over it in arrival order, as a
 * real stream delivers them: each event up to a minute late, so the order by time is
 * only roughly the arrival order.
 */
export function* generateEvents(count: number, options: GenerateOptions = {}): Generator<Record<string, unknown>> {
  const rand = prng(options.seed ?? 1);
  const start = dayStart(options.day ?? '2026-11-20');
  const site = options.site ?? '1';
  const withIds = options.eventIds !== false;
  const appId = hex(rand, 32);
  // A pool of visitors, so endpoints and sessions repeat as on a real site.
  const visitors = Array.from({ length: Math.max(1, Math.min(5000, Math.ceil(count / 8))) }, () => ({
    endpoint: uuid(rand),
    client: uuid(rand),
    cognito: `eu-central-1:${uuid(rand)}`,
    user: rand() < 0.2 ? String(1 + ((rand() * 10000) | 0)) : null,
    city: pick(rand, CITIES),
    browser: pick(rand, BROWSERS),
    platform: pick(rand, PLATFORMS),
    locale: pick(rand, LOCALES),
    session: uuid(rand),
    sessionStart: start + Math.floor(rand() * 86_000_000),
    audiences: AUDIENCES.filter(() => rand() < 0.4),
  }));
  for (let i = 0; i < count; i++) {
    const k = (rand() * visitors.length) | 0;
    const v = visitors[k];
    const ts = Math.min(start + 86_399_999, start + Math.max(0, Math.floor((i * 86_400_000) / count - rand() * 60_000)));
    const type = rand() < 0.8 ? 'pageView' : pick(rand, OTHER_TYPES);
    const page = pick(rand, PAGES);
    const utm = rand() < 0.25;
    const attributes: Record<string, unknown> = {
      url: `https://www.example.com${page}${utm ? `?utm_source=${pick(rand, SOURCES)}` : ''}`,
      referer: pick(rand, REFERERS),
      blogId: site,
      session: v.session,
      pageSession: uuid(rand),
      ...(utm ? { qv_utm_source: pick(rand, SOURCES), qv_utm_medium: 'cpc', qv_utm_campaign: pick(rand, CAMPAIGNS) } : {}),
      ...(type === 'click' ? { elementId: `cta-${(rand() * 20) | 0}`, elementText: 'Get started' } : {}),
    };
    const metrics: Record<string, number> = {
      scrollDepth: Math.round(rand() * 100) / 100,
      elapsed: Math.floor(rand() * 600_000),
    };
    const [city, country, region, lat, lon, postal] = v.city;
    const [browser, browserVersion] = v.browser;
    const [platform, platformVersion, model] = v.platform;
    if (options.userAgents) {
      attributes.userAgent =
        k % 20 === 0
          ? CRAWLERS[(k / 20) % CRAWLERS.length]
          : `Mozilla/5.0 (${model}; ${platform} ${platformVersion}) AppleWebKit/537.36 (KHTML, like Gecko) ${browser}/${browserVersion} Safari/537.36`;
    }
    const event: Record<string, unknown> = {
      ...(withIds ? { event_id: uuid(rand) } : {}),
      event_type: type,
      event_timestamp: ts,
      arrival_timestamp: ts + 200 + Math.floor(rand() * 3000),
      application: { app_id: appId, package_name: 'altis' },
      client: { client_id: v.client, cognito_id: v.cognito },
      device: { locale: { code: v.locale.replace('-', '_'), country, language: v.locale.slice(0, 2) }, model: browser, platform: { name: platform, version: platformVersion } },
      session: { session_id: v.session, start_timestamp: v.sessionStart },
      attributes,
      metrics,
      endpoint: {
        Id: v.endpoint,
        Location: { City: city, Country: country, Latitude: lat, Longitude: lon, PostalCode: postal, Region: region },
        Demographic: { Browser: browser, BrowserVersion: browserVersion, Locale: v.locale, Model: model, Platform: platform, PlatformVersion: platformVersion },
        Attributes: { Audience: v.audiences, DeviceType: [platform === 'iOS' || platform === 'Android' ? 'mobile' : 'desktop'] },
        Metrics: { pageViews: 1 + ((rand() * 50) | 0), sessions: 1 + ((rand() * 10) | 0) },
        User: v.user ? { UserId: v.user, UserAttributes: { Role: ['subscriber'] } } : { UserAttributes: {} },
      },
    };
    yield event;
  }
}

/** Writes `count` generated events to `file` as NDJSON (one event per line); resolves to the bytes written. */
export async function writeNdjson(file: string, count: number, options: GenerateOptions = {}): Promise<number> {
  const out = fs.createWriteStream(file);
  let bytes = 0;
  let buffer = '';
  try {
    for (const event of generateEvents(count, options)) {
      buffer += JSON.stringify(event) + '\n';
      if (buffer.length >= 1 << 20) {
        bytes += Buffer.byteLength(buffer);
        if (!out.write(buffer)) await once(out, 'drain');
        buffer = '';
      }
    }
    bytes += Buffer.byteLength(buffer);
    out.end(buffer);
    await once(out, 'finish');
  } catch (err) {
    out.destroy();
    throw err;
  }
  return bytes;
}
