// Shell scripts the pods run at start and for probes. They exist so that a pod decides its
// role from what the group knows *now* (sentinels, peers), not from its ordinal: a restarted
// ordinal 0 must come back as a replica of whoever was promoted while it was gone.
import { flavorBinaries } from '../api/flavor.js';
import type { Instance } from '../api/instance.js';
import {
  clusterAnnounceDirective,
  printfConfig,
  replicaAnnounceDirective,
  replicaOfDirective,
  sentinelAnnounceDirective,
  sentinelAuthDirectives,
  serverAuthDirectives,
  SHELL_ESC_FUNCTION,
  shellVar,
} from './config.js';
import { dataPodHosts, names, PORTS, sentinelPodHosts } from './names.js';

export const PATHS = {
  config: '/etc/valkey',
  scripts: '/scripts',
  data: '/data',
  run: '/run/valkey',
  tmp: '/tmp',
  auth: '/etc/valkey-auth',
  tls: '/etc/valkey-tls',
} as const;

export const TLS_FILES = {
  certFile: `${PATHS.tls}/tls.crt`,
  keyFile: `${PATHS.tls}/tls.key`,
  caFile: `${PATHS.tls}/ca.crt`,
};

/**
 * Shared preamble: the cli with TLS flags, the password exported for it (never on a command
 * line), and the escaping that printfConfig's lines need.
 */
/**
 * The repair a cluster pod applies to its nodes.conf before the server reads it, alone since the
 * operator may be down. Pass one (the file is read twice) notes each primary's shard id; pass two
 * writes the current IP of every peer that announced a hostname, and gives each replica its
 * primary's shard id: the rule of alignShardIds in engine/nodesConf.ts, which the local runtime
 * applies and a test holds this program to.
 */
export const NODES_CONF_REPAIR_AWK = `
  NR == FNR {
    if (NF >= 4 && $3 !~ /(^|,)slave(,|$)/ && match($2, /shard-id=[0-9a-f]+/)) shard[$1] = substr($2, RSTART, RLENGTH)
    next
  }
  $1 == "vars" || NF < 2 { print; next }
  {
    n = split($2, part, ","); host = (n >= 2 && part[2] !~ /=/) ? part[2] : ""; changed = 0
    if (host != "" && match(part[1], /:[0-9]+@/)) {
      cmd = "getent hosts " host; ip = ""
      if ((cmd | getline r) > 0) { split(r, f, " "); ip = f[1] }
      close(cmd)
      if (ip != "") { part[1] = ip substr(part[1], RSTART); changed = 1 }
    }
    if ($3 ~ /(^|,)slave(,|$)/ && ($4 in shard))
      for (i = 2; i <= n; i++) if (part[i] ~ /^shard-id=/ && part[i] != shard[$4]) { part[i] = shard[$4]; changed = 1 }
    if (changed) { addr = part[1]; for (i = 2; i <= n; i++) addr = addr "," part[i]; $2 = addr }
    print
  }`;

function preamble(inst: Instance): string {
  const cli = imageBinary('cli');
  const tls = inst.tls.enabled
    ? ` --tls --cacert ${TLS_FILES.caFile}${inst.tls.clientAuth ? ` --cert ${TLS_FILES.certFile} --key ${TLS_FILES.keyFile}` : ''}`
    : '';
  return `#!/bin/sh
set -eu
if [ -r ${PATHS.auth}/password ]; then REDISCLI_AUTH=$(cat ${PATHS.auth}/password); export REDISCLI_AUTH; fi
cli() { timeout 3 ${cli}${tls} --no-auth-warning "$@"; }
${SHELL_ESC_FUNCTION}
`;
}

function discoverMaster(inst: Instance): string {
  const s = inst.sentinel!;
  const sentinels = sentinelPodHosts(inst);
  const data = dataPodHosts(inst);
  return `# 1. The sentinels know the current master, including after any failover.
MASTER=""
for s in ${sentinels.join(' ')}; do
  MASTER=$(cli -h "$s" -p ${PORTS.sentinel} --raw sentinel get-master-addr-by-name ${s.masterName} 2>/dev/null | head -n 1) || MASTER=""
  [ -n "$MASTER" ] && break
done
# 2. No sentinel answers: ask the data pods, so a restarted pod-0 never becomes a second master.
if [ -z "$MASTER" ]; then
  for d in ${data.join(' ')}; do
    [ "$d" = "$SELF" ] && continue
    role=$(cli -h "$d" -p ${PORTS.data} --raw role 2>/dev/null | head -n 1) || role=""
    if [ "$role" = "master" ]; then MASTER="$d"; break; fi
  done
fi
# 3. A brand-new group: ordinal 0 starts as master.
[ -z "$MASTER" ] && MASTER=${data[0]}
`;
}

export function startServerScript(inst: Instance): string {
  const n = names(inst);
  let body =
    preamble(inst) +
    `SELF="$POD_NAME.${n.dataHeadless}.${inst.namespace}.svc.cluster.local"
RUNTIME=${PATHS.run}/runtime.conf
umask 077
: > "$RUNTIME"
if [ -n "\${REDISCLI_AUTH:-}" ]; then
  ${printfConfig(serverAuthDirectives(shellVar('REDISCLI_AUTH')))} >> "$RUNTIME"
fi
`;
  if (inst.sentinel) {
    body +=
      discoverMaster(inst) +
      `if [ "$MASTER" != "$SELF" ]; then ${printfConfig([replicaOfDirective(shellVar('MASTER'), PORTS.data)])} >> "$RUNTIME"; fi
${printfConfig([replicaAnnounceDirective(shellVar('SELF'))])} >> "$RUNTIME"
`;
  }
  if (inst.cluster) {
    body += `${printfConfig([clusterAnnounceDirective(shellVar('SELF'))])} >> "$RUNTIME"
# After a restart every pod may have a new IP while nodes.conf still lists the old ones; a
# cluster whose members all restarted could then never reach each other. The repair re-resolves
# each peer's announced hostname and aligns replicas' shard ids (see NODES_CONF_REPAIR_AWK).
if [ -s ${PATHS.data}/nodes.conf ]; then
  awk '${NODES_CONF_REPAIR_AWK}' ${PATHS.data}/nodes.conf ${PATHS.data}/nodes.conf > ${PATHS.data}/nodes.conf.rk-new && mv ${PATHS.data}/nodes.conf.rk-new ${PATHS.data}/nodes.conf
fi
`;
  }
  body += `exec ${imageBinary('server')} ${PATHS.config}/valkey.conf --include "$RUNTIME"
`;
  return body;
}

export function startSentinelScript(inst: Instance): string {
  const n = names(inst);
  const s = inst.sentinel!;
  return (
    preamble(inst) +
    `SELF="$POD_NAME.${n.sentinelHeadless}.${inst.namespace}.svc.cluster.local"
umask 077
${discoverMaster(inst).replace(/ *\[ "\$d" = "\$SELF" \] && continue\n/, '')}CONF=${PATHS.run}/sentinel.conf
sed "s|^sentinel monitor ${s.masterName} [^ ]* |sentinel monitor ${s.masterName} $MASTER |" ${PATHS.config}/sentinel.conf > "$CONF"
${printfConfig([sentinelAnnounceDirective(shellVar('SELF'))])} >> "$CONF"
if [ -n "\${REDISCLI_AUTH:-}" ]; then
  ${printfConfig(sentinelAuthDirectives(inst, shellVar('REDISCLI_AUTH')))} >> "$CONF"
fi
exec ${imageBinary('sentinel')} "$CONF"
`
  );
}

/** Ready: answers PING, and a replica has a live link and no sync in progress. */
export function readinessScript(inst: Instance): string {
  return (
    preamble(inst) +
    `[ "$(cli -h 127.0.0.1 -p ${PORTS.data} ping 2>/dev/null)" = "PONG" ] || exit 1
info=$(cli -h 127.0.0.1 -p ${PORTS.data} info replication | tr -d '\\r') || exit 1
case "$info" in
  *role:slave*)
    echo "$info" | grep -q '^master_link_status:up' || exit 1
    echo "$info" | grep -q '^master_sync_in_progress:0' || exit 1 ;;
esac
exit 0
`
  );
}

/** Alive: the server answers at all; LOADING and MASTERDOWN are alive (restarting would only make them worse). */
export function livenessScript(inst: Instance, port: number = PORTS.data): string {
  return (
    preamble(inst) +
    `out=$(cli -h 127.0.0.1 -p ${port} ping 2>&1) || exit 1
case "$out" in PONG|LOADING*|MASTERDOWN*|*"BUSY"*) exit 0 ;; esac
exit 1
`
  );
}

export function sentinelReadinessScript(inst: Instance): string {
  return (
    preamble(inst) +
    `[ "$(cli -h 127.0.0.1 -p ${PORTS.sentinel} ping 2>/dev/null)" = "PONG" ] || exit 1
cli -h 127.0.0.1 -p ${PORTS.sentinel} --raw sentinel get-master-addr-by-name ${inst.sentinel!.masterName} | grep -q . || exit 1
`
  );
}

/**
 * The server, sentinel or cli binary of whatever image the pod runs. The scripts ConfigMap changes as
 * soon as the spec does, while pods still on the old image restart with it until the rolling
 * restart reaches them: a redis pod must not exec valkey-server (valkey images also ship the
 * redis-* names, so the valkey name is tried first).
 */
function imageBinary(kind: 'server' | 'sentinel' | 'cli'): string {
  const [valkey, redis] = [flavorBinaries('valkey')[kind], flavorBinaries('redis')[kind]];
  return `"$(command -v ${valkey} || command -v ${redis})"`;
}
