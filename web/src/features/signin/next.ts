// Where to go after signing in: only a path of this site, never another origin (`//host`,
// `/\host`) or a scheme, so a crafted link cannot send a person elsewhere.
export function safeNext(value: string | null | undefined): string {
  if (!value || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) {
    return '/';
  }
  return value;
}
