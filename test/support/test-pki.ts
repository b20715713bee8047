/**
 * Certificates made for a test with the openssl CLI in a temporary directory (never committed): a
 * CA, a server certificate it signed for `shop.example.test`, localhost and 127.0.0.1, a client
 * certificate it signed (PEM and a passphrase-protected pfx), and a key that matches neither.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface TestPki {
  readonly dir: string;
  /** File paths. */
  readonly files: { readonly ca: string; readonly serverCert: string; readonly serverKey: string; readonly clientCert: string; readonly clientKey: string; readonly clientPfx: string; readonly otherKey: string };
  /** PEM texts the test servers use. */
  readonly ca: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly pfxPassphrase: string;
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** The PKI under `dir`, or undefined when the openssl binary is missing. */
export function makeTestPki(dir: string): TestPki | undefined {
  const f = (name: string): string => path.join(dir, name);
  const run = (args: string[]): void => void execFileSync('openssl', args, { stdio: 'ignore', timeout: 20_000, cwd: dir });
  const pfxPassphrase = 'pfx-pass-7f3a';
  try {
    run(['req', '-x509', ...EC, '-days', '1', '-subj', '/CN=rampart test CA', '-keyout', f('ca.key'), '-out', f('ca.pem'),
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
    const sign = (name: string, cn: string, ext: string, serial: string): void => {
      writeFileSync(f(`${name}.ext`), `${ext}\n`);
      run(['req', ...EC, '-subj', `/CN=${cn}`, '-keyout', f(`${name}.key`), '-out', f(`${name}.csr`)]);
      run(['x509', '-req', '-in', f(`${name}.csr`), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-set_serial', serial, '-days', '1', '-out', f(`${name}.pem`), '-extfile', f(`${name}.ext`)]);
    };
    sign('server', 'shop.example.test', 'subjectAltName=DNS:shop.example.test,DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth', '1001');
    sign('client', 'rampart client', 'extendedKeyUsage=clientAuth', '1002');
    run(['pkcs12', '-export', '-in', f('client.pem'), '-inkey', f('client.key'), '-out', f('client.pfx'), '-passout', `pass:${pfxPassphrase}`]);
    run(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-out', f('other.key')]);
  } catch {
    return undefined;
  }
  return {
    dir,
    files: { ca: f('ca.pem'), serverCert: f('server.pem'), serverKey: f('server.key'), clientCert: f('client.pem'), clientKey: f('client.key'), clientPfx: f('client.pfx'), otherKey: f('other.key') },
    ca: readFileSync(f('ca.pem'), 'utf8'),
    serverCert: readFileSync(f('server.pem'), 'utf8'),
    serverKey: readFileSync(f('server.key'), 'utf8'),
    pfxPassphrase,
  };
}
