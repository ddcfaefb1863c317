// Where to go after signing in: only a path of this site, never another origin (`//host`,
// `/\host`) or a scheme, so a crafted link cannot send a person elsewhere.
export function safeNext(value: string | null | undefined): string {
  if (!value || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) {
    return '/';
  }
  // Browsers drop tabs and newlines from addresses (`/\t/host` is `//host`): refuse control
  // characters and backslashes, and make sure the address stays on this origin.
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return '/';
  try {
    const url = new URL(value, window.location.origin);
    if (url.origin !== window.location.origin) return '/';
    return `${url.pathname}${url.search}${url.hash}`;
  } catch {
    return '/';
  }
}
