// The emulated VCEK and its certificate chain (committed in vcekChain.generated.ts), and the GHCB
// certificate table the host hands to guests on an extended guest request.
import { concatBytes, hexToBytes } from './bytes';
import { signAmd } from './amdEcdsa';
import { buildCertTable, GUID_ARK, GUID_ASK, GUID_VCEK } from './certTable';
import {
  ARK_DER_HEX, ASK_DER_HEX, VCEK_DER_HEX, VCEK_PRIVATE_HEX, VCEK_PUBLIC_X_HEX, VCEK_PUBLIC_Y_HEX,
} from './vcekChain.generated';

const vcekPrivate = hexToBytes(VCEK_PRIVATE_HEX);

/** VCEK public key as an uncompressed SEC1 point: 0x04 || X[48] || Y[48] (97 bytes, big-endian). */
export function vcekPublicKey(): Uint8Array {
  return concatBytes(new Uint8Array([4]), hexToBytes(VCEK_PUBLIC_X_HEX), hexToBytes(VCEK_PUBLIC_Y_HEX));
}

/** DER certificates of the emulated chain. */
export function chainDer(): { ark: Uint8Array; ask: Uint8Array; vcek: Uint8Array } {
  return { ark: hexToBytes(ARK_DER_HEX), ask: hexToBytes(ASK_DER_HEX), vcek: hexToBytes(VCEK_DER_HEX) };
}

/** Signs with the VCEK; returns the 512-byte AMD signature field (r, s little-endian). */
export function vcekSign(message: Uint8Array): Uint8Array {
  return signAmd(message, vcekPrivate);
}

/** The certificate table (snp-kvm.md §5.10): entries for ARK, ASK and VCEK, a zero terminator,
 *  then the DER certificates; offsets count from the start of the returned buffer. */
export function certificateTable(): Uint8Array {
  const der = chainDer();
  return buildCertTable([
    { guid: GUID_ARK, data: der.ark },
    { guid: GUID_ASK, data: der.ask },
    { guid: GUID_VCEK, data: der.vcek },
  ]);
}
