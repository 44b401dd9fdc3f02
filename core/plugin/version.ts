/** The core's version; plugins declare a semver range of it in `core`. Kept equal to package.json by a test. */
export const CORE_VERSION = '0.1.0';
