// Node ESM cannot import a directory (tfjs-core's ESM build does: `./gradients` in register_all_gradients), so
// `npm run exp` registers this resolve hook: a directory import that fails is retried as `<dir>.js`, then `<dir>/index.js`.
import { register } from 'node:module';

register(
  'data:text/javascript,' +
    encodeURIComponent(`
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (err) {
    if (err && err.code === 'ERR_UNSUPPORTED_DIR_IMPORT') {
      try {
        return await next(specifier + '.js', context);
      } catch {
        return next(specifier + '/index.js', context);
      }
    }
    throw err;
  }
}`),
);
