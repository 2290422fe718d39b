// Issue #14 over HTTP against the built server: at city scale a drop-off point has a collection
// window every week, and listing them all made the campaign page slow to lay out on a phone. The
// campaign page shows each point's next 3 windows and folds the later ones in a <details> (no
// JavaScript); the pledge form still offers every one of them to choose from.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/server.ts';
import { romeDayOf } from '#/features/campaign/window-days.ts';
import { isHoliday } from '#/lib/holidays.ts';

let server: RunningServer;
const ADDED = 6;

beforeAll(async () => {
  server = await startServer(
    {},
    {
      async prepare(db) {
        const point = await db
          .selectFrom('drop_off_point')
          .select('id')
          .where('slug', '=', 'villapizzone')
          .executeTakeFirstOrThrow();
        // Six more weekly windows, 10:00–12:00, two months on, none on a public holiday.
        const rows = [];
        for (let week = 8; rows.length < ADDED; week++) {
          const starts = new Date(Date.now() + week * 7 * 86_400_000);
          if (isHoliday(romeDayOf(starts))) continue;
          rows.push({
            drop_off_point_id: point.id,
            starts_at: starts,
            ends_at: new Date(starts.getTime() + 2 * 3_600_000),
          });
        }
        await db.insertInto('collection_window').values(rows).execute();
      },
    },
  );
});
afterAll(async () => {
  await server?.stop();
});

const html = async (path: string) => {
  const res = await fetch(server.origin + path);
  expect(res.status, path).toBe(200);
  return res.text();
};
/** Each drop-off point's card of the campaign page: its name, the windows shown and those folded. */
const campaignPoints = (page: string) =>
  page
    .slice(page.indexOf('id="where"'))
    .split('<li class="card"')
    .slice(1)
    .map((card) => {
      const name = /<h3[^>]*>([^<]+)<\/h3>/.exec(card)![1]!.trim();
      const [shown, folded = ''] = card.split(/<details\b/);
      const times = (s: string) => [...s.matchAll(/<time datetime="([^"]+)"/g)].map((m) => m[1]);
      return { name, shown: times(shown!), folded: times(folded), details: folded };
    });
/** How many windows the pledge form offers at each point (a fieldset per point, a radio per window). */
const formChoices = (page: string) =>
  new Map(
    [...page.matchAll(/<fieldset class="slot-day"[^>]*>\s*<legend[^>]*>([^<]+)<\/legend>([\s\S]*?)<\/fieldset>/g)].map(
      ([, name, set]) => [name!.trim(), (set!.match(/type="radio"/g) ?? []).length],
    ),
  );

describe('the campaign page at scale', () => {
  it.each(['it', 'ar'])('shows each point’s next 3 windows and folds the rest (%s)', async (locale) => {
    const points = campaignPoints(await html(`/${locale}/zaino-sospeso`));
    const offered = formChoices(await html(`/${locale}/zaino-sospeso/dona`));
    expect(points.length).toBeGreaterThan(1);
    expect([...offered.keys()].sort()).toEqual(points.map((p) => p.name).sort());
    for (const p of points) {
      // Every window the form offers is on the page, soonest first: 3 in view, the later ones folded.
      expect(p.shown.length + p.folded.length, p.name).toBe(offered.get(p.name));
      expect(p.shown.length, p.name).toBe(Math.min(3, offered.get(p.name)!));
      const all = [...p.shown, ...p.folded];
      expect(all, p.name).toEqual([...all].sort());
    }
    const villapizzone = points.find((p) => p.name.includes('Villapizzone'))!;
    expect(villapizzone.folded.length).toBeGreaterThanOrEqual(ADDED - 3);
    // The fold says how many dates it holds, in the page's language.
    const count = villapizzone.folded.length;
    const summary = /<summary[^>]*>([^<]+)<\/summary>/.exec(villapizzone.details)![1]!;
    expect(summary).toBe(locale === 'it' ? `Altre date (${count})` : `مواعيد أخرى (${count})`);
  });
});
