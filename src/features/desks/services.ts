// What a desk can offer. Stored as keys on the desk (a CHECK keeps them to this list) and shown
// through the locale files as "service.<key>".
export const DESK_SERVICES = ['orientation', 'listening', 'support', 'educational-services'] as const;
export type DeskService = (typeof DESK_SERVICES)[number];

export function serviceKey(service: string): string {
  return `service.${service}`;
}
