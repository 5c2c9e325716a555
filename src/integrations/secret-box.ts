import { Inject, Injectable, Logger } from '@nestjs/common';
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { parseEncryptionKey } from '../config/encryption-key.js';

const FORMAT = 'v1';

/**
 * Encrypts secrets that must be usable again (HMAC signing secrets) with AES-256-GCM.
 * Stored form: `v1.<iv>.<tag>.<ciphertext>` (base64url), so a key or format change stays detectable.
 */
@Injectable()
export class SecretBox {
  private static warned = false;
  private readonly key: Buffer;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    if (config.ENCRYPTION_KEY) {
      this.key = parseEncryptionKey(config.ENCRYPTION_KEY);
    } else {
      // Development only (loadConfig refuses production without a key): a fixed, publicly known key.
      this.key = createHash('sha256').update('sla-tracker development key - not secret').digest();
      if (!SecretBox.warned) {
        SecretBox.warned = true;
        new Logger('SecretBox').warn(
          'ENCRYPTION_KEY is not set: integration secrets are encrypted with a fixed development key. ' +
            'Set ENCRYPTION_KEY (`openssl rand -hex 32`) before storing real secrets.',
        );
      }
    }
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const parts = [iv, cipher.getAuthTag(), ciphertext].map((b) => b.toString('base64url'));
    return [FORMAT, ...parts].join('.');
  }

  open(sealed: string): string {
    const [format, iv, tag, ciphertext] = sealed.split('.');
    if (format !== FORMAT || !iv || !tag || ciphertext === undefined)
      throw new Error('Unrecognised sealed secret');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
  }
}
