import { hsdsListRoute } from '#/features/open-data/hsds-endpoint.ts';

/** GET /api/hsds/locations: Open Referral HSDS 3.0, paged (docs/api.md). */
export const GET = hsdsListRoute('locations');
