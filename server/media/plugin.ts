// Routes of the media domain.
import type { FastifyInstance } from 'fastify';

export default async function mediaPlugin(_app: FastifyInstance) {}
