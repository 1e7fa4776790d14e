/**
 * meshrr.conf.yml, typed: the file Juniper's meshrr v0.2 users already have in a ConfigMap
 * (`/opt/meshrr/conf/meshrr.conf.yml`), with the same keys. The YAML reference is
 * docs/pod.md; the parser is meshrr-conf.ts.
 */

/** Canonical modes; `ipv4rr` and `evpnrs` (Juniper's names) are accepted aliases. */
export type MeshrrMode = 'routereflector' | 'routeserver';

export const MODE_ALIASES: Readonly<Record<string, MeshrrMode>> = {
  routereflector: 'routereflector',
  ipv4rr: 'routereflector',
  routeserver: 'routeserver',
  evpnrs: 'routeserver',
};

/** `sourcetype: kubernetes`: the Service whose EndpointSlices list the peers. */
export interface KubernetesSourceConf {
  readonly service: string;
  /** null: the pod's own namespace (POD_NAMESPACE or the service account's). */
  readonly namespace: string | null;
}

/**
 * `type: mesh`: peers found by resolving `source.hostname` as a headless Service (`dns`, the
 * default, as in meshrr), or from the EndpointSlices of `source.service` (`kubernetes`).
 */
export interface MeshGroupConf {
  readonly type: 'mesh';
  readonly name: string;
  readonly sourcetype: 'dns' | 'kubernetes';
  /**
   * `dns`: `source.hostname`. `kubernetes`: the DNS name used when the API cannot be used
   * (`SERVICE` or `SERVICE.NAMESPACE.svc`, expanded with the search list).
   */
  readonly hostname: string;
  /** Set for `sourcetype: kubernetes` only. */
  readonly kubernetes: KubernetesSourceConf | null;
  /** null: every address in the answer is a peer (full mesh). */
  readonly maxPeers: number | null;
  /** The group as the template sees it: the file's keys, values normalised, extra keys kept. */
  readonly data: Readonly<Record<string, unknown>>;
}

export interface AsRange {
  readonly min: number;
  readonly max: number;
}

/** `type: subtractive`: accepts routers from `prefixes` minus every explicit peer address. */
export interface SubtractiveGroupConf {
  readonly type: 'subtractive';
  readonly name: string;
  /** Canonical prefix text (host bits clear, IPv6 per RFC 5952). */
  readonly prefixes: readonly string[];
  /** Peer AS ranges (route server mode: eBGP routers); empty when not given. */
  readonly asranges: readonly AsRange[];
  readonly data: Readonly<Record<string, unknown>>;
}

export type BgpGroupConf = MeshGroupConf | SubtractiveGroupConf;

export interface MeshrrConf {
  /** The file read, or `(built-in defaults)`. */
  readonly source: string;
  readonly asn: number;
  /** The AS number as written (`"65000.1"`), or as given by AUTONOMOUS_SYSTEM. */
  readonly asnText: string;
  readonly mode: MeshrrMode;
  /** In file order. */
  readonly groups: readonly BgpGroupConf[];
  /** Top-level keys meshrr does not know (passed to the template as `conf`). */
  readonly extra: Readonly<Record<string, unknown>>;
  /** One-line notices for the log (ignored keys, environment overrides). */
  readonly notices: readonly string[];
}

/** Values from the environment that override the file (validated by pod-env.ts). */
export interface ConfOverrides {
  /** AUTONOMOUS_SYSTEM. */
  readonly asn?: { readonly value: number; readonly text: string };
  /** MESHRR_MODE. */
  readonly mode?: MeshrrMode;
}

export const meshGroups = (c: MeshrrConf): MeshGroupConf[] => c.groups.filter((g): g is MeshGroupConf => g.type === 'mesh');
export const subtractiveGroups = (c: MeshrrConf): SubtractiveGroupConf[] => c.groups.filter((g): g is SubtractiveGroupConf => g.type === 'subtractive');
