// The networks a channel can be connected to, with the settings and credentials each takes.
// The connectors that ship with Heraut (and the two built into the server) are listed here, with
// translated labels and hints; for those ids this table wins. Any other enabled connector plugin
// gets its form from its manifest, which `GET /api/v1/plugins` carries: its settings (with
// English labels) and how it signs in (`auth`).
import type { Schemas } from '../../api/client';

export type SettingKind = 'string' | 'url' | 'integer' | 'boolean';

export type SettingSpec = {
  key: string;
  kind: SettingKind;
  required: boolean;
  /** What the server uses when the field is left empty; shown in the (translated) hint. */
  fallback?: string;
  /** The manifest's label (English), for a network built from its manifest. */
  label?: string;
  /** The manifest's default, put in the field to begin with. */
  default?: string;
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
  /**
   * For a network built from a plugin's manifest: how it signs in (`token`, `oauth2`, `hmac`,
   * `session`), which names its credential field. Absent for the networks of the table, whose
   * labels are translated.
   */
  manifestAuth?: string;
};

/** A network that can be chosen, with the installed plugin's own name when it is one. */
export type Network = NetworkSpec & { name?: string };

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

const settingKinds: readonly string[] = ['string', 'url', 'integer', 'boolean'];

/** A plugin's network as its manifest describes it. */
export function manifestNetwork(plugin: Schemas['PluginView']): NetworkSpec {
  // An older server answers without these; the plugin then takes nothing.
  const settings = plugin.settings ?? [];
  const auth = plugin.auth ?? { kind: 'none', credential: null };
  const signsIn = auth.kind !== 'none' && !!auth.credential;
  return {
    id: plugin.id,
    settings: settings.map((s) => ({
      key: s.key,
      // A kind this UI does not know yet is typed as text; the server says what it wants.
      kind: (settingKinds.includes(s.kind) ? s.kind : 'string') as SettingKind,
      required: s.required,
      label: s.label,
      ...(s.default != null ? { default: s.default } : {}),
    })),
    credentials: signsIn ? [auth.credential as string] : [],
    oauth: auth.kind === 'oauth2',
    builtIn: false,
    manifestAuth: auth.kind,
  };
}

/**
 * The fields of a connector: the table's for a network listed there, else its plugin's manifest
 * (enabled or not, for reconnecting a channel), else undefined (the plugin list is not known).
 */
export function networkFor(
  id: string,
  plugins: Schemas['PluginView'][] | undefined,
): NetworkSpec | undefined {
  const known = knownNetwork(id);
  if (known) return known;
  const plugin = plugins?.find((p) => p.id === id && p.world === 'connector');
  return plugin ? manifestNetwork(plugin) : undefined;
}

/**
 * The networks an owner may connect now: the built-in connectors, and the enabled connector
 * plugins. Without the plugin list (it could not be read), every known network is offered; the
 * server refuses one that is not installed, with the reason.
 */
export function availableNetworks(plugins: Schemas['PluginView'][] | undefined): Network[] {
  if (!plugins) return [...knownNetworks];
  const builtIn = knownNetworks.filter((n) => n.builtIn);
  const installed: Network[] = plugins
    .filter((p) => p.world === 'connector' && p.enabled)
    .map((p) => ({ ...(knownNetwork(p.id) ?? manifestNetwork(p)), name: p.name }));
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
