// Loading state and the API's error message for a page's data, so no page is ever blank or silently stuck.
import { ref, shallowRef, type Ref } from 'vue';
import { ElMessage } from 'element-plus';
import { ApiError } from './api/client.ts';

export function messageOf(err: unknown): string {
  if (err instanceof ApiError || err instanceof Error) return err.message;
  return String(err);
}

export function useLoad<T>(fn: () => Promise<T>): {
  data: Ref<T | null>;
  loading: Ref<boolean>;
  error: Ref<string | null>;
  run: () => Promise<void>;
} {
  // Shallow: report answers can hold tens of thousands of rows; pages replace data whole, never edit it in place.
  const data = shallowRef<T | null>(null) as Ref<T | null>;
  const loading = ref(false);
  const error = ref<string | null>(null);
  let seq = 0;
  async function run() {
    const mine = ++seq;
    loading.value = true;
    try {
      const v = await fn();
      if (mine !== seq) return; // a newer load started meanwhile
      data.value = v;
      error.value = null;
    } catch (err) {
      if (mine === seq) error.value = messageOf(err);
    } finally {
      if (mine === seq) loading.value = false;
    }
  }
  return { data, loading, error, run };
}

/** Runs an action with a busy flag; shows success or the API's message. Returns whether it worked. */
export async function act(busy: Ref<boolean>, fn: () => Promise<unknown>, done?: string): Promise<boolean> {
  busy.value = true;
  try {
    await fn();
    if (done) ElMessage.success(done);
    return true;
  } catch (err) {
    ElMessage.error({ message: messageOf(err), duration: 6000, showClose: true });
    return false;
  } finally {
    busy.value = false;
  }
}
