// Coordinators editing the collection windows of the zaino sospeso (issue #15): add one to a
// drop-off point, move one (its day and times), cancel one. Who: `can(actor, pledges.manage)` on the
// point's municipio (coordinators of it, admins), asked here on the point as stored, and the writes
// repeat the window's state they were checked against. A day the desks are closed — an Italian
// public holiday, or a closure of the point's desk — is refused. Donors with an open pledge on a
// moved or cancelled window are told once, in their language (window-notice.ts), in the same
// transaction; they choose another window from their pledge's manage link.
import type { Db } from '#/server/db/database.ts';
import { can, type Actor } from '#/features/staff-accounts/policy.ts';
import { writeAudit } from '#/features/audit/audit.ts';
import { runInTransaction } from '#/server/db/transaction.ts';
import { romeToInstant } from '#/lib/time.ts';
import { dayKey, isHoliday } from '#/lib/holidays.ts';
import { parseFormDate, parseFormTime } from '#/features/events/event-form.ts';
import { romeDayOf } from './window-days.ts';
import { tellDonors } from './window-notice.ts';
import { releaseWindowHolds } from './window-holds.ts';

export interface WindowFormValues {
  day: string;
  opens: string;
  closes: string;
}

/** Field name → message key ("partners.windows.error.*"). */
export type WindowFormErrors = Record<string, string>;

export type WindowWrite =
  | { ok: true; windowId: number; told: number }
  | { ok: false; reason: 'forbidden' | 'not_found' | 'conflict' }
  | { ok: false; reason: 'invalid'; errors: WindowFormErrors };

interface PointRow {
  id: number;
  slug: string;
  name: string;
  municipioId: number;
}

async function loadPoint(db: Db, pointId: number): Promise<PointRow | undefined> {
  if (!Number.isSafeInteger(pointId) || pointId < 1 || pointId > 2147483647) return undefined;
  const row = await db
    .selectFrom('drop_off_point')
    .select(['id', 'slug', 'name', 'municipio_id'])
    .where('id', '=', pointId)
    .executeTakeFirst();
  return row && { id: row.id, slug: row.slug, name: row.name, municipioId: row.municipio_id };
}

async function loadWindow(db: Db, windowId: number) {
  if (!Number.isSafeInteger(windowId) || windowId < 1 || windowId > 2147483647) return undefined;
  const row = await db
    .selectFrom('collection_window')
    .select(['id', 'drop_off_point_id', 'starts_at', 'ends_at', 'cancelled_at'])
    .where('id', '=', windowId)
    .executeTakeFirst();
  if (!row) return undefined;
  const point = await loadPoint(db, row.drop_off_point_id);
  return point && { ...row, point };
}

const mayEdit = (actor: Actor, point: PointRow) =>
  can(actor, { kind: 'pledges.manage', municipioId: point.municipioId });

type EditableWindow = NonNullable<Awaited<ReturnType<typeof loadWindow>>>;

/** A window this actor may still change: found, theirs to manage, not cancelled and not over. */
async function loadEditableWindow(
  db: Db,
  actor: Actor,
  windowId: number,
  now: Date,
): Promise<{ ok: true; window: EditableWindow } | { ok: false; reason: 'forbidden' | 'not_found' | 'conflict' }> {
  const window = await loadWindow(db, windowId);
  if (!window) return { ok: false, reason: 'not_found' };
  if (!mayEdit(actor, window.point)) return { ok: false, reason: 'forbidden' };
  if (window.cancelled_at || window.ends_at <= now) return { ok: false, reason: 'conflict' };
  return { ok: true, window };
}

/** The day the desk of this point (same slug) is closed, if it is. */
async function deskClosedOn(db: Db, pointSlug: string, day: string): Promise<boolean> {
  const row = await db
    .selectFrom('desk_closure')
    .innerJoin('desk', 'desk.id', 'desk_closure.desk_id')
    .select('desk_closure.id')
    .where('desk.slug', '=', pointSlug)
    .where('desk_closure.day', '=', day)
    .executeTakeFirst();
  return Boolean(row);
}

/**
 * The form's day and times (Rome wall clock) checked: a real day, not past, not a holiday nor a
 * day the point's desk is closed, and closing after opening.
 */
export async function checkWindowForm(
  db: Db,
  point: { slug: string },
  values: WindowFormValues,
  now: Date,
): Promise<{ ok: true; startsAt: Date; endsAt: Date } | { ok: false; errors: WindowFormErrors }> {
  const errors: WindowFormErrors = {};
  const day = parseFormDate(values.day);
  const opens = parseFormTime(values.opens);
  const closes = parseFormTime(values.closes);
  if (!values.day.trim()) errors.day = 'partners.windows.error.dayRequired';
  else if (!day || day.year < 2000 || day.year > 2100) errors.day = 'partners.windows.error.dayInvalid';
  if (!opens) errors.opens = 'partners.windows.error.timeInvalid';
  if (!closes) errors.closes = 'partners.windows.error.timeInvalid';
  if (day && !errors.day) {
    const key = dayKey(day.year, day.month, day.day);
    if (key < romeDayOf(now)) errors.day = 'partners.windows.error.dayPast';
    else if (isHoliday(key)) errors.day = 'partners.windows.error.holiday';
    else if (await deskClosedOn(db, point.slug, key)) errors.day = 'partners.windows.error.deskClosed';
  }
  if (Object.keys(errors).length > 0 || !day || !opens || !closes) return { ok: false, errors };
  const startsAt = romeToInstant(day.year, day.month, day.day, opens.hour, opens.minute);
  const endsAt = romeToInstant(day.year, day.month, day.day, closes.hour, closes.minute);
  if (endsAt.getTime() <= startsAt.getTime())
    return { ok: false, errors: { closes: 'partners.windows.error.endBeforeStart' } };
  if (endsAt.getTime() <= now.getTime()) return { ok: false, errors: { day: 'partners.windows.error.dayPast' } };
  return { ok: true, startsAt, endsAt };
}

/** A new window at a drop-off point. */
export async function addWindow(
  db: Db,
  actor: Actor,
  pointId: number,
  values: WindowFormValues,
  now: Date = new Date(),
): Promise<WindowWrite> {
  const point = await loadPoint(db, pointId);
  if (!point) return { ok: false, reason: 'not_found' };
  if (!mayEdit(actor, point)) return { ok: false, reason: 'forbidden' };
  const checked = await checkWindowForm(db, point, values, now);
  if (!checked.ok) return { ok: false, reason: 'invalid', errors: checked.errors };
  const id = await runInTransaction(db, async (trx) => {
    const row = await trx
      .insertInto('collection_window')
      .values({ drop_off_point_id: point.id, starts_at: checked.startsAt, ends_at: checked.endsAt })
      .returning('id')
      .executeTakeFirstOrThrow();
    await writeAudit(trx, {
      actorUserId: actor.id,
      action: 'campaign.window_add',
      subject: `drop_off_point:${point.slug}`,
      detail: { window: row.id, start: checked.startsAt.toISOString(), end: checked.endsAt.toISOString() },
    });
    return row.id;
  });
  return { ok: true, windowId: id, told: 0 };
}

/** New times (same point) for a window not cancelled and not over; its donors told. */
export async function moveWindow(
  db: Db,
  actor: Actor,
  windowId: number,
  values: WindowFormValues,
  now: Date = new Date(),
): Promise<WindowWrite> {
  const editable = await loadEditableWindow(db, actor, windowId, now);
  if (!editable.ok) return editable;
  const { window } = editable;
  const checked = await checkWindowForm(db, window.point, values, now);
  if (!checked.ok) return { ok: false, reason: 'invalid', errors: checked.errors };
  const told = await runInTransaction(db, async (trx) => {
    const row = await trx
      .updateTable('collection_window')
      .set({ starts_at: checked.startsAt, ends_at: checked.endsAt })
      .where('id', '=', window.id)
      .where('cancelled_at', 'is', null)
      .where('starts_at', '=', window.starts_at)
      .where('ends_at', '=', window.ends_at)
      .returning('id')
      .executeTakeFirst();
    if (!row) return undefined;
    await writeAudit(trx, {
      actorUserId: actor.id,
      action: 'campaign.window_move',
      subject: `drop_off_point:${window.point.slug}`,
      detail: {
        window: window.id,
        from: window.starts_at.toISOString(),
        start: checked.startsAt.toISOString(),
        end: checked.endsAt.toISOString(),
      },
    });
    const notice = {
      pointName: window.point.name,
      change: 'moved' as const,
      oldStart: window.starts_at,
      oldEnd: window.ends_at,
      start: checked.startsAt,
      end: checked.endsAt,
    };
    // Holds still waiting for their code are released and their donors told (window-holds.ts).
    const heldTold = await releaseWindowHolds(trx, window.id, notice, now);
    return heldTold + (await tellDonors(trx, window.id, notice));
  });
  if (told === undefined) return { ok: false, reason: 'conflict' };
  return { ok: true, windowId: window.id, told };
}

/** A window cancelled (kept for its pledges); its donors told, who choose another from their link. */
export async function cancelWindow(
  db: Db,
  actor: Actor,
  windowId: number,
  now: Date = new Date(),
): Promise<WindowWrite> {
  const editable = await loadEditableWindow(db, actor, windowId, now);
  if (!editable.ok) return editable;
  const { window } = editable;
  const told = await runInTransaction(db, async (trx) => {
    const row = await trx
      .updateTable('collection_window')
      .set({ cancelled_at: now })
      .where('id', '=', window.id)
      .where('cancelled_at', 'is', null)
      .returning('id')
      .executeTakeFirst();
    if (!row) return undefined;
    await writeAudit(trx, {
      actorUserId: actor.id,
      action: 'campaign.window_cancel',
      subject: `drop_off_point:${window.point.slug}`,
      detail: { window: window.id, start: window.starts_at.toISOString() },
    });
    const notice = {
      pointName: window.point.name,
      change: 'cancelled' as const,
      oldStart: window.starts_at,
      oldEnd: window.ends_at,
      start: null,
      end: null,
    };
    const heldTold = await releaseWindowHolds(trx, window.id, notice, now);
    return heldTold + (await tellDonors(trx, window.id, notice));
  });
  if (told === undefined) return { ok: false, reason: 'conflict' };
  return { ok: true, windowId: window.id, told };
}

export interface StaffWindow {
  id: number;
  startsAt: Date;
  endsAt: Date;
  cancelled: boolean;
  /** Why the desks are closed that day, for a window already there (the seed once offered holidays). */
  closedDay: 'holiday' | undefined;
  openPledges: number;
}

export interface StaffPointWindows extends PointRow {
  windows: StaffWindow[];
}

/** The drop-off points the actor may edit, each with its windows not over yet (cancelled ones too). */
export async function listWindowsForActor(db: Db, actor: Actor, now: Date = new Date()): Promise<StaffPointWindows[]> {
  const points = (
    await db.selectFrom('drop_off_point').select(['id', 'slug', 'name', 'municipio_id']).orderBy('name').execute()
  )
    .map((r) => ({ id: r.id, slug: r.slug, name: r.name, municipioId: r.municipio_id }))
    .filter((p) => mayEdit(actor, p));
  if (points.length === 0) return [];
  const windows = await db
    .selectFrom('collection_window')
    .leftJoin('pledge', (join) =>
      join.onRef('pledge.collection_window_id', '=', 'collection_window.id').on('pledge.status', '=', 'pledged'),
    )
    .select((eb) => [
      'collection_window.id',
      'collection_window.drop_off_point_id',
      'collection_window.starts_at',
      'collection_window.ends_at',
      'collection_window.cancelled_at',
      eb.fn.count<string>('pledge.id').as('open'),
    ])
    .where(
      'collection_window.drop_off_point_id',
      'in',
      points.map((p) => p.id),
    )
    .where('collection_window.ends_at', '>', now)
    .groupBy('collection_window.id')
    .orderBy('collection_window.starts_at')
    .execute();
  return points.map((p) => ({
    ...p,
    windows: windows
      .filter((w) => w.drop_off_point_id === p.id)
      .map((w) => ({
        id: w.id,
        startsAt: w.starts_at,
        endsAt: w.ends_at,
        cancelled: w.cancelled_at !== null,
        closedDay: isHoliday(romeDayOf(w.starts_at)) ? ('holiday' as const) : undefined,
        openPledges: Number(w.open),
      })),
  }));
}
