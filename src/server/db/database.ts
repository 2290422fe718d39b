// The shape of the database as Kysely sees it. One interface per table; the migrations in
// db/migrations are the source of truth and this file follows them. Kept by hand for what
// kysely-codegen cannot know (status unions, JSON shapes, insert and update types);
// database.test.ts checks it against the generated schema.generated.ts (npm run db:types).
import type { ColumnType, Generated, Kysely, Transaction } from 'kysely';
import type { LocalizedText } from '#/lib/locales.ts';

/** jsonb column holding a text per locale: objects come back parsed, go in as JSON strings. */
type LocalizedColumn = ColumnType<LocalizedText, string, string>;
type NullableLocalizedColumn = ColumnType<LocalizedText | null, string | null, string | null>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;

export interface MunicipioTable {
  id: number; // 1–9
  name: string;
  quartieri: string[];
}

export interface NetworkTable {
  id: Generated<number>;
  municipio_id: number;
  slug: string;
  name: string;
  email: string | null;
  /** Issue #14's contacts (migration …0661); sample values while is_sample. */
  phone: ColumnType<string | null, string | null | undefined, string | null>;
  is_sample: Generated<boolean>;
}

export interface OrganisationTable {
  id: Generated<number>;
  slug: string;
  name: string;
  kind: 'third_sector' | 'public' | 'other';
  municipio_id: number | null;
}

export interface DeskTable {
  id: Generated<number>;
  slug: string;
  municipio_id: number;
  name: string;
  area: string;
  address: string;
  phone: string;
  services: string[];
  description: NullableLocalizedColumn;
  slot_minutes: number;
  capacity_per_slot: number;
  min_notice_minutes: Generated<number>;
  max_days_ahead: Generated<number>;
  is_sample_address: Generated<boolean>;
  /** ISO 639 codes of the languages spoken at the desk (#14). */
  languages: Generated<string[]>;
  /** ISO weekdays (1 = Monday) a cultural mediator is at the desk. */
  mediator_weekdays: Generated<number[]>;
  /** Step-free access; null while nobody has checked. */
  step_free: boolean | null;
  what_to_bring: NullableLocalizedColumn;
  /** Nearest metro/tram/bus lines, as written on the signs (not translated). */
  transit: string | null;
  latitude: number | null;
  longitude: number | null;
  facts_are_sample: Generated<boolean>;
  created_at: CreatedAt;
}

export interface DeskOpeningHoursTable {
  id: Generated<number>;
  desk_id: number;
  weekday: number; // ISO: 1 = Monday … 7 = Sunday
  opens: string; // 'HH:MM:SS'
  closes: string;
}

export type EventStatus = 'draft' | 'submitted' | 'published' | 'cancelled';

type NullableTimeEvent = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export interface EventTable {
  id: Generated<number>;
  slug: string;
  municipio_id: number | null;
  title: LocalizedColumn;
  summary: LocalizedColumn;
  description: LocalizedColumn;
  venue: string;
  address: string;
  transit_hint: NullableLocalizedColumn;
  price_note: NullableLocalizedColumn;
  starts_at: Timestamp;
  ends_at: ColumnType<Date | null, Date | string | null, Date | string | null>;
  status: EventStatus;
  owner_organisation_id: ColumnType<number | null, number | null | undefined, number | null>;
  review_note: ColumnType<string | null, string | null | undefined, string | null>;
  submitted_at: NullableTimeEvent;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
  /** Seats families sign up for (issue #13); null: "just come". */
  seats: ColumnType<number | null, number | null | undefined, number | null>;
  /** Seats held or confirmed: raised by the sign-up's writing statement only while the party fits. */
  seats_taken: Generated<number>;
  /** People let in at the door without a registration. */
  walk_ins: Generated<number>;
  /** The series this event is one date of (issue #13), and that date as the rule gives it. */
  series_id: ColumnType<number | null, number | null | undefined, number | null>;
  occurrence_date: ColumnType<string | null, string | null | undefined, string | null>;
  /** Ordered stops of an itinerary: see src/features/events/event-facts.ts (EventStop). */
  stops: ColumnType<EventStopColumn[], string | undefined, string>;
  age_bands: ColumnType<string[], string[] | undefined, string[]>;
  price_kind: ColumnType<PriceKind, PriceKind | undefined, PriceKind>;
  price_cents: ColumnType<number | null, number | null | undefined, number | null>;
  /** Step-free access: null when the partner did not say. */
  step_free: ColumnType<boolean | null, boolean | null | undefined, boolean | null>;
  lis: ColumnType<boolean, boolean | undefined, boolean>;
  childcare: ColumnType<boolean, boolean | undefined, boolean>;
  languages: ColumnType<string[], string[] | undefined, string[]>;
}

export type PriceKind = 'free' | 'free_offer' | 'price';

/** A stop as stored (event.stops): local time of day "HH:MM", place, address, transit hint. */
export interface EventStopColumn {
  time: string;
  place: string;
  address: string;
  transit: LocalizedText | null;
}

export type SeriesFrequency = 'weekly' | 'fortnightly' | 'monthly';

export interface EventSeriesTable {
  id: Generated<number>;
  slug: string;
  frequency: SeriesFrequency;
  /** ISO weekday, 1 = Monday. */
  weekday: number;
  week_of_month: number | null;
  first_day: string; // 'YYYY-MM-DD'
  until_day: string;
  starts_time: string; // 'HH:MM:SS'
  ends_time: string | null;
  desk_id: number | null;
  times_are_sample: Generated<boolean>;
  created_at: CreatedAt;
}

export type RegistrationStatus = 'pending' | 'expired' | 'confirmed' | 'cancelled';

export interface EventRegistrationTable {
  id: Generated<number>;
  reference: string;
  event_id: number;
  adults: number;
  children_0_3: Generated<number>;
  children_3_6: Generated<number>;
  children_6_11: Generated<number>;
  children_11_14: Generated<number>;
  seats: number;
  name: string | null;
  phone: string | null;
  email: string | null;
  locale: string;
  status: RegistrationStatus;
  hold_expires_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  hold_client: ColumnType<string | null, string | null | undefined, string | null>;
  submission_key: ColumnType<string | null, string | null | undefined, string | null>;
  cancel_token_hash: ColumnType<string | null, string | null | undefined, string | null>;
  arrived_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  created_at: CreatedAt;
}

/** A family on a waiting list (issue #13): for an event's seats or for a desk's place in a range of days. */
/** 'pending': joined, its contact not yet proven by the code (never offered; lapses at hold_expires_at). */
export type WaitStatus = 'pending' | 'waiting' | 'offered' | 'accepted' | 'declined' | 'lapsed' | 'left' | 'closed';

export interface WaitEntryTable {
  id: Generated<number>;
  reference: string;
  event_id: number | null;
  desk_id: number | null;
  from_day: string | null; // 'YYYY-MM-DD'
  to_day: string | null;
  adults: Generated<number>;
  children_0_3: Generated<number>;
  children_3_6: Generated<number>;
  children_6_11: Generated<number>;
  children_11_14: Generated<number>;
  seats: number;
  name: string | null;
  phone: string | null;
  email: string | null;
  locale: string;
  status: ColumnType<WaitStatus, WaitStatus | undefined, WaitStatus>;
  offered_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  offer_expires_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  offered_slot_id: number | null;
  registration_id: number | null;
  booking_id: number | null;
  token_hash: string | null;
  client: string | null;
  submission_key: string | null;
  created_at: CreatedAt;
  closed_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  hold_expires_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface EventOrganiserTable {
  event_id: number;
  organisation_id: number;
}

/** A pending change of a published event (issue #15): the form's values, until a moderator approves it. */
export interface EventRevisionTable {
  event_id: number;
  form_values: ColumnType<Record<string, string>, string, string>;
  municipio_id: number | null;
  submitted_by: number | null;
  submitted_at: Timestamp;
}

export interface CampaignTable {
  id: Generated<number>;
  slug: string;
  title: LocalizedColumn;
  summary: LocalizedColumn;
  description: LocalizedColumn;
  active: Generated<boolean>;
}

export interface CampaignItemTable {
  id: Generated<number>;
  campaign_id: number;
  slug: string;
  name: LocalizedColumn;
  target: number;
  /** Kept by the database: 0 ≤ pledged ≤ target is a CHECK constraint. */
  pledged: Generated<number>;
  position: number;
  is_sample: Generated<boolean>;
}

export interface DropOffPointTable {
  id: Generated<number>;
  campaign_id: number;
  slug: string;
  name: string;
  address: string;
  municipio_id: number;
  notes: NullableLocalizedColumn;
  is_sample: Generated<boolean>;
}

export interface CollectionWindowTable {
  id: Generated<number>;
  drop_off_point_id: number;
  starts_at: Timestamp;
  ends_at: Timestamp;
  /** Cancelled by a coordinator (issue #15): no new pledge; its donors are told and choose another. */
  cancelled_at: NullableTimeEvent;
}

export interface DeskClosureTable {
  id: Generated<number>;
  desk_id: number;
  day: string; // 'YYYY-MM-DD' (date columns are read as strings, see connection.ts)
  reason: string | null;
  /** Closed for part of the day only ('HH:MM:SS'): both set, or neither (the whole day). */
  closed_from: ColumnType<string | null, string | null | undefined, string | null>;
  closed_until: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface DeskExtraOpeningTable {
  id: Generated<number>;
  desk_id: number;
  day: string;
  opens: string;
  closes: string;
}

export interface BookingSlotTable {
  id: Generated<number>;
  desk_id: number;
  starts_at: Timestamp;
  ends_at: Timestamp;
  capacity: number;
  /** Kept by the database: 0 ≤ booked ≤ capacity is a CHECK constraint. */
  booked: Generated<number>;
}

export type BookingStatus = 'pending' | 'expired' | 'confirmed' | 'cancelled' | 'attended' | 'no_show';

export interface BookingTable {
  id: Generated<number>;
  reference: string;
  desk_id: number;
  slot_id: number;
  starts_at: Timestamp;
  ends_at: Timestamp;
  status: Generated<BookingStatus>;
  topic: string | null;
  note: string | null;
  first_name: string | null;
  email: string | null;
  phone: string | null;
  locale: string;
  manage_token_hash: string | null;
  submission_key: string | null;
  source: Generated<'public' | 'api' | 'staff'>;
  created_at: CreatedAt;
  cancelled_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  erased_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** Set while the booking is a pending hold: free again from then on (issue #12). */
  hold_expires_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** HMAC of the client address that took the hold (holds per client). */
  hold_client: ColumnType<string | null, string | null | undefined, string | null>;
  /** False: no SMS about this booking (staff unticked "Send the family an SMS confirmation"). */
  sms_wanted: Generated<boolean>;
  /** Set when the desk's closure of that day cancelled it: its link offers another time or the waiting list, once (issue #15). */
  displaced_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

/** One code per subject: a booking's hold, a volunteer's sign-up, an event sign-up's, a pledge's or a waiting-list entry's hold (exactly one of the ids). */
export interface VerificationCodeTable {
  booking_id: ColumnType<number | null, number | null | undefined, number | null>;
  volunteer_id: ColumnType<number | null, number | null | undefined, number | null>;
  registration_id: ColumnType<number | null, number | null | undefined, number | null>;
  pledge_id: ColumnType<number | null, number | null | undefined, number | null>;
  wait_entry_id: ColumnType<number | null, number | null | undefined, number | null>;
  channel: 'sms' | 'email';
  code_hash: string;
  attempts: Generated<number>;
  sends: Generated<number>;
  last_sent_at: Timestamp;
  expires_at: Timestamp;
}

export type OutboxStatus =
  'pending' | 'sending' | 'sent' | 'delivered' | 'undelivered' | 'failed' | 'cancelled' | 'dropped';

export interface OutboxTable {
  id: Generated<number>;
  kind: string;
  recipient: string;
  locale: string;
  payload: ColumnType<Record<string, unknown>, string | undefined, string>;
  booking_id: number | null;
  pledge_id: ColumnType<number | null, number | null | undefined, number | null>;
  volunteer_id: ColumnType<number | null, number | null | undefined, number | null>;
  registration_id: ColumnType<number | null, number | null | undefined, number | null>;
  /** A waiting-list entry's code message (issue #13): it goes with the entry. */
  wait_entry_id: ColumnType<number | null, number | null | undefined, number | null>;
  status: Generated<OutboxStatus>;
  send_after: ColumnType<Date, Date | string | undefined, Date | string>;
  locked_until: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  attempts: Generated<number>;
  last_error: string | null;
  created_at: CreatedAt;
  sent_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  channel: Generated<'email' | 'sms'>;
  encoding: ColumnType<'gsm7' | 'ucs2' | null, 'gsm7' | 'ucs2' | null | undefined, 'gsm7' | 'ucs2' | null>;
  segments: ColumnType<number | null, number | null | undefined, number | null>;
  provider_message_id: ColumnType<string | null, string | null | undefined, string | null>;
  delivered_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

/** Messages queued to one recipient (hashed) on one Rome day: the per-recipient daily cap. */
export interface MessageRecipientDayTable {
  recipient_hash: string;
  day: string;
  messages: number;
}

/** SMS segments submitted on one Rome day (SMS_DAILY_LIMIT). */
export interface SmsDayTable {
  day: string;
  segments: number;
}

/** A form timestamp already used (its HMAC), until it expires. */
export interface SpentFormStampTable {
  stamp_hash: string;
  contact_hash: string;
  expires_at: Timestamp;
}

/** A form's draft too big for its cookie, sealed; erased an hour after it was written. */
export interface FormDraftTable {
  id: string;
  payload: string;
  expires_at: Timestamp;
}

export interface RateLimitTable {
  key: string;
  window_started_at: Timestamp;
  hits: number;
}

/** 'pending': held until its code confirms it; 'lapsed': a hold never confirmed, its quantities given back. */
export type PledgeStatus = 'pending' | 'lapsed' | 'pledged' | 'received' | 'not_brought' | 'cancelled' | 'expired';

export interface PledgeTable {
  id: Generated<number>;
  reference: string;
  campaign_id: number;
  collection_window_id: number;
  status: Generated<PledgeStatus>;
  first_name: string | null;
  email: string | null;
  phone: string | null;
  locale: string;
  manage_token_hash: string | null;
  submission_key: string | null;
  created_at: CreatedAt;
  closed_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  erased_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** Open before one-open-pledge-per-contact-and-window applied, alongside another of the same contact: not counted. */
  before_contact_limit: Generated<boolean>;
  /** Set while 'pending': the hold lapses then. */
  hold_expires_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** HMAC of the client address that took a pending hold (the per-client cap). */
  hold_client: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface PledgeItemTable {
  pledge_id: number;
  campaign_item_id: number;
  quantity: number;
}

export type VolunteerStatus = 'unconfirmed' | 'new' | 'contacted' | 'active' | 'inactive';

/** The details a volunteer sign-up gives, as kept while a change waits for confirmation. */
export interface VolunteerDetails {
  name: string;
  phone: string | null;
  municipi: number[];
  skills: string[];
  languages: string[];
  availability: string[];
  note: string | null;
  locale: string;
  consent_at: string;
}

export interface VolunteerTable {
  id: Generated<number>;
  name: string;
  email: string;
  phone: string | null;
  municipi: number[];
  skills: string[];
  languages: ColumnType<string[], string[] | undefined, string[]>;
  availability: ColumnType<string[], string[] | undefined, string[]>;
  note: string | null;
  locale: string;
  status: Generated<VolunteerStatus>;
  confirm_token_hash: string | null;
  confirm_expires_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** A confirmed volunteer's new sign-up, applied only once confirmed from the address (confirm token above). */
  pending_details: ColumnType<VolunteerDetails | null, string | null | undefined, string | null>;
  withdraw_key: string;
  consent_at: Timestamp;
  created_at: CreatedAt;
  confirmed_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

/** An answer of the rating component (issue #14): no personal data (db/migrations/…0660_ratings.ts). */
export interface RatingTable {
  id: Generated<number>;
  page: string;
  locale: string;
  flow: 'page' | 'booking' | 'pledge' | 'volunteer' | 'event';
  desk_id: number | null;
  score: number;
  answer: string | null;
  comment: string | null;
  created_at: CreatedAt;
}

/** A report of the accessibility statement's feedback form (db/migrations/…0662). */
export interface AccessibilityFeedbackTable {
  id: Generated<number>;
  page: string | null;
  message: string;
  reply_to: string | null;
  locale: string;
  created_at: CreatedAt;
  reply_due_at: ColumnType<Date, never, never>;
  answered_at: ColumnType<Date | null, never, Date | string | null>;
}

export type Role = 'admin' | 'coordinator' | 'desk_operator' | 'partner_editor';
type NullableTime = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export interface AppUserTable {
  id: Generated<number>;
  email: string;
  display_name: string;
  role: Role;
  organisation_id: number | null;
  password_hash: string | null;
  totp_secret: string | null;
  totp_enabled_at: NullableTime;
  disabled_at: NullableTime;
  created_at: CreatedAt;
  password_changed_at: NullableTime;
  /** TOTP step of the last code accepted (a code is accepted once). */
  totp_last_step: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface UserMunicipioTable {
  user_id: number;
  municipio_id: number;
}

export interface UserDeskTable {
  user_id: number;
  desk_id: number;
}

export interface UserSessionTable {
  id: string;
  secret_hash: string;
  user_id: number;
  created_at: Timestamp;
  last_used_at: Timestamp;
  two_factor_verified: Generated<boolean>;
}

export interface UserTokenTable {
  id: Generated<number>;
  user_id: number;
  purpose: 'invitation' | 'password_reset';
  token_hash: string;
  expires_at: Timestamp;
  used_at: NullableTime;
  created_at: CreatedAt;
}

export interface RecoveryCodeTable {
  id: Generated<number>;
  user_id: number;
  code_hash: string;
  used_at: NullableTime;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: CreatedAt;
  actor_user_id: number | null;
  action: string;
  subject: string | null;
  detail: ColumnType<Record<string, unknown>, string | undefined, string>;
}

export interface AppSettingTable {
  key: string;
  value: string;
}

/** Monthly aggregates of the staff dashboard (issue #15): counts only, never a person. */
export interface FigureMonthTable {
  month: string; // 'YYYY-MM-01'
  kind: 'booking' | 'event' | 'pledge' | 'item' | 'volunteer' | 'waitlist' | 'rating';
  /** 'detail', or a sum of detail rows over the dimensions it does not name (bookings only). */
  grain: Generated<'detail' | 'municipio' | 'desk' | 'service' | 'locale'>;
  measure: string;
  municipio_id: number | null;
  desk_id: number | null;
  service: Generated<string>;
  locale: Generated<string>;
  value: number;
}

/** Which months the hourly count rewrites: from open_from on; older ones are frozen. */
export interface FigureRefreshTable {
  only_row: Generated<boolean>;
  open_from: string | null;
  counted_at: Timestamp;
}

/** Days ahead of the first free slot of a desk, sampled once a day. */
export interface FigureWaitSampleTable {
  day: string;
  desk_id: number;
  days: number | null;
}

export interface Database {
  municipio: MunicipioTable;
  network: NetworkTable;
  organisation: OrganisationTable;
  desk: DeskTable;
  desk_opening_hours: DeskOpeningHoursTable;
  event: EventTable;
  event_organiser: EventOrganiserTable;
  event_registration: EventRegistrationTable;
  wait_entry: WaitEntryTable;
  event_series: EventSeriesTable;
  event_revision: EventRevisionTable;
  campaign: CampaignTable;
  campaign_item: CampaignItemTable;
  drop_off_point: DropOffPointTable;
  collection_window: CollectionWindowTable;
  desk_closure: DeskClosureTable;
  desk_extra_opening: DeskExtraOpeningTable;
  booking_slot: BookingSlotTable;
  booking: BookingTable;
  verification_code: VerificationCodeTable;
  outbox: OutboxTable;
  message_recipient_day: MessageRecipientDayTable;
  sms_day: SmsDayTable;
  rate_limit: RateLimitTable;
  spent_form_stamp: SpentFormStampTable;
  form_draft: FormDraftTable;
  app_setting: AppSettingTable;
  pledge: PledgeTable;
  pledge_item: PledgeItemTable;
  volunteer: VolunteerTable;
  app_user: AppUserTable;
  user_municipio: UserMunicipioTable;
  user_desk: UserDeskTable;
  user_session: UserSessionTable;
  user_token: UserTokenTable;
  recovery_code: RecoveryCodeTable;
  audit_log: AuditLogTable;
  figure_month: FigureMonthTable;
  figure_refresh: FigureRefreshTable;
  figure_wait_sample: FigureWaitSampleTable;
  rating: RatingTable;
  accessibility_feedback: AccessibilityFeedbackTable;
}

/** Repository functions take either the database or a transaction. */
export type Db = Kysely<Database> | Transaction<Database>;
