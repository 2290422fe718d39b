// The OpenAPI 3.1 description of the open-data API, served at /api/v1/openapi.json. Every schema in
// it is zod 4's own z.toJSONSchema of the schemas in api-schemas.ts (JSON Schema 2020-12, which
// OpenAPI 3.1 uses as it is): the request side as the endpoints parse it, the answers as they are
// built. tests/http/openapi.test.ts calls every operation and validates the answers against it.
import { z } from 'astro/zod';
import * as s from './api-schemas.ts';
import { hsdsPageFields, hsdsSchemas } from './hsds-schemas.ts';
import { LICENSE_URL } from '#/server/http/open-data-cors.ts';

type Json = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Json;
  return rest;
}

const content = (schema: z.ZodType) => ({ 'application/json': { schema: jsonSchema(schema, 'output') } });
const error = (description: string) => ({ description, content: content(s.errorSchema) });

const READ_HEADERS = {
  ETag: { description: 'Send it back in If-None-Match: 304 when nothing changed', schema: { type: 'string' } },
  'Last-Modified': { description: 'Send it back in If-Modified-Since', schema: { type: 'string' } },
  'Cache-Control': { schema: { type: 'string' } },
  Link: {
    description: `<${LICENSE_URL}>; rel="license" on every answer; rel="next" when there is another page`,
    schema: { type: 'string' },
  },
};

function parameters(query: z.ZodObject, pathParams: string[] = []): Json[] {
  const fromPath = pathParams.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } }));
  const fromQuery = Object.entries(query.shape).map(([name, schema]) => {
    const field = schema as z.ZodType;
    return {
      name,
      in: 'query',
      required: !field.safeParse(undefined).success,
      ...(field.description ? { description: field.description } : {}),
      schema: jsonSchema(field, 'input'),
    };
  });
  return [...fromPath, ...fromQuery];
}

function read(summary: string, answer: z.ZodType, options: { query?: z.ZodObject; path?: string[] } = {}): Json {
  return {
    get: {
      summary,
      parameters: parameters(options.query ?? z.object({}), options.path),
      responses: {
        200: { description: 'OK', headers: READ_HEADERS, content: content(answer) },
        304: { description: 'Not modified since the ETag or date the request sent', headers: READ_HEADERS },
        400: error('A parameter is not valid'),
        404: error('Not found'),
      },
    },
  };
}

function write(summary: string, body: z.ZodType, answers: Record<number, [string, z.ZodType]>, path?: string[]): Json {
  const responses: Json = {};
  for (const [status, [description, schema]] of Object.entries(answers))
    responses[status] = { description, content: content(schema) };
  for (const [status, description] of [
    [400, 'The body is not UTF-8 JSON or not an object'],
    [404, 'Not found'],
    [409, 'Refused: see `error`'],
    [410, 'Expired'],
    [413, 'Body larger than 16 KB'],
    [415, 'Not sent as application/json'],
    [422, 'Invalid: `fields` names each problem in the request’s language'],
    [429, 'Rate limited (Retry-After) or too many holds'],
  ] as const)
    responses[status] ??= error(description);
  return {
    post: {
      summary,
      parameters: parameters(z.object({}), path),
      requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(body, 'input') } } },
      responses,
    },
  };
}

/** The description as a JSON object; `origin` is the server's public address. */
export function openApiDocument(origin: string): Json {
  const hsds = hsdsSchemas();
  const page = (name: keyof typeof hsds) => z.object({ ...hsdsPageFields, contents: z.array(hsds[name]) });
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'QuBì open data',
      version: '1.0.0',
      description:
        'Desks, events, the campaign and booking of the QuBì networks of Milan. Reads need no key and may be ' +
        'made from any site (CORS). Documented in words in docs/api.md.',
      license: { name: 'CC BY 4.0', url: LICENSE_URL },
    },
    servers: [{ url: origin }],
    paths: {
      '/api/v1/desks': read('Desks', z.array(s.deskSchema), { query: s.desksQuery }),
      '/api/v1/desks/{slug}/slots': read('Bookable slots of a desk', z.array(s.slotSchema), {
        query: s.slotsQuery,
        path: ['slug'],
      }),
      '/api/v1/events': read('Events not over, soonest first, a page at a time', z.array(s.eventSchema), {
        query: s.eventsQuery,
      }),
      '/api/v1/campaigns/{slug}': read('A campaign with its aggregate progress', s.campaignSchema, {
        query: z.object({ locale: s.localeParam }),
        path: ['slug'],
      }),
      '/api/v1/bookings': write('Hold a slot until the code sent to the contact confirms it', s.bookingBody, {
        201: ['Held', s.bookingCreatedSchema],
        200: ['The same submissionKey again: the first booking', s.bookingCreatedSchema],
      }),
      '/api/v1/bookings/{reference}/confirm': write(
        'Confirm a held booking with its code',
        s.codeBody,
        { 200: ['Confirmed', s.bookingConfirmedSchema] },
        ['reference'],
      ),
      '/api/v1/bookings/cancel': write('Cancel a booking', s.cancelBody, {
        200: ['Cancelled', s.bookingCancelledSchema],
      }),
      '/api/v1/pledges': write('Pledge items to a campaign (held until confirmed)', s.pledgeBody, {
        201: ['Held', s.pledgeCreatedSchema],
        200: ['The same submissionKey again: the first pledge', s.pledgeCreatedSchema],
      }),
      '/api/v1/pledges/{reference}/confirm': write(
        'Confirm a pledge with its code',
        s.codeBody,
        { 200: ['Confirmed', s.pledgeConfirmedSchema] },
        ['reference'],
      ),
      '/api/v1/events/{slug}/registrations': write(
        'Sign a family up for an event (held until confirmed)',
        s.registrationBody,
        { 201: ['Held', s.registrationSchema], 200: ['The same submissionKey again', s.registrationSchema] },
        ['slug'],
      ),
      '/api/v1/events/{slug}/registrations/{reference}/confirm': write(
        'Confirm a sign-up with its code',
        s.codeBody,
        { 200: ['Confirmed', s.registrationSchema] },
        ['slug', 'reference'],
      ),
      '/api/v1/events/{slug}/waiting-list': write(
        'Join an event’s waiting list (pending until confirmed with the code sent to the contact)',
        s.registrationBody,
        { 201: ['Pending', s.waitEntrySchema], 200: ['The same submissionKey again', s.waitEntrySchema] },
        ['slug'],
      ),
      '/api/v1/events/{slug}/waiting-list/{reference}/confirm': write(
        'Confirm a waiting-list join with its code: the family takes its place in line',
        s.codeBody,
        { 200: ['In line', s.waitEntrySchema] },
        ['slug', 'reference'],
      ),
      '/api/v1/volunteers': write('Offer to volunteer (double opt-in by email)', s.volunteerBody, {
        201: ['An email with a link was sent', s.volunteerAcceptedSchema],
      }),
      '/api/hsds/organizations': read('HSDS 3.0: the networks', page('organization'), { query: s.hsdsQuery }),
      '/api/hsds/locations': read('HSDS 3.0: the desks as places', page('location'), { query: s.hsdsQuery }),
      '/api/hsds/services': read('HSDS 3.0: what each desk offers', page('service'), { query: s.hsdsQuery }),
      '/api/hsds/schedules': read('HSDS 3.0: opening hours', page('schedule'), { query: s.hsdsQuery }),
    },
  };
}
