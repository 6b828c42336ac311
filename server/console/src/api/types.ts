// The API's wire types for the console: taken from common/api (the schemas the server validates with), and, until a
// domain's file has landed, from pending-types.ts. Pages import from here only.
export type { ErrorBody } from '../../../../common/api/shared.ts';
export type * from './pending-types.ts';
