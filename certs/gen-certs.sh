#!/usr/bin/env bash
# Makes a development CA and a serving certificate for preflight, then prints the base64
# caBundle for the ValidatingWebhookConfiguration.
#
#   certs/gen-certs.sh [OUT_DIR] [extra SAN ...]     (default OUT_DIR: certs/dev)
#
# Files: ca.crt ca.key tls.crt tls.key. SANs: preflight.preflight-system.svc,
# preflight.preflight-system.svc.cluster.local, localhost, 127.0.0.1, plus any given.
# Existing files are kept unless FORCE=1, so reruns do not invalidate a deployed caBundle.
set -euo pipefail

out=${1:-"$(cd "$(dirname "$0")" && pwd)/dev"}
shift || true
days=${DAYS:-365}
service=${SERVICE:-preflight}
namespace=${NAMESPACE:-preflight-system}

mkdir -p "$out"
umask 077

if [[ -f "$out/tls.crt" && -f "$out/tls.key" && -f "$out/ca.crt" && "${FORCE:-0}" != 1 ]]; then
  base64 -w0 < "$out/ca.crt"; echo
  exit 0
fi

sans="DNS:${service}.${namespace}.svc,DNS:${service}.${namespace}.svc.cluster.local,DNS:localhost,IP:127.0.0.1"
for extra in "$@"; do
  if [[ $extra =~ ^[0-9.]+$ || $extra == *:* ]]; then sans+=",IP:$extra"; else sans+=",DNS:$extra"; fi
done

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -keyout "$out/ca.key" -out "$out/ca.crt" -days "$days" \
  -subj "/CN=preflight development CA" \
  -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null

openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -keyout "$out/tls.key.new" -out "$out/tls.csr" \
  -subj "/CN=${service}.${namespace}.svc" 2>/dev/null

cat > "$out/tls.ext" <<EXT
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=${sans}
EXT
openssl x509 -req -in "$out/tls.csr" -CA "$out/ca.crt" -CAkey "$out/ca.key" -CAcreateserial \
  -days "$days" -extfile "$out/tls.ext" -out "$out/tls.crt.new" 2>/dev/null
rm -f "$out/tls.csr" "$out/tls.ext" "$out/ca.srl"
# Key first, then certificate: a reloading server never sees a certificate without its key.
mv "$out/tls.key.new" "$out/tls.key"
mv "$out/tls.crt.new" "$out/tls.crt"
chmod 600 "$out"/*.key
chmod 644 "$out"/*.crt

base64 -w0 < "$out/ca.crt"; echo
