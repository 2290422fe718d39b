import { hsdsItemRoute } from '#/features/open-data/hsds-endpoint.ts';

/** GET /api/hsds/organizations/{id}: one Open Referral HSDS 3.0 object. */
export const GET = hsdsItemRoute('organizations');
