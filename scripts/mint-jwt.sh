#!/usr/bin/env bash
# Mints an HS256 JWT that castor accepts when it runs with the same JWT_SECRET: for tests and for
# trying the API with curl. Prints the token on stdout.
#
#   scripts/mint-jwt.sh --secret "$JWT_SECRET" --sub alice --tenant acme \
#       --scope "objects:read objects:write" [--ttl 3600] [--iss ISSUER] [--aud AUDIENCE]
#
#   --secret S   the HMAC secret (default: $JWT_SECRET, else the var/jwt-secret that scripts/run
#                made and serves with; castor wants at least 32 bytes)
#   --sub S      the subject; castor names the credential "jwt:S"
#   --tenant T   the tenant the token is bound to, or "*" for every tenant
#   --scope S    space-separated scopes: objects:read objects:write objects:delete admin
#                (default: none)
#   --ttl N      seconds until exp (default 3600; 0 or negative mints an already expired token)
#   --iss S      sets the iss claim      --aud S   sets the aud claim
#
# Claims written: sub, tenant, scope, iat (now), exp (now + ttl), and iss/aud when given.
# Needs only bash, openssl, date and tr. Note that the secret is passed to openssl on its command
# line, where other local users can see it with ps: use test secrets only.
#
#   curl -H "Authorization: Bearer $(scripts/mint-jwt.sh --sub me --tenant acme \
#        --scope objects:read)" http://localhost:8080/v1/objects?namespace=demo
set -euo pipefail

die() {
  echo "mint-jwt.sh: $*" >&2
  exit 2
}

secret=${JWT_SECRET:-}
local_secret="${CASTOR_VAR_DIR:-$(dirname "${BASH_SOURCE[0]}")/../var}/jwt-secret"
if [[ -z $secret && -s $local_secret ]]; then
  secret=$(cat "$local_secret")
fi
sub=""
tenant=""
scope=""
ttl=3600
iss=""
aud=""
have_iss=false
have_aud=false

while [[ $# -gt 0 ]]; do
  opt=$1
  case "$opt" in
    --*=*)
      value=${opt#*=}
      opt=${opt%%=*}
      shift
      ;;
    --secret | --sub | --tenant | --scope | --ttl | --iss | --aud)
      [[ $# -ge 2 ]] || die "$opt needs a value"
      value=$2
      shift 2
      ;;
    -h | --help)
      cat <<'USAGE'
usage: scripts/mint-jwt.sh [--secret S] --sub S --tenant T [--scope "S ..."] [--ttl N]
                           [--iss S] [--aud S]
Prints an HS256 JWT for castor. The secret defaults to $JWT_SECRET, else var/jwt-secret (made by
scripts/run); --tenant "*" means every
tenant; scopes are objects:read objects:write objects:delete admin; --ttl defaults to 3600 s.
USAGE
      exit 0
      ;;
    *)
      die "unknown option '$opt' (try --help)"
      ;;
  esac
  case "$opt" in
    --secret) secret=$value ;;
    --sub) sub=$value ;;
    --tenant) tenant=$value ;;
    --scope) scope=$value ;;
    --ttl) ttl=$value ;;
    --iss) iss=$value; have_iss=true ;;
    --aud) aud=$value; have_aud=true ;;
    *) die "unknown option '$opt' (try --help)" ;;
  esac
done

[[ -n $secret ]] || die "--secret (or JWT_SECRET) is required"
[[ -n $sub ]] || die "--sub is required"
[[ -n $tenant ]] || die "--tenant is required"
[[ $ttl =~ ^-?(0|[1-9][0-9]{0,9})$ ]] || die "--ttl must be a whole number of seconds"

# base64url without padding (RFC 4648 §5) of stdin.
b64url() {
  openssl base64 -A | tr '+/' '-_' | tr -d '=\n'
}

for value in "$sub" "$tenant" "$scope" "$iss" "$aud"; do
  if [[ $value == *[[:cntrl:]]* ]]; then
    die "control characters are not supported in claim values"
  fi
done

# A JSON string literal for $1 (which holds no control characters).
json_string() {
  local s=$1
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  printf '"%s"' "$s"
}

now=$(date +%s)
payload="{\"sub\":$(json_string "$sub"),\"tenant\":$(json_string "$tenant")"
payload+=",\"scope\":$(json_string "$scope"),\"iat\":$now,\"exp\":$((now + ttl))"
if $have_iss; then
  payload+=",\"iss\":$(json_string "$iss")"
fi
if $have_aud; then
  payload+=",\"aud\":$(json_string "$aud")"
fi
payload+="}"

header=$(printf '%s' '{"alg":"HS256","typ":"JWT"}' | b64url)
signing_input="$header.$(printf '%s' "$payload" | b64url)"
signature=$(printf '%s' "$signing_input" | openssl dgst -sha256 -hmac "$secret" -binary | b64url)
printf '%s.%s\n' "$signing_input" "$signature"
