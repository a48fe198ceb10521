// Watches the knowledge directory (manifest, policies, lexicon) so a running server picks up
// `policy add` / `policy remove` without a restart. Editors and the manifest writer touch
// several files in a burst; the callback runs once the directory has been quiet for
// `debounceMs`.

import { watch } from 'node:fs';

export function watchKnowledge(dir: string, onChange: () => void, options: { debounceMs?: number } = {}): () => void {
  const debounceMs = options.debounceMs ?? 500;
  let timer: NodeJS.Timeout | null = null;
  const watcher = watch(dir, { recursive: true, persistent: false }, () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      onChange();
    }, debounceMs);
  });
  return () => {
    if (timer) clearTimeout(timer);
    watcher.close();
  };
}
