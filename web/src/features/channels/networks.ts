// The networks a channel can be connected to, with the settings and credentials each takes.
// `GET /api/v1/plugins` says which connector plugins are installed and enabled, but not the
// settings their manifests declare, so the fields of the connectors that ship with Heraut (and
// of the two built into the server) are listed here; a connector not listed here gets a generic
// form (settings as JSON, one named credential).
import type { Schemas } from '../../api/client';

export type SettingKind = 'string' | 'url' | 'integer';

export type SettingSpec = {
  key: string;
  kind: SettingKind;
  required: boolean;
  /** What the server uses when the field is left empty; shown in the hint. */
  fallback?: string;
};

export type NetworkSpec = {
  /** The connector's plugin id, sent as `plugin`. */
  id: string;
  settings: SettingSpec[];
  /** Credential keys the connector reads (secret values). */
  credentials: string[];
  /** Can be connected through the network's own OAuth sign-in instead of a token. */
  oauth: boolean;
  /** Built into the server: always available, not a plugin. */
  builtIn: boolean;
};

/** A connector the UI knows the fields of, or one it only knows the id and name of. */
export type Network =
  | (NetworkSpec & { known: true; name?: string })
  | { id: string; known: false; name: string; settings: []; credentials: []; oauth: false; builtIn: false };

export const knownNetworks: NetworkSpec[] = [
  {
    id: 'mastodon',
    settings: [
      { key: 'instance_url', kind: 'url', required: true },
      { key: 'visibility', kind: 'string', required: false },
      { key: 'language', kind: 'string', required: false },
      { key: 'spoiler_text', kind: 'string', required: false },
    ],
    credentials: ['access_token'],
    oauth: true,
    builtIn: false,
  },
  {
    id: 'bluesky',
    settings: [
      { key: 'pds_url', kind: 'url', required: false, fallback: 'https://bsky.social' },
      { key: 'handle', kind: 'string', required: true },
      { key: 'language', kind: 'string', required: false },
    ],
    credentials: ['app_password'],
    oauth: false,
    builtIn: false,
  },
  {
    id: 'telegram',
    settings: [
      { key: 'chat_id', kind: 'string', required: true },
      { key: 'api_url', kind: 'url', required: false, fallback: 'https://api.telegram.org' },
      { key: 'parse_mode', kind: 'string', required: false },
    ],
    credentials: ['bot_token'],
    oauth: false,
    builtIn: false,
  },
  {
    id: 'webhook',
    settings: [{ key: 'url', kind: 'url', required: true }],
    credentials: ['secret'],
    oauth: false,
    builtIn: false,
  },
  {
    id: 'feed',
    settings: [{ key: 'title', kind: 'string', required: true }],
    credentials: [],
    oauth: false,
    builtIn: true,
  },
  {
    id: 'http-json',
    settings: [
      { key: 'url', kind: 'url', required: true },
      { key: 'max_chars', kind: 'integer', required: false, fallback: '500' },
    ],
    credentials: ['token'],
    oauth: false,
    builtIn: true,
  },
];

export function knownNetwork(id: string): NetworkSpec | undefined {
  return knownNetworks.find((n) => n.id === id);
}

/**
 * The networks an owner may connect now: the built-in connectors, and the enabled connector
 * plugins. Without the plugin list (it could not be read), every known network is offered; the
 * server refuses one that is not installed, with the reason.
 */
export function availableNetworks(plugins: Schemas['PluginView'][] | undefined): Network[] {
  if (!plugins) return knownNetworks.map((n) => ({ ...n, known: true as const }));
  const builtIn = knownNetworks.filter((n) => n.builtIn).map((n) => ({ ...n, known: true as const }));
  const installed: Network[] = plugins
    .filter((p) => p.world === 'connector' && p.enabled)
    .map((p) => {
      const spec = knownNetwork(p.id);
      return spec
        ? { ...spec, known: true as const, name: p.name }
        : {
            id: p.id,
            known: false as const,
            name: p.name,
            settings: [] as [],
            credentials: [] as [],
            oauth: false as const,
            builtIn: false as const,
          };
    });
  return [...installed, ...builtIn];
}

/** The path of a feed channel's public Atom document. */
export function feedPath(channelId: string): string {
  return `/feeds/${channelId}`;
}

type T = (key: string, options?: Record<string, unknown>) => string;

/**
 * A network's name for people, from the plugin id: the translated name of a network the UI
 * knows, else the installed plugin's own name (`installedName`), else the id.
 */
export function networkName(t: T, plugin: string, installedName?: string): string {
  return knownNetwork(plugin)
    ? t(`channels:networks.${plugin}.name`, { defaultValue: installedName ?? plugin })
    : (installedName ?? plugin);
}
