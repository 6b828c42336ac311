// Routes of the catalog domain.
import type { FastifyInstance } from 'fastify';

export default async function catalogPlugin(_app: FastifyInstance) {}
