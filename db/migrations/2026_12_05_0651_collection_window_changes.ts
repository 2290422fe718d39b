// Issue #15, collection windows edited by coordinators: a window can be cancelled (kept, so its
// pledges still name it and their donors can choose another) and moved (its times changed). The
// pledge-writing statements (create-pledge.ts) refuse a cancelled window, and one on a day its desk
// is closed, inside the statement that inserts the pledge. Windows already on a day the desks are
// closed for a public holiday (the seed used to offer 8 and 25 December and 1 January) are not
// cancelled here: a coordinator cancels or moves them from the staff page, which tells their donors.
import type { Kysely } from 'kysely';
import { runScript } from '../../src/server/db/sql-script.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    ALTER TABLE collection_window ADD COLUMN cancelled_at timestamptz;
    CREATE INDEX collection_window_open_idx ON collection_window (drop_off_point_id, starts_at) WHERE cancelled_at IS NULL;
  `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(db, `ALTER TABLE collection_window DROP COLUMN cancelled_at;`);
}
