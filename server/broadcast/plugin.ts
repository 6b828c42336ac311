// Routes of the broadcast domain.
import type { FastifyInstance } from 'fastify';

export default async function broadcastPlugin(_app: FastifyInstance) {}
