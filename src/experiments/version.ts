/** The app version stamped on every result row (package.json's `version`). */
import pkg from '../../package.json';

export const APP_VERSION: string = pkg.version;
