// `npm start`: the provincial server on ./data, with the demo library and a demo site unless DEMO=0.
import { loadConfig } from '../server/config.ts';
import { startServer } from '../server/main.ts';

const config = loadConfig();
await startServer(config);
