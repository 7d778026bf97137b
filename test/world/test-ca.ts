// A certificate authority for the embedded world: it issues the certificate an NLB TLS listener
// presents, for exactly the names its ACM certificate covers, so a client that verifies TLS
// against this CA sees what it would see against ACM (a name the certificate lacks fails).
import { generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';

interface KeyPair {
  privateKey: forge.pki.rsa.PrivateKey;
  publicKey: forge.pki.rsa.PublicKey;
  pem: string;
}

function keyPair(): KeyPair {
  // node:crypto makes the key (fast); forge only builds and signs the certificate.
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pkcs1 = privateKey.export({ type: 'pkcs1', format: 'pem' }) as string;
  return {
    privateKey: forge.pki.privateKeyFromPem(pkcs1),
    publicKey: forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }) as string),
    pem: pkcs1,
  };
}

export class TestCa {
  readonly pem: string;
  private readonly key: KeyPair;
  private readonly subject: forge.pki.CertificateField[] = [{ name: 'commonName', value: 'msk-custom-domain-sync embedded ACM CA' }];
  private readonly issued = new Map<string, { key: string; cert: string }>();
  private serial = 1;

  constructor() {
    this.key = keyPair();
    const ca = this.certificate(this.key.publicKey, this.subject, [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ]);
    this.pem = forge.pki.certificateToPem(ca);
  }

  /** A leaf certificate and key for `names` (first = subject), signed by this CA; cached per name set. */
  issue(names: string[]): { key: string; cert: string } {
    const id = names.join(',');
    const cached = this.issued.get(id);
    if (cached) return cached;
    const leaf = keyPair();
    const cert = this.certificate(leaf.publicKey, [{ name: 'commonName', value: names[0] }], [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: names.map((value) => ({ type: 2, value })) },
    ]);
    const out = { key: leaf.pem, cert: forge.pki.certificateToPem(cert) };
    this.issued.set(id, out);
    return out;
  }

  private certificate(publicKey: forge.pki.rsa.PublicKey, subject: forge.pki.CertificateField[], extensions: object[]): forge.pki.Certificate {
    const cert = forge.pki.createCertificate();
    cert.publicKey = publicKey;
    cert.serialNumber = String(this.serial++).padStart(2, '0');
    // Backdated and long-lived: a machine whose clock is off must still accept it.
    cert.validity.notBefore = new Date('2000-01-01T00:00:00Z');
    cert.validity.notAfter = new Date('2126-01-01T00:00:00Z');
    cert.setSubject(subject);
    cert.setIssuer(this.subject);
    cert.setExtensions(extensions);
    cert.sign(this.key.privateKey, forge.md.sha256.create());
    return cert;
  }
}
