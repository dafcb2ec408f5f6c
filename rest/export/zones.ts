/**
 * Calendar days of an IANA time zone as UTC instants, with Intl only (no tz database of
 * our own): a day is [its 00:00, the next day's 00:00) in that zone, so DST days last 23
 * or 25 hours. Where 00:00 does not exist (a zone that springs forward at midnight) the day
 * starts at the first instant of that date; where it exists twice, at the first.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

/** True when Intl knows the zone (`Mars/Olympus` is not one). */
export function isTimeZone(name: string): boolean {
  if (name === '') return false;
  try {
    new Intl.DateTimeFormat(undefined, { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** The zone's wall clock at instant `t`, read as if it were UTC, in ms. */
function wallClock(t: number, zone: string): number {
  const p: Record<string, string> = {};
  for (const part of formatter(zone).formatToParts(new Date(t))) p[part.type] = part.value;
  let year = Number(p.year);
  if (p.era === 'BC' || p.era === 'B') year = 1 - year;
  const d = new Date(0);
  d.setUTCFullYear(year, Number(p.month) - 1, Number(p.day));
  d.setUTCHours(Number(p.hour), Number(p.minute), Number(p.second), ((t % 1000) + 1000) % 1000);
  return d.getTime();
}

/** Offset (wall clock − UTC) of the zone at instant `t`, in ms. */
export function zoneOffset(t: number, zone: string): number {
  return wallClock(t, zone) - t;
}

/**
 * The first instant (UTC ms) of the calendar day whose 00:00 read as UTC is `dayStartUtc`
 * (what parseCalendarDate returns), in `zone`.
 */
export function startOfZonedDay(dayStartUtc: number, zone: string): number {
  const U = dayStartUtc;
  const H = 3_600_000;
  // Offsets in force around that midnight: before and after any transition near it.
  const offsets = new Set<number>();
  for (const probe of [U - 48 * H, U - 24 * H, U, U + 24 * H, U + 48 * H]) offsets.add(zoneOffset(probe, zone));
  for (const o of [...offsets]) offsets.add(zoneOffset(U - o, zone));
  let best: number | null = null;
  for (const o of offsets) {
    const t = U - o;
    // t starts the day: its wall clock is on or after 00:00 of the date, the instant before is not.
    if (wallClock(t, zone) >= U && wallClock(t - 1, zone) < U && (best === null || t < best)) best = t;
  }
  if (best !== null) return best;
  // Not expected for real zones; converge by iteration.
  let t = U - zoneOffset(U, zone);
  t = U - zoneOffset(t, zone);
  return t;
}
