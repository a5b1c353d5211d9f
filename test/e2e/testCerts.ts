// Stands in for cert-manager, which the test cluster does not run: a throwaway CA and a server
// certificate for the DNS names and IPs a rendered Certificate asks for, as the kubernetes.io/tls
// Secret (tls.crt, tls.key, ca.crt) that cert-manager would write.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface IssuedCert {
  caFile: string;
  data: { 'tls.crt': string; 'tls.key': string; 'ca.crt': string };
}

export function issueCert(dir: string, dnsNames: string[], ipAddresses: string[]): IssuedCert {
  const d = mkdtempSync(join(dir, 'certs-'));
  const f = (n: string) => join(d, n);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  ssl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=rk-test-ca',
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.crt'),
  );
  ssl(
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-subj',
    `/CN=${dnsNames[0] ?? 'rk-test'}`,
    '-keyout',
    f('tls.key'),
    '-out',
    f('tls.csr'),
  );
  const san = [...dnsNames.map((n) => `DNS:${n}`), ...ipAddresses.map((ip) => `IP:${ip}`)].join(',');
  writeFileSync(
    f('ext.cnf'),
    `subjectAltName=${san}\nextendedKeyUsage=serverAuth,clientAuth\nkeyUsage=digitalSignature,keyEncipherment\n`,
  );
  ssl(
    'x509',
    '-req',
    '-in',
    f('tls.csr'),
    '-CA',
    f('ca.crt'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-days',
    '1',
    '-extfile',
    f('ext.cnf'),
    '-out',
    f('tls.crt'),
  );
  const b64 = (n: string) => readFileSync(f(n)).toString('base64');
  return {
    caFile: f('ca.crt'),
    data: { 'tls.crt': b64('tls.crt'), 'tls.key': b64('tls.key'), 'ca.crt': b64('ca.crt') },
  };
}
