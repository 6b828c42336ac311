// Wire schemas of the auth domain: signing in and out, operators managing user accounts. TypeBox objects are the
// JSON Schema Fastify validates and documents with, and (Static) the types routes and the console use.
import { Type, type Static } from '@sinclair/typebox';

export const Role = Type.Union([Type.Literal('operator'), Type.Literal('organizer')], {
  description: 'operator: manages content, schedules, sites and users; organizer: reads reports of one region subtree',
});
export type Role = Static<typeof Role>;

/** A user account as the API shows it (never the password hash). */
export const User = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  role: Role,
  regionId: Type.Union([Type.Integer(), Type.Null()], { description: 'organizers: the root of the region subtree they see' }),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
export type User = Static<typeof User>;
export const UserList = Type.Array(User);
export type UserList = Static<typeof UserList>;

export const Username = Type.String({ minLength: 2, maxLength: 64, pattern: '^[A-Za-z0-9_.@-]+$' });
export const Password = Type.String({ minLength: 8, maxLength: 200 });

/**
 * POST /api/auth/login. Limited per (address, username), per address and per username; over a limit the answer
 * is 429 with a Retry-After header (seconds) and a message saying when to try again.
 */
export const LoginBody = Type.Object(
  { username: Type.String({ minLength: 1, maxLength: 200 }), password: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);
export type LoginBody = Static<typeof LoginBody>;

export const LoginResult = Type.Object({
  token: Type.String({ description: 'send as Authorization: Bearer <token>; valid 12 h' }),
  user: Type.Object({ id: Type.Integer(), username: Type.String(), role: Role, regionId: Type.Union([Type.Integer(), Type.Null()]) }),
});
export type LoginResult = Static<typeof LoginResult>;

/** POST /api/users (operators). */
export const NewUser = Type.Object(
  { username: Username, password: Password, role: Role, regionId: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])) },
  { additionalProperties: false },
);
export type NewUser = Static<typeof NewUser>;

/** PATCH /api/users/:id (operators). A new password signs the user out everywhere. */
export const UserPatch = Type.Object(
  {
    password: Type.Optional(Password),
    role: Type.Optional(Role),
    regionId: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
  },
  { additionalProperties: false },
);
export type UserPatch = Static<typeof UserPatch>;
