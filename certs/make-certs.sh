#!/usr/bin/env bash
# Makes the TLS material Karpenter's HTTPS server needs: a CA, a serving certificate for the
# karpenter Service (webhooks and scheduler extender), optionally client certificates for mTLS,
# and renders the CA bundle into the webhook configurations. Only bash and the openssl CLI.
#
# Writes into --out DIR:
#   ca.crt ca.key                 the CA (keep ca.key offline if you can; it signs anything)
#   tls.crt tls.key               the serving certificate, named as a kubernetes.io/tls Secret
#   client-<NAME>.crt/.key        one per --client NAME (clientAuth), for --client-ca-file mTLS
#   karpenter-cert-secret.yaml    with --secret: the Secret karpenter-cert the Deployment mounts
# and prints the base64 CA bundle (and nothing else) on stdout, so
#   CA_BUNDLE=$(certs/make-certs.sh --out certs-out)
# works. Existing files are never overwritten without --force; --reuse keeps the existing CA and
# serving certificate and only prints, renders and emits the Secret (safe to repeat).
set -euo pipefail

readonly kProgram="${0##*/}"
kScriptDir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly kScriptDir

usage() {
  cat <<EOF
Usage: $kProgram [options]

  --out DIR               where to write the files (default: ./karpenter-certs)
  --namespace NS          namespace of the karpenter Service (default: karpenter)
  --service NAME          name of the karpenter Service (default: karpenter)
  --san NAME|IP           extra subject alternative name, repeatable (e.g. --san 127.0.0.1)
  --days N                validity in days of every certificate (default: 365)
  --key-type ec|rsa       ECDSA P-256 (default) or RSA 2048 keys
  --client NAME           also issue a client certificate with CN NAME, repeatable
  --render-webhooks DIR   write the webhook configurations (and the scheduler extender
                          configuration) with \${CA_BUNDLE} filled in, into DIR
  --webhooks-dir DIR      templates to render (default: the repository's webhooks/)
  --secret                write DIR/karpenter-cert-secret.yaml (Secret karpenter-cert)
  --reuse                 keep the CA and serving certificate already in --out
  --force                 overwrite existing files (makes a new CA: re-render the webhooks)
  -h, --help              this help
EOF
}

die() {
  echo "$kProgram: $*" >&2
  exit 1
}

bad_flag() {
  echo "$kProgram: $*" >&2
  echo "Run '$kProgram --help' for usage." >&2
  exit 2
}

out_dir="./karpenter-certs"
namespace="karpenter"
service="karpenter"
days=365
key_type="ec"
render_dir=""
webhooks_dir="$kScriptDir/../webhooks"
emit_secret=0
reuse=0
force=0
extra_sans=()
clients=()

# A flag's value: present and not itself a flag.
need_value() {
  if [[ $# -lt 2 || -z "$2" || "$2" == --* ]]; then
    bad_flag "$1 needs a value"
  fi
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) need_value "$@"; out_dir="$2"; shift 2 ;;
    --namespace) need_value "$@"; namespace="$2"; shift 2 ;;
    --service) need_value "$@"; service="$2"; shift 2 ;;
    --san) need_value "$@"; extra_sans+=("$2"); shift 2 ;;
    --days) need_value "$@"; days="$2"; shift 2 ;;
    --key-type) need_value "$@"; key_type="$2"; shift 2 ;;
    --client) need_value "$@"; clients+=("$2"); shift 2 ;;
    --render-webhooks) need_value "$@"; render_dir="$2"; shift 2 ;;
    --webhooks-dir) need_value "$@"; webhooks_dir="$2"; shift 2 ;;
    --secret) emit_secret=1; shift ;;
    --reuse) reuse=1; shift ;;
    --force) force=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) bad_flag "unknown flag '$1'" ;;
  esac
done

# --- Validate flags before touching anything -------------------------------------------------

readonly kDnsLabel='[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?'
[[ "$namespace" =~ ^${kDnsLabel}$ ]] ||
  bad_flag "--namespace '$namespace' is not a DNS-1123 label (lowercase letters, digits, '-')"
[[ "$service" =~ ^${kDnsLabel}$ ]] ||
  bad_flag "--service '$service' is not a DNS-1123 label (lowercase letters, digits, '-')"
[[ "$days" =~ ^[1-9][0-9]{0,4}$ ]] || bad_flag "--days '$days' must be a whole number of days, 1-99999"
[[ "$key_type" == "ec" || "$key_type" == "rsa" ]] || bad_flag "--key-type '$key_type' must be 'ec' or 'rsa'"
if [[ $reuse -eq 1 && $force -eq 1 ]]; then
  bad_flag "--reuse keeps the existing certificates and --force replaces them; pass one"
fi

# SANs go into an openssl config file: accept only what a SAN can be, so nothing can inject
# config syntax (commas, newlines, '=').
san_entries=()
for san in "${extra_sans[@]}"; do
  if [[ "$san" =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}$ || ("$san" == *:* && "$san" =~ ^[0-9A-Fa-f:.]+$) ]]; then
    san_entries+=("IP:$san")
  elif [[ "$san" =~ ^(\*\.)?[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?(\.[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?)*$ ]]; then
    san_entries+=("DNS:$san")
  else
    bad_flag "--san '$san' is neither an IP address nor a DNS name"
  fi
done
for client in "${clients[@]}"; do
  [[ "$client" =~ ^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$ ]] ||
    bad_flag "--client '$client' must be letters, digits, '-', '_' or '.' (it names the files)"
done
if [[ -n "$render_dir" && ! -d "$webhooks_dir" ]]; then
  bad_flag "--webhooks-dir '$webhooks_dir' is not a directory"
fi

command -v openssl >/dev/null || die "the openssl CLI is required"

# --- Refuse to overwrite ---------------------------------------------------------------------

readonly kServingFiles=(ca.crt ca.key tls.crt tls.key)
targets=()
if [[ $reuse -eq 0 ]]; then
  targets+=("${kServingFiles[@]}")
fi
for client in "${clients[@]}"; do
  targets+=("client-$client.crt" "client-$client.key")
done

mkdir -p "$out_dir"
if [[ $force -eq 0 ]]; then
  existing=()
  for file in "${targets[@]}"; do
    if [[ -e "$out_dir/$file" ]]; then
      existing+=("$out_dir/$file")
    fi
  done
  # The Secret is derived from the CA and serving certificate: with --reuse it is rewritten
  # from the same files, so replacing it loses nothing.
  if [[ $emit_secret -eq 1 && $reuse -eq 0 && -e "$out_dir/karpenter-cert-secret.yaml" ]]; then
    existing+=("$out_dir/karpenter-cert-secret.yaml")
  fi
  if [[ ${#existing[@]} -gt 0 ]]; then
    die "refusing to overwrite ${existing[*]}; pass --force to replace them (a new CA means" \
      "re-rendering the webhook configurations), or --reuse to keep the existing CA and certificate"
  fi
fi
if [[ $reuse -eq 1 ]]; then
  for file in "${kServingFiles[@]}"; do
    [[ -s "$out_dir/$file" ]] || die "--reuse: $out_dir/$file is missing; run without --reuse first"
  done
fi

# --- Generate --------------------------------------------------------------------------------

# Everything is made in a private scratch directory and moved into place only when all of it
# succeeded, so a failure never leaves a CA that does not match the serving certificate.
umask 077
scratch="$(mktemp -d "${TMPDIR:-/tmp}/karpenter-certs.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT

new_key() {
  if [[ "$key_type" == "ec" ]]; then
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null
  else
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null
  fi
}

# RSA keys are also used for key exchange in TLS 1.2 RSA suites; EC keys only sign.
leaf_key_usage() {
  if [[ "$key_type" == "ec" ]]; then
    echo "critical,digitalSignature"
  else
    echo "critical,digitalSignature,keyEncipherment"
  fi
}

# sign <name> <subject CN> <extensions file>: <name>.key + <name>.crt issued by the CA.
sign() {
  local name="$1" cn="$2" ext="$3" ca_dir="$4"
  new_key "$scratch/$name.key"
  openssl req -new -key "$scratch/$name.key" -subj "/CN=$cn" -out "$scratch/$name.csr" 2>/dev/null
  openssl x509 -req -in "$scratch/$name.csr" -CA "$ca_dir/ca.crt" -CAkey "$ca_dir/ca.key" \
    -set_serial "0x$(openssl rand -hex 16)" -days "$days" -sha256 -extfile "$ext" \
    -out "$scratch/$name.crt" 2>/dev/null
  rm -f "$scratch/$name.csr"
}

if [[ $reuse -eq 1 ]]; then
  ca_dir="$out_dir"
else
  ca_dir="$scratch"
  new_key "$scratch/ca.key"
  openssl req -x509 -new -key "$scratch/ca.key" -sha256 -days "$days" \
    -subj "/CN=karpenter-ca" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -addext "subjectKeyIdentifier=hash" \
    -out "$scratch/ca.crt" 2>/dev/null || die "openssl failed to make the CA"

  # The names the kube-apiserver and kube-scheduler may use for the Service.
  sans="DNS:$service,DNS:$service.$namespace,DNS:$service.$namespace.svc"
  sans+=",DNS:$service.$namespace.svc.cluster.local"
  for entry in "${san_entries[@]}"; do
    sans+=",$entry"
  done
  cat >"$scratch/server.ext" <<EOF
basicConstraints=critical,CA:FALSE
keyUsage=$(leaf_key_usage)
extendedKeyUsage=serverAuth
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
subjectAltName=$sans
EOF
  sign tls "$service.$namespace.svc" "$scratch/server.ext" "$ca_dir" ||
    die "openssl failed to make the serving certificate"
fi

if [[ ${#clients[@]} -gt 0 ]]; then
  cat >"$scratch/client.ext" <<EOF
basicConstraints=critical,CA:FALSE
keyUsage=$(leaf_key_usage)
extendedKeyUsage=clientAuth
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
EOF
  for client in "${clients[@]}"; do
    sign "client-$client" "$client" "$scratch/client.ext" "$ca_dir" ||
      die "openssl failed to make the client certificate '$client'"
  done
fi

# One line of base64, the form caBundle / caData take.
b64() { openssl base64 -A -in "$1"; }
ca_bundle="$(b64 "$ca_dir/ca.crt")"

if [[ $emit_secret -eq 1 ]]; then
  cat >"$scratch/karpenter-cert-secret.yaml" <<EOF
# The serving certificate mounted by the karpenter Deployment at /etc/karpenter/certs.
# Contains a private key: apply it, do not commit it.
apiVersion: v1
kind: Secret
metadata:
  name: karpenter-cert
  namespace: $namespace
  labels:
    app.kubernetes.io/name: karpenter
type: kubernetes.io/tls
data:
  tls.crt: $(b64 "$ca_dir/tls.crt")
  tls.key: $(b64 "$ca_dir/tls.key")
  ca.crt: $ca_bundle
EOF
fi

# --- Install ---------------------------------------------------------------------------------

if [[ $emit_secret -eq 1 ]]; then
  targets+=(karpenter-cert-secret.yaml)
fi
for file in "${targets[@]}"; do
  mv -f "$scratch/$file" "$out_dir/$file"
done
chmod 0644 "$out_dir/ca.crt" "$out_dir/tls.crt"
for client in "${clients[@]}"; do
  chmod 0644 "$out_dir/client-$client.crt"
done
if [[ $emit_secret -eq 1 ]]; then
  echo "$kProgram: wrote $out_dir/karpenter-cert-secret.yaml (kubectl apply -f it)" >&2
fi

# --- Render ----------------------------------------------------------------------------------

# Fills ${CA_BUNDLE} and points the service references at --service/--namespace (the templates
# say karpenter/karpenter). awk, not sed, so no character of the bundle is special.
render() {
  awk -v bundle="$ca_bundle" -v svc="$service" -v ns="$namespace" '
    function indent(s) { match(s, /^ */); return RLENGTH }
    {
      line = $0
      # Comments keep the placeholder: they explain it.
      while (line !~ /^ *#/ && (i = index(line, "${CA_BUNDLE}")) > 0) {
        line = substr(line, 1, i - 1) bundle substr(line, i + length("${CA_BUNDLE}"))
      }
      # Inside a clientConfig.service block: rewrite its name and namespace.
      if (in_service && indent(line) <= service_indent) { in_service = 0 }
      if (line ~ /^ *service:[ ]*$/) { in_service = 1; service_indent = indent(line) }
      else if (in_service && line ~ /^ *name: karpenter[ ]*$/) { sub(/karpenter/, svc, line) }
      else if (in_service && line ~ /^ *namespace: karpenter[ ]*$/) { sub(/karpenter/, ns, line) }
      # The scheduler extender addresses the Service by DNS name.
      gsub(/karpenter\.karpenter\.svc/, svc "." ns ".svc", line)
      print line
    }' "$1"
}

if [[ -n "$render_dir" ]]; then
  mkdir -p "$render_dir"
  shopt -s nullglob
  templates=("$webhooks_dir"/*.yaml)
  [[ ${#templates[@]} -gt 0 ]] || die "no *.yaml templates in $webhooks_dir"
  for template in "${templates[@]}"; do
    rendered="$render_dir/$(basename "$template")"
    if [[ -e "$rendered" && $force -eq 0 && $reuse -eq 0 ]]; then
      die "refusing to overwrite $rendered; pass --force (or --reuse to re-render)"
    fi
    render "$template" >"$rendered.tmp" && mv -f "$rendered.tmp" "$rendered"
    chmod 0644 "$rendered"
  done
  echo "$kProgram: rendered ${#templates[@]} configuration(s) into $render_dir" >&2
fi

echo "$ca_bundle"
