// Console entry: Element Plus (its zh-CN locale by default, English on the switch), the router, the province zone.
import { createApp } from 'vue';
import ElementPlus from 'element-plus';
import 'element-plus/dist/index.css';
import App from './App.vue';
import { router } from './router.ts';
import { provinceTz } from './format.ts';
import './console.css';

interface PublicConfig {
  provinceTz: string;
  version: string;
}

void fetch('/api/config')
  .then((r) => (r.ok ? (r.json() as Promise<PublicConfig>) : null))
  .then((c) => {
    if (c) provinceTz.value = c.provinceTz;
  })
  .catch(() => undefined)
  .finally(() => {
    createApp(App).use(ElementPlus).use(router).mount('#app');
  });
