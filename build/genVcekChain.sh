#!/bin/sh
# Generates, once, the emulated AMD key chain (ARK -> ASK -> VCEK) with openssl and writes it as
# emulator/src/firmware/vcekChain.generated.ts, so the emulator signs reports without openssl.
# These are NOT AMD's keys: every subject carries "OU=snpdbg emulated - not AMD".
# Shape follows AMD's KDS chain: ARK and ASK are RSA-4096 signed with RSASSA-PSS/SHA-384
# (salt 48, MGF1 SHA-384); the VCEK is an EC P-384 key signed by the ASK with RSASSA-PSS.
# Re-running replaces every key, so previously signed reports stop verifying against the new chain.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=emulator/src/firmware/vcekChain.generated.ts
cnf=build/firmware/vcekChain.cnf

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

product=Milan
# TCB the emulated platform reports (Milan byte layout: boot loader, TEE, SNP, microcode SPLs).
export SNPDBG_PRODUCT_NAME="$product-B0"
export SNPDBG_BL_SPL=3
export SNPDBG_TEE_SPL=0
export SNPDBG_SNP_SPL=8
export SNPDBG_UCODE_SPL=115
# CHIP_ID: 64 random bytes, also the VCEK's hwID extension (so a verifier can match them).
SNPDBG_CHIP_ID=$(openssl rand -hex 64)
export SNPDBG_CHIP_ID

subject() {
    printf '/C=US/ST=CA/L=Santa Clara/O=Advanced Micro Devices/OU=snpdbg emulated - not AMD/CN=%s' "$1"
}
pss="-sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:48 -sigopt rsa_mgf1_md:sha384"
days_ca=9131   # ~25 years, as AMD's ARK/ASK
days_vcek=7305 # ~20 years (AMD uses 7; longer keeps the committed chain valid for the tests)

# shellcheck disable=SC2086  # $pss is a list of options
{
    openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:4096 -out "$work/ark.key"
    openssl req -x509 -new -key "$work/ark.key" -subj "$(subject "ARK-$product")" -config "$cnf" \
        -extensions v3_ark -set_serial 1 -days "$days_ca" -sha384 $pss -out "$work/ark.pem"

    openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:4096 -out "$work/ask.key"
    openssl req -new -key "$work/ask.key" -subj "$(subject "SEV-$product")" -config "$cnf" \
        -out "$work/ask.csr"
    openssl x509 -req -in "$work/ask.csr" -CA "$work/ark.pem" -CAkey "$work/ark.key" -set_serial 2 \
        -days "$days_ca" -sha384 $pss -extfile "$cnf" -extensions v3_ask -out "$work/ask.pem"

    openssl genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$work/vcek.key"
    openssl req -new -key "$work/vcek.key" -subj "$(subject SEV-VCEK)" -config "$cnf" -out "$work/vcek.csr"
    openssl x509 -req -in "$work/vcek.csr" -CA "$work/ask.pem" -CAkey "$work/ask.key" -set_serial 3 \
        -days "$days_vcek" -sha384 $pss -extfile "$cnf" -extensions v3_vcek -out "$work/vcek.pem"
} 2>"$work/openssl.log" || { cat "$work/openssl.log" >&2; exit 1; }

openssl verify -CAfile "$work/ark.pem" -untrusted "$work/ask.pem" "$work/vcek.pem" >/dev/null

node build/firmware/emitVcekChain.mjs "$work" "$product" >"$out"
echo "wrote $out"
