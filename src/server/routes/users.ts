import type { FastifyPluginAsync } from 'fastify';
import { API_PREFIX } from '../../core/registry/http-api.ts';
import { BEARER, callerOf, requireToken } from '../auth.ts';
import { isUniqueViolation } from '../db.ts';
import { ApiFailure } from '../errors.ts';
import { checkPassword, hashPassword } from '../passwords.ts';
import { errors, ref } from '../schemas.ts';
import { iso, registrySettings } from '../store/packages.ts';
import { issueToken, listTokens, SESSION_MS } from '../tokens.ts';

const PASSWORD = { type: 'string', minLength: 8, maxLength: 1024 } as const;

const taken = () => new ApiFailure(409, 'user_exists', 'That username or email address is already registered.');

/**
 * Accounts (spec §3.2, §6): register, log in for a short-lived session
 * token, and see who a token speaks for. Passwords are kept only as Argon2id
 * hashes; an email address is shown to its own user and nowhere else.
 */
export const usersPlugin: FastifyPluginAsync = async (app) => {
  const { db } = app.registry;

  app.post(
    `${API_PREFIX}/users/register`,
    {
      config: { rateLimitKind: 'auth' },
      bodyLimit: 8 * 1024,
      schema: {
        summary: 'Register a user',
        tags: ['users'],
        body: {
          type: 'object',
          required: ['username', 'email', 'password'],
          additionalProperties: false,
          properties: {
            username: ref('Username'),
            email: { type: 'string', format: 'email', maxLength: 255 },
            password: PASSWORD,
          },
        },
        response: {
          201: {
            type: 'object',
            required: ['username', 'created_at'],
            additionalProperties: false,
            properties: { username: { type: 'string' }, created_at: { type: 'string', format: 'date-time' } },
          },
          ...errors(400, 403, 409, 429),
        },
      },
    },
    async (request, reply) => {
      const { username, email, password } = request.body as { username: string; email: string; password: string };
      if (!(await registrySettings(db)).registration)
        throw new ApiFailure(
          403,
          'registration_closed',
          'This registry does not take registrations: ask its operator for a token.',
        );
      const { rows } = await db.query('SELECT 1 FROM users WHERE username = $1 OR lower(email) = lower($2)', [
        username,
        email,
      ]);
      if (rows.length > 0) throw taken();
      const hash = await hashPassword(password);
      try {
        const created = await db.query<{ username: string; created_at: Date }>(
          'INSERT INTO users (username, email, password_hash) VALUES ($1, $2, $3) RETURNING username, created_at',
          [username, email, hash],
        );
        return reply.code(201).send({ username, created_at: iso(created.rows[0]!.created_at) });
      } catch (error) {
        if (isUniqueViolation(error)) throw taken();
        throw error;
      }
    },
  );

  app.post(
    `${API_PREFIX}/users/login`,
    {
      config: { rateLimitKind: 'auth' },
      bodyLimit: 8 * 1024,
      schema: {
        summary: 'Log in: a session token, good for an hour, to manage your account and tokens',
        tags: ['users'],
        body: {
          type: 'object',
          required: ['username', 'password'],
          additionalProperties: false,
          properties: { username: { type: 'string', maxLength: 64 }, password: { type: 'string', maxLength: 1024 } },
        },
        response: {
          200: {
            type: 'object',
            required: ['token', 'username', 'kind', 'expires_at'],
            additionalProperties: false,
            properties: {
              token: { type: 'string', description: 'Shown once.' },
              username: { type: 'string' },
              kind: { const: 'session' },
              expires_at: { type: 'string', format: 'date-time' },
            },
          },
          ...errors(400, 401, 429),
        },
      },
    },
    async (request) => {
      const { username, password } = request.body as { username: string; password: string };
      const { rows } = await db.query<{ id: string; password_hash: string | null }>(
        'SELECT id, password_hash FROM users WHERE username = $1',
        [username],
      );
      const user = rows[0];
      // The same work and the same answer whether the user is unknown, has no password, or sent the wrong one.
      if (!(await checkPassword(user?.password_hash, password)) || !user) {
        request.log.info({ username }, 'login refused');
        throw new ApiFailure(401, 'invalid_credentials', 'Wrong username or password.');
      }
      const expiresAt = new Date(Date.now() + SESSION_MS);
      const { token } = await issueToken(db, {
        userId: user.id,
        kind: 'session',
        scopes: ['read'],
        name: 'login',
        expiresAt,
      });
      return { token, username, kind: 'session', expires_at: expiresAt.toISOString() };
    },
  );

  app.get(
    `${API_PREFIX}/users/me`,
    {
      onRequest: requireToken(),
      schema: {
        summary: 'Who this token speaks for (your own email is shown to you only)',
        tags: ['users'],
        security: BEARER,
        response: {
          200: {
            type: 'object',
            required: ['username', 'email', 'created_at', 'token'],
            additionalProperties: false,
            properties: {
              username: { type: 'string' },
              email: { type: ['string', 'null'] },
              created_at: { type: 'string', format: 'date-time' },
              token: ref('Token'),
            },
          },
          ...errors(401),
        },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const { rows } = await db.query<{ email: string | null; created_at: Date }>(
        'SELECT email, created_at FROM users WHERE id = $1',
        [caller.userId],
      );
      const token = (await listTokens(db, caller.userId)).find((t) => t.id === caller.tokenId);
      if (!token) throw new ApiFailure(401, 'unauthorized', 'This token was revoked or expired just now.');
      return { username: caller.username, email: rows[0]?.email ?? null, created_at: iso(rows[0]!.created_at), token };
    },
  );
};
