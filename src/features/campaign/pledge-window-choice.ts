// What the manage page of a pledge offers to choose another collection window (issue #15): the
// windows of the campaign that take pledges now (campaigns.ts, window-days.ts), the pledge's own
// left out, and whether its window was cancelled (then the page says so first).
import type { Db } from '#/server/db/database.ts';
import { formatLongDate, formatTimeRange } from '#/lib/format.ts';
import type { Locale } from '#/lib/locales.ts';
import type { Campaign } from './campaigns.ts';

export interface WindowChoice {
  id: number;
  label: string;
}

export async function windowChoices(
  db: Db,
  campaign: Campaign,
  currentWindowId: number,
  locale: Locale,
): Promise<{ cancelled: boolean; choices: WindowChoice[] }> {
  const current = await db
    .selectFrom('collection_window')
    .select('cancelled_at')
    .where('id', '=', currentWindowId)
    .executeTakeFirst();
  const choices = campaign.dropOffPoints.flatMap((p) =>
    p.windows
      .filter((w) => w.id !== currentWindowId)
      .map((w) => ({
        id: w.id,
        label: `${p.name}: ${formatLongDate(w.startsAt, locale)}, ${formatTimeRange(w.startsAt, w.endsAt, locale)}`,
      })),
  );
  return { cancelled: Boolean(current?.cancelled_at), choices };
}
