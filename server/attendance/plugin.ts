// Routes of the attendance domain.
import type { FastifyInstance } from 'fastify';

export default async function attendancePlugin(_app: FastifyInstance) {}
