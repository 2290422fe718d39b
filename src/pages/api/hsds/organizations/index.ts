import { hsdsListRoute } from '#/features/open-data/hsds-endpoint.ts';

/** GET /api/hsds/organizations: Open Referral HSDS 3.0, paged (docs/api.md). */
export const GET = hsdsListRoute('organizations');
