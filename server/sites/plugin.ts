// Routes of the sites domain.
import type { FastifyInstance } from 'fastify';

export default async function sitesPlugin(_app: FastifyInstance) {}
