// A pledge with what it belongs to: its campaign, and the collection window and drop-off point where
// it is brought. The same joins serve the pledge's messages, staff's marks and the GDPR export.
import type { Db } from '#/server/db/database.ts';

/** FROM pledge joined to its campaign, collection window and drop-off point; the caller selects. */
export const selectPledgeWithPlace = (db: Db) =>
  db
    .selectFrom('pledge')
    .innerJoin('campaign', 'campaign.id', 'pledge.campaign_id')
    .innerJoin('collection_window', 'collection_window.id', 'pledge.collection_window_id')
    .innerJoin('drop_off_point', 'drop_off_point.id', 'collection_window.drop_off_point_id');
