#!/usr/bin/env bash
# A guided tour of castor's HTTP API with curl: every endpoint, each call printed with its answer.
# It doubles as documentation (read the steps below) and as a smoke test: it stops with an error
# as soon as a status code is not the expected one.
#
#   scripts/run                      # in one terminal: a server on :8080
#   scripts/demo.sh                  # in another
#
# Environment:
#   BASE_URL   server to talk to (default http://localhost:8080)
#   API_KEY    when set, sent as "Authorization: Bearer $API_KEY" with every request
#   NAMESPACE  namespace to use (default demo); the tenant is new on every run (demo-<time>-<pid>)
#              so that the keys below are free
#
# Needs only curl, sed, grep, cmp, tar and sha256sum (no jq).
set -euo pipefail

BASE_URL=${BASE_URL:-http://localhost:8080}
BASE_URL=${BASE_URL%/}
NS=${NAMESPACE:-demo}
TENANT=demo-$(date +%s)-$$
OTHER_TENANT=$TENANT-other

AUTH=()
if [[ -n ${API_KEY:-} ]]; then
  AUTH=(-H "Authorization: Bearer $API_KEY")
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/castor-demo.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
BODY=$WORK/body
HEADERS=$WORK/headers
STATUS=

step=0
BOLD='' PLAIN=''
if [[ -t 1 ]]; then
  BOLD=$'\033[1m' PLAIN=$'\033[0m'
fi
say() {
  step=$((step + 1))
  printf '\n%s[%02d] %s%s\n' "$BOLD" "$step" "$*" "$PLAIN"
}

# call EXPECTED_STATUS METHOD PATH [curl args...]
# Sends the request, prints it and the answer, and fails unless the status is EXPECTED_STATUS.
# The response body is left in $BODY and the headers in $HEADERS.
call() {
  local expected=$1 method=$2 path=$3
  shift 3
  local method_args=(-X "$method")
  [[ $method == HEAD ]] && method_args=(--head)
  local shown=() arg
  [[ $method != GET ]] && shown+=("${method_args[@]}")
  shown+=("$@" "$BASE_URL$path")
  printf '  $ curl'
  if [[ -n ${SIGV4:-} ]]; then
    printf ' --aws-sigv4 aws:amz:us-east-1:s3 --user "$AKID:$SECRET"'
  elif [[ ${#AUTH[@]} -gt 0 ]]; then
    printf ' -H "Authorization: Bearer $%s"' "${AUTH_NAME:-API_KEY}"
  fi
  for arg in "${shown[@]}"; do
    if [[ $arg =~ ^[A-Za-z0-9_./:@=%,+-]+$ ]]; then
      printf ' %s' "$arg"
    else
      printf " '%s'" "${arg//\'/\'\\\'\'}"
    fi
  done
  printf '\n'
  : >"$BODY" # curl leaves the file alone when there is no body (a 304): no stale content
  STATUS=$(curl -sS "${method_args[@]}" -o "$BODY" -D "$HEADERS" -w '%{http_code}' \
    "${AUTH[@]}" "$@" "$BASE_URL$path") || {
    printf 'FAILED: curl could not complete the request (is the server running at %s?)\n' \
      "$BASE_URL" >&2
    exit 1
  }
  [[ $method == HEAD ]] && : >"$BODY" # curl --head writes the headers there too
  printf '  -> %s' "$STATUS"
  if [[ -s $BODY ]]; then
    if LC_ALL=C grep -q '[^[:print:][:space:]]' "$BODY"; then
      printf '  (%s bytes of binary content)' "$(wc -c <"$BODY")"
    else
      printf '  %s' "$(head -c 600 "$BODY")"
    fi
  fi
  printf '\n'
  if [[ $STATUS != "$expected" ]]; then
    printf 'FAILED: expected HTTP %s, got %s. Response headers:\n' "$expected" "$STATUS" >&2
    cat "$HEADERS" >&2
    exit 1
  fi
  if [[ -z $(header X-Request-Id) ]]; then
    printf 'FAILED: the response has no X-Request-Id header\n' >&2
    exit 1
  fi
}

# header NAME: the value of a response header of the last call (empty when absent).
header() {
  sed -n "s/^$1:[[:space:]]*//Ip" "$HEADERS" | tr -d '\r' | tail -n 1
}

# json_string FIELD: the first string value of FIELD in the last response body.
json_string() {
  sed -n "s/.*\"$1\"[[:space:]]*:[[:space:]]*\"\([^\"]*\)\".*/\1/p" "$BODY" | head -n 1
}

expect_header() {
  local value
  value=$(header "$1")
  if [[ -z $value ]]; then
    printf 'FAILED: missing response header %s\n' "$1" >&2
    exit 1
  fi
  printf '     %s: %s\n' "$1" "$value"
}

expect_body() {
  if ! cmp -s "$BODY" "$1"; then
    printf 'FAILED: the downloaded content differs from %s\n' "$1" >&2
    exit 1
  fi
  printf '     content matches what was uploaded\n'
}

# Some content to store.
printf 'Hello, castor!\n' >"$WORK/hello.txt"
head -c 300000 /dev/urandom >"$WORK/random.bin"
printf 'second document\n' >"$WORK/second.txt"
HELLO_SHA=$(sha256sum "$WORK/hello.txt" | cut -d' ' -f1)

printf 'castor demo against %s (namespace %s, tenant %s)\n' "$BASE_URL" "$NS" "$TENANT"

# --- health ------------------------------------------------------------------------------------
say "Liveness: GET /health"
call 200 GET /health

say "Readiness (database reachable, migrations current, storage writable): GET /ready"
call 200 GET /ready

say "The same at the path JustStorage clients use (castor keeps JustStorage's API; see README): GET /health/ready"
call 200 GET /health/ready

# --- the root and the OpenAPI document -----------------------------------------------------------
say "The root answers like /health (PutPlace's clients probe it): GET /"
call 200 GET /

say "The OpenAPI 3.1 document of every route (no credential needed): GET /openapi.json"
call 200 GET /openapi.json
expect_header ETag
OPENAPI_ETAG=$(header ETag)
grep -q '"openapi":"3.1.0"' "$BODY" || {
  printf 'FAILED: /openapi.json is no OpenAPI 3.1 document\n' >&2
  exit 1
}

say "Unchanged? If-None-Match with its ETag: 304"
call 304 GET /openapi.json -H "If-None-Match: $OPENAPI_ETAG"

# --- upload --------------------------------------------------------------------------------------
say "Upload with parameters in headers (X-Namespace, X-Tenant, X-Key, X-Storage-Class)"
call 201 POST /v1/objects -H "X-Namespace: $NS" -H "X-Tenant: $TENANT" -H 'X-Key: docs/hello.txt' \
  -H 'X-Storage-Class: hot' -H 'Content-Type: text/plain' --data-binary "@$WORK/hello.txt"
HELLO_ID=$(json_string id)
[[ -n $HELLO_ID ]] || {
  echo 'FAILED: no "id" in the answer' >&2
  exit 1
}
expect_header Location
expect_header ETag
HELLO_ETAG=$(header ETag)
printf '     id: %s\n' "$HELLO_ID"

say "Upload with parameters in the query string (namespace, tenant_id, key, storage_class)"
call 201 POST "/v1/objects?namespace=$NS&tenant_id=$TENANT&key=images/random%20bytes.bin&storage_class=cold" \
  -H 'Content-Type: application/octet-stream' --data-binary "@$WORK/random.bin"
RANDOM_ID=$(json_string id)
printf '     id: %s\n' "$RANDOM_ID"

say "Upload with a checksum the server verifies (X-Content-SHA256), sent chunked, no key"
call 201 POST /v1/objects -H "X-Namespace: $NS" -H "X-Tenant: $TENANT" \
  -H "X-Content-SHA256: sha256:$HELLO_SHA" -H 'Transfer-Encoding: chunked' \
  --data-binary "@$WORK/hello.txt"
KEYLESS_ID=$(json_string id)
printf '     same content as docs/hello.txt: stored once on disk (ref_count 2)\n'

say "Upload whose X-Content-SHA256 does not match: 400, nothing stored"
call 400 POST /v1/objects -H "X-Namespace: $NS" -H "X-Tenant: $TENANT" -H 'X-Key: docs/bad.txt' \
  -H "X-Content-SHA256: $(printf '0%.0s' {1..64})" --data-binary "@$WORK/hello.txt"

say "Upload to a key already in use: 409"
call 409 POST /v1/objects -H "X-Namespace: $NS" -H "X-Tenant: $TENANT" -H 'X-Key: docs/hello.txt' \
  --data-binary "@$WORK/second.txt"

say "One more document, for the listing below"
call 201 POST /v1/objects -H "X-Namespace: $NS" -H "X-Tenant: $TENANT" -H 'X-Key: docs/second.txt' \
  -H 'Content-Type: text/plain' --data-binary "@$WORK/second.txt"
SECOND_ID=$(json_string id)

# --- download by id ------------------------------------------------------------------------------
say "Download by id (the tenant is required: X-Tenant or ?tenant_id=)"
call 200 GET "/v1/objects/$HELLO_ID" -H "X-Tenant: $TENANT"
expect_body "$WORK/hello.txt"
expect_header Content-Type
expect_header X-Content-Hash
expect_header Last-Modified

say "Download the cold binary object by id, tenant in the query"
call 200 GET "/v1/objects/$RANDOM_ID?tenant_id=$TENANT"
expect_body "$WORK/random.bin"

say "HEAD: the same headers, no body"
call 200 HEAD "/v1/objects/$HELLO_ID" -H "X-Tenant: $TENANT"
expect_header Content-Length
expect_header Accept-Ranges

say "Range request: the first 5 bytes -> 206"
call 206 GET "/v1/objects/$HELLO_ID" -H "X-Tenant: $TENANT" -H 'Range: bytes=0-4'
expect_header Content-Range
[[ $(cat "$BODY") == Hello ]] || {
  echo 'FAILED: expected "Hello"' >&2
  exit 1
}

say "Range request for the last 7 bytes"
call 206 GET "/v1/objects/$HELLO_ID" -H "X-Tenant: $TENANT" -H 'Range: bytes=-7'

say "Range beyond the end -> 416"
call 416 GET "/v1/objects/$HELLO_ID" -H "X-Tenant: $TENANT" -H 'Range: bytes=1000-2000'
expect_header Content-Range

say "Conditional GET with the ETag -> 304 Not Modified"
call 304 GET "/v1/objects/$HELLO_ID" -H "X-Tenant: $TENANT" -H "If-None-Match: $HELLO_ETAG"

say "Another tenant cannot see it -> 404"
call 404 GET "/v1/objects/$HELLO_ID" -H "X-Tenant: $OTHER_TENANT"

say "No tenant -> 400"
call 400 GET "/v1/objects/$HELLO_ID"

say "Not a UUID -> 400"
call 400 GET /v1/objects/not-a-uuid -H "X-Tenant: $TENANT"

# --- by key --------------------------------------------------------------------------------------
say "Download by key: /v1/objects/by-key/{namespace}/{tenant}/{key} (the key may contain '/')"
call 200 GET "/v1/objects/by-key/$NS/$TENANT/docs/hello.txt"
expect_body "$WORK/hello.txt"

say "By key, percent-encoded (key 'images/random bytes.bin')"
call 200 GET "/v1/objects/by-key/$NS/$TENANT/images/random%20bytes.bin"
expect_body "$WORK/random.bin"

say "HEAD by key"
call 200 HEAD "/v1/objects/by-key/$NS/$TENANT/docs/second.txt"
expect_header ETag

# --- the web console's endpoints (docs/CONSOLE.md) ----------------------------------------------
say "The web console: GET /console/ (no credential; the page asks for one)"
saved_auth=("${AUTH[@]}")
AUTH=()
call 200 GET /console/
expect_header Content-Security-Policy
AUTH=("${saved_auth[@]}")

say "Who am I? GET /v1/whoami (the credential's tenant, scopes and namespaces)"
call 200 GET /v1/whoami

say "The tenant's namespaces with their usage: GET /v1/namespaces"
call 200 GET "/v1/namespaces?tenant_id=$TENANT"

say "A presigned URL (valid 60 s, read-only, no credential in it): POST /v1/presign"
call 200 POST /v1/presign -H 'Content-Type: application/json' \
  -d "{\"path\": \"/v1/objects/$HELLO_ID?tenant_id=$TENANT\", \"expires_in_seconds\": 60}"
PRESIGNED=$(json_string url)

say "Fetch it without any credential"
AUTH=()
call 200 GET "$PRESIGNED"
expect_body "$WORK/hello.txt"
expect_header Content-Security-Policy

say "Change anything in it -> 403 signature_mismatch"
call 403 GET "${PRESIGNED/tenant_id=$TENANT/tenant_id=$OTHER_TENANT}"
AUTH=("${saved_auth[@]}")

# --- list ----------------------------------------------------------------------------------------
say "List the tenant's objects"
call 200 GET "/v1/objects?namespace=$NS&tenant_id=$TENANT"

say "List with a prefix, one per page"
call 200 GET /v1/objects -G --data-urlencode "namespace=$NS" --data-urlencode "tenant_id=$TENANT" \
  --data-urlencode 'prefix=docs/' --data-urlencode 'limit=1'
grep -q '"docs/hello.txt"' "$BODY" || {
  echo 'FAILED: expected docs/hello.txt on the first page' >&2
  exit 1
}
CURSOR=$(json_string next_cursor)
[[ -n $CURSOR ]] || {
  echo 'FAILED: expected a next_cursor' >&2
  exit 1
}

say "Next page (cursor from next_cursor)"
call 200 GET /v1/objects -G --data-urlencode "namespace=$NS" --data-urlencode "tenant_id=$TENANT" \
  --data-urlencode 'prefix=docs/' --data-urlencode 'limit=1' --data-urlencode "cursor=$CURSOR"
grep -q '"docs/second.txt"' "$BODY" || {
  echo 'FAILED: expected docs/second.txt on the second page' >&2
  exit 1
}

say "A limit over 1000 -> 400"
call 400 GET "/v1/objects?namespace=$NS&tenant_id=$TENANT&limit=1001"

# --- metadata (docs/METADATA.md) ------------------------------------------------------------------
say "Upload with metadata: X-Meta-<name> headers, an X-Metadata JSON object, Content-Disposition"
call 201 POST /v1/objects -H "X-Namespace: $NS" -H "X-Tenant: $TENANT" \
  -H 'X-Key: models/tiny.bin' -H 'X-Meta-Owner: demo' \
  -H 'X-Metadata: {"model": {"family": "llama", "params": 7e9}}' \
  -H 'Content-Disposition: attachment; filename="tiny.bin"' --data-binary "@$WORK/second.txt"
MODEL_ID=$(json_string id)
grep -q '"metadata":{"model":{"family":"llama","params":7000000000},"owner":"demo"}' "$BODY" || {
  echo 'FAILED: expected the metadata in the object JSON' >&2
  exit 1
}

say "HEAD returns it as X-Meta-* headers (non-strings as JSON text) and Content-Disposition"
call 200 HEAD "/v1/objects/$MODEL_ID" -H "X-Tenant: $TENANT"
expect_header X-Meta-owner
expect_header X-Meta-model
expect_header Content-Disposition

say "PATCH merges (RFC 7396: null removes a member); content and ETag stay, updated_at moves"
call 200 PATCH "/v1/objects/$MODEL_ID/metadata" -H "X-Tenant: $TENANT" \
  -H 'Content-Type: application/json' \
  --data '{"metadata": {"owner": null, "model": {"quantized": true}}, "content_type": "application/x-demo"}'
grep -q '"metadata":{"model":{"family":"llama","params":7000000000,"quantized":true}}' "$BODY" || {
  echo 'FAILED: expected the merged metadata' >&2
  exit 1
}

say "Metadata names are [a-z0-9-_] -> 400 invalid_metadata"
call 400 PATCH "/v1/objects/$MODEL_ID/metadata" -H "X-Tenant: $TENANT" \
  -H 'Content-Type: application/json' --data '{"metadata": {"Not.Valid": 1}}'
# --- tiering (docs/TIERING.md) -------------------------------------------------------------------
say "Move the cold binary object to hot (copied into hot's store, verified, switched in one transaction)"
call 200 POST "/v1/objects/$RANDOM_ID/storage-class" -H "X-Tenant: $TENANT" \
  -H 'Content-Type: application/json' --data '{"storage_class": "hot"}'
[[ $(json_string storage_class) == hot ]] || {
  echo 'FAILED: expected storage_class hot' >&2
  exit 1
}
call 200 GET "/v1/objects/$RANDOM_ID" -H "X-Tenant: $TENANT"
expect_body "$WORK/random.bin"

say "The class it is in already: 200, nothing changes; an unknown class -> 400"
call 200 POST "/v1/objects/$RANDOM_ID/storage-class" -H "X-Tenant: $TENANT" \
  -H 'Content-Type: application/json' --data '{"storage_class": "hot"}'
call 400 POST "/v1/objects/$RANDOM_ID/storage-class" -H "X-Tenant: $TENANT" \
  -H 'Content-Type: application/json' --data '{"storage_class": "warm"}'

say "Verified read: ?verify=true re-hashes while sending; the verdict comes in a trailer"
call 200 GET "/v1/objects/$RANDOM_ID?verify=true" -H "X-Tenant: $TENANT"
expect_body "$WORK/random.bin"
expect_header Trailer
expect_header X-Castor-Content-Sha256
[[ $(header X-Castor-Verified) == true ]] || {
  echo 'FAILED: expected the trailer X-Castor-Verified: true' >&2
  exit 1
}
printf '     X-Castor-Verified: true\n'

# --- search and listing (docs/SEARCH.md) -----------------------------------------------------------
say "Search: the tenant's objects under docs/ whose key or metadata mentions 'SECOND', by size"
call 200 POST /v1/objects/search -H 'Content-Type: application/json' \
  --data "{\"tenant_id\": \"$TENANT\", \"key_prefix\": \"docs/\", \"query\": \"SECOND\", \"sort_by\": \"size_bytes\", \"sort_direction\": \"desc\", \"count\": true}"
grep -q '"docs/second.txt"' "$BODY" && grep -q '"total":1' "$BODY" || {
  echo 'FAILED: expected docs/second.txt alone, total 1' >&2
  exit 1
}

say "Search with an unknown field -> 400 naming it"
call 400 POST /v1/objects/search -H 'Content-Type: application/json' \
  --data "{\"tenant_id\": \"$TENANT\", \"colour\": \"red\"}"

say "Folders: delimiter=/ rolls keys up into common_prefixes; sort=natural lists file2 before file10"
call 200 GET "/v1/objects?namespace=$NS&tenant_id=$TENANT&delimiter=/"
grep -q '"common_prefixes":\["docs/","images/","models/"\]' "$BODY" || {
  echo 'FAILED: expected the common prefixes docs/, images/ and models/' >&2
  exit 1
}
call 200 GET "/v1/objects?namespace=$NS&tenant_id=$TENANT&sort=natural"

say "Who has this content? GET /v1/objects?content_hash= (every namespace of the tenant)"
call 200 GET "/v1/objects?tenant_id=$TENANT&content_hash=$HELLO_SHA"
grep -q '"docs/hello.txt"' "$BODY" || {
  echo 'FAILED: expected docs/hello.txt' >&2
  exit 1
}

# --- delete --------------------------------------------------------------------------------------
say "Delete by id -> 204"
call 204 DELETE "/v1/objects/$HELLO_ID" -H "X-Tenant: $TENANT"

say "Deleted: gone -> 404 (and a second delete -> 404)"
call 404 GET "/v1/objects/$HELLO_ID" -H "X-Tenant: $TENANT"
call 404 DELETE "/v1/objects/$HELLO_ID" -H "X-Tenant: $TENANT"

say "The key is free again: upload to docs/hello.txt once more"
call 201 POST /v1/objects -H "X-Namespace: $NS" -H "X-Tenant: $TENANT" -H 'X-Key: docs/hello.txt' \
  -H 'Content-Type: text/plain' --data-binary "@$WORK/second.txt"

say "Delete by key -> 204, then 404"
call 204 DELETE "/v1/objects/by-key/$NS/$TENANT/docs/hello.txt"
call 404 GET "/v1/objects/by-key/$NS/$TENANT/docs/hello.txt"

say "Clean up the rest"
call 204 DELETE "/v1/objects/$RANDOM_ID" -H "X-Tenant: $TENANT"
call 204 DELETE "/v1/objects/$KEYLESS_ID?tenant_id=$TENANT"
call 204 DELETE "/v1/objects/$SECOND_ID" -H "X-Tenant: $TENANT"

# --- blobs and bundles ---------------------------------------------------------------------------
head -c 100000 /dev/urandom >"$WORK/model.bin"
printf 'notes for the bundle\n' >"$WORK/notes.txt"
MODEL_SHA=$(sha256sum "$WORK/model.bin" | cut -d' ' -f1)
NOTES_SHA=$(sha256sum "$WORK/notes.txt" | cut -d' ' -f1)
say "Store a blob by its SHA-256 (verified before it becomes visible): PUT /v1/blobs/{sha256} -> 201"
call 201 PUT "/v1/blobs/$MODEL_SHA?size_bytes=100000" -H "X-Tenant: $TENANT" \
  --data-binary "@$WORK/model.bin"
expect_header ETag

say "Store it again: the tenant holds it already -> 200"
call 200 PUT "/v1/blobs/$MODEL_SHA" -H "X-Tenant: $TENANT" --data-binary "@$WORK/model.bin"

say "With Expect: 100-continue the server answers 200 at once, without the body"
call 200 PUT "/v1/blobs/$MODEL_SHA" -H "X-Tenant: $TENANT" -H 'Expect: 100-continue' \
  --data-binary "@$WORK/model.bin"

say "hello.txt was uploaded as an object above, so the tenant holds that content too -> 200"
call 200 PUT "/v1/blobs/$HELLO_SHA" -H "X-Tenant: $TENANT" --data-binary "@$WORK/hello.txt"

say "A body that does not hash to the path's SHA-256 -> 400 content_hash_mismatch"
call 400 PUT "/v1/blobs/$MODEL_SHA" -H "X-Tenant: $TENANT" --data-binary "@$WORK/notes.txt"

say "Read a blob: GET (with Range) and HEAD"
call 206 GET "/v1/blobs/$HELLO_SHA" -H "X-Tenant: $TENANT" -H 'Range: bytes=0-4'
call 200 HEAD "/v1/blobs/$MODEL_SHA" -H "X-Tenant: $TENANT"
expect_header Content-Length

say "Another tenant has not proven it holds this content: 404, as if nobody stored it"
call 404 HEAD "/v1/blobs/$MODEL_SHA" -H "X-Tenant: $OTHER_TENANT"

say "Preflight: which of these hashes must still be uploaded?"
call 200 POST /v1/blobs/preflight -H "X-Tenant: $TENANT" -H 'Content-Type: application/json' \
  --data-binary "{\"hashes\": [\"$HELLO_SHA\", \"$MODEL_SHA\", \"$NOTES_SHA\"]}"
grep -q "$NOTES_SHA" "$BODY" && ! grep -q "$MODEL_SHA" "$BODY" || {
  echo 'FAILED: expected only notes.txt as missing' >&2
  exit 1
}

say "Upload the missing one"
call 201 PUT "/v1/blobs/$NOTES_SHA" -H "X-Tenant: $TENANT" --data-binary "@$WORK/notes.txt"

MANIFEST="{\"files\": [
  {\"path\": \"docs/hello.txt\", \"hash\": \"$HELLO_SHA\", \"size_bytes\": $(wc -c <"$WORK/hello.txt")},
  {\"path\": \"docs/notes.txt\", \"hash\": \"$NOTES_SHA\", \"size_bytes\": $(wc -c <"$WORK/notes.txt"), \"mode\": 384},
  {\"path\": \"weights/model.bin\", \"hash\": \"$MODEL_SHA\", \"size_bytes\": 100000}],
  \"metadata\": {\"purpose\": \"demo\"}}"
say "Create a bundle: a manifest of relative paths -> content hashes -> 201"
call 201 POST /v1/bundles -H "X-Tenant: $TENANT" -H 'Content-Type: application/json' \
  --data-binary "$MANIFEST"
BUNDLE_ID=$(json_string id)
expect_header Location
printf '     bundle id: %s, merkle_root: %s\n' "$BUNDLE_ID" "$(json_string merkle_root)"

say "The same manifest from a tenant that does not hold the contents -> 409 missing_blobs"
call 409 POST /v1/bundles -H "X-Tenant: $OTHER_TENANT" -H 'Content-Type: application/json' \
  --data-binary "$MANIFEST"

say "A path that escapes the bundle -> 400"
call 400 POST /v1/bundles -H "X-Tenant: $TENANT" -H 'Content-Type: application/json' \
  --data-binary "{\"files\": [{\"path\": \"../escape\", \"hash\": \"$HELLO_SHA\", \"size_bytes\": 15}]}"

say "List the tenant's bundles (newest first), then one bundle's manifest"
call 200 GET /v1/bundles -H "X-Tenant: $TENANT"
call 200 GET "/v1/bundles/$BUNDLE_ID" -H "X-Tenant: $TENANT"

say "Download the bundle as a ZIP (streamed) and as a tar"
call 200 GET "/v1/bundles/$BUNDLE_ID/download" -H "X-Tenant: $TENANT"
expect_header Content-Disposition
[[ $(head -c 2 "$BODY") == PK ]] || {
  echo 'FAILED: expected a ZIP archive' >&2
  exit 1
}
call 200 GET "/v1/bundles/$BUNDLE_ID/download?format=tar" -H "X-Tenant: $TENANT"
tar -xOf "$BODY" weights/model.bin >"$WORK/from-tar.bin"
cmp -s "$WORK/from-tar.bin" "$WORK/model.bin" || {
  echo 'FAILED: the tar archive does not hold the uploaded file' >&2
  exit 1
}
printf '     weights/model.bin in the tar matches what was uploaded\n'

say "An archive format castor does not produce -> 415"
call 415 GET "/v1/bundles/$BUNDLE_ID/download?format=rar" -H "X-Tenant: $TENANT"

say "Delete the bundle -> 204 (its blobs are collected once unreferenced and past BLOB_GRACE_SECONDS)"
call 204 DELETE "/v1/bundles/$BUNDLE_ID" -H "X-Tenant: $TENANT"
call 404 GET "/v1/bundles/$BUNDLE_ID" -H "X-Tenant: $TENANT"

# --- resumable upload sessions -------------------------------------------------------------------
head -c 300000 /dev/urandom >"$WORK/part1"
head -c 1234 /dev/urandom >"$WORK/part2"
cat "$WORK/part1" "$WORK/part2" >"$WORK/big.bin"
BIG_SHA=$(sha256sum "$WORK/big.bin" | cut -d' ' -f1)
say "Open a resumable upload session for a large file -> 201"
call 201 POST /v1/uploads -H "X-Tenant: $TENANT" -H 'Content-Type: application/json' \
  --data-binary "{\"namespace\": \"$NS\", \"key\": \"big.bin\", \"sha256\": \"$BIG_SHA\", \"size_bytes\": 301234}"
UPLOAD_ID=$(json_string upload_id)

say "Send its parts in any order, each verified by X-Content-SHA256 -> 200"
call 200 PUT "/v1/uploads/$UPLOAD_ID/parts/2" -H "X-Tenant: $TENANT" \
  -H "X-Content-SHA256: $(sha256sum "$WORK/part2" | cut -d' ' -f1)" --data-binary "@$WORK/part2"
call 400 PUT "/v1/uploads/$UPLOAD_ID/parts/1" -H "X-Tenant: $TENANT" \
  -H "X-Content-SHA256: $(sha256sum "$WORK/part2" | cut -d' ' -f1)" --data-binary "@$WORK/part1"
call 200 PUT "/v1/uploads/$UPLOAD_ID/parts/1" -H "X-Tenant: $TENANT" --data-binary "@$WORK/part1"

say "Which parts does the server hold? (what a client resumes from)"
call 200 GET "/v1/uploads/$UPLOAD_ID" -H "X-Tenant: $TENANT"

say "Complete: the object is its parts in order, no copy, checked against the declared SHA-256 -> 201"
call 201 POST "/v1/uploads/$UPLOAD_ID/complete" -H "X-Tenant: $TENANT" \
  -H 'Content-Type: application/json' --data-binary '{"parts": [1, 2]}'
expect_header Location
call 200 GET "/v1/objects/by-key/$NS/$TENANT/big.bin" -H "X-Tenant: $TENANT"
cmp -s "$BODY" "$WORK/big.bin" || {
  echo 'FAILED: the completed object is not the parts in order' >&2
  exit 1
}
printf '     the object is byte for byte the two parts\n'
call 206 GET "/v1/objects/by-key/$NS/$TENANT/big.bin" -H "X-Tenant: $TENANT" \
  -H 'Range: bytes=299990-300009'

# --- the S3 API ----------------------------------------------------------------------------------
say "An S3 credential for the tenant (admin API; the secret is shown once) -> 201"
call 201 POST /v1/admin/s3-credentials -H 'Content-Type: application/json' \
  --data-binary "{\"tenant_id\": \"$TENANT\", \"scopes\": [\"objects:read\", \"objects:write\", \"objects:delete\"]}"
S3_USER="$(json_string access_key_id):$(json_string secret_access_key)"
# s3 EXPECTED METHOD PATH [curl args...]: `call` signed with AWS Signature Version 4 (curl's own
# --aws-sigv4), as any S3 client would sign it. curl 7.88 does not send the x-amz-content-sha256
# that S3 requires; given one, it signs with it (UNSIGNED-PAYLOAD: the body is not hashed into the
# signature, as SDKs do over TLS).
s3() {
  local saved=("${AUTH[@]}")
  AUTH=(--aws-sigv4 'aws:amz:us-east-1:s3' --user "$S3_USER" -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD')
  SIGV4=1 call "$@"
  AUTH=("${saved[@]}")
}
S3_BUCKET=$NS-s3
say "S3: create a bucket, put an object with metadata, read it back (ETag = MD5)"
s3 200 PUT "/$S3_BUCKET"
printf 'hello over S3' >"$WORK/s3.txt"
s3 200 PUT "/$S3_BUCKET/s3/hello.txt" -H 'x-amz-meta-owner: demo' --data-binary "@$WORK/s3.txt"
[[ $(header ETag) == "\"$(printf 'hello over S3' | md5sum | cut -c1-32)\"" ]] || {
  echo 'FAILED: the S3 ETag is not the MD5 of the content' >&2
  exit 1
}
s3 200 GET "/$S3_BUCKET/s3/hello.txt"
expect_body "$WORK/s3.txt"
say "S3: the same object through the native API (namespace = bucket)"
call 200 GET "/v1/objects/by-key/$S3_BUCKET/$TENANT/s3/hello.txt"
say "S3: ListObjectsV2 with a delimiter; a conditional write on a used key -> 412"
s3 200 GET "/$S3_BUCKET?delimiter=%2F&list-type=2" # (curl 7.88 signs the query as written: sorted, encoded)
s3 412 PUT "/$S3_BUCKET/s3/hello.txt" -H 'If-None-Match: *' --data-binary 'again'
s3 204 DELETE "/$S3_BUCKET/s3/hello.txt"
s3 204 DELETE "/$S3_BUCKET"

# --- retention (WORM; docs/RETENTION.md) ---------------------------------------------------------
WORM_NS=$NS-worm
JSON=(-H 'Content-Type: application/json')
say "Make a namespace WORM (admin): governance retention, 1 day by default, no overwrites"
call 200 PUT "/v1/admin/namespaces/$TENANT/$WORM_NS/retention" "${JSON[@]}" \
  --data '{"mode":"governance","default_retention_days":1,"allow_overwrite":false}'
say "Upload into it (here on legal hold too): HEAD shows the retention it got at commit"
call 201 POST /v1/objects -H "X-Namespace: $WORM_NS" -H "X-Tenant: $TENANT" \
  -H 'X-Key: ledger.txt' -H 'X-Legal-Hold: on' --data-binary "@$WORK/hello.txt"
WORM_ID=$(json_string id)
call 200 HEAD "/v1/objects/$WORM_ID" -H "X-Tenant: $TENANT"
expect_header X-Retention-Mode
expect_header X-Retain-Until
expect_header X-Legal-Hold
say "Delete while retained or on hold -> 409 object_locked (the message has the date)"
call 409 DELETE "/v1/objects/$WORM_ID" -H "X-Tenant: $TENANT"
say "Lift the hold; shorten the governance retention: refused without, allowed with an admin's bypass (audited)"
call 200 PUT "/v1/objects/$WORM_ID/legal-hold" -H "X-Tenant: $TENANT" "${JSON[@]}" \
  --data '{"legal_hold":false}'
call 409 PUT "/v1/objects/$WORM_ID/retention" -H "X-Tenant: $TENANT" "${JSON[@]}" \
  --data '{"retain_until":null}'
call 200 PUT "/v1/objects/$WORM_ID/retention" -H "X-Tenant: $TENANT" "${JSON[@]}" \
  --data '{"retain_until":null,"bypass_governance":true}'
say "Now it may go; a governance configuration may be removed (a compliance one never)"
call 204 DELETE "/v1/objects/$WORM_ID" -H "X-Tenant: $TENANT"
call 204 DELETE "/v1/admin/namespaces/$TENANT/$WORM_NS/retention"
# --- API keys: names, namespaces, self-service (docs/API_KEYS.md) ---------------------------------
say "API keys: a named key manager for the tenant, restricted to namespace $NS (keys:manage) -> 201"
call 201 POST /v1/admin/api-keys -H 'Content-Type: application/json' \
  --data-binary "{\"tenant\": \"$TENANT\", \"name\": \"demo-manager\", \"namespaces\": [\"$NS\"], \"scopes\": [\"objects:read\", \"objects:write\", \"keys:manage\"]}"
MANAGER_ID=$(json_string id)
MANAGER_KEY=$(json_string key)
if [[ ${#AUTH[@]} -gt 0 ]]; then
  # as_manager EXPECTED METHOD PATH [curl args...]: `call` with the manager's key.
  as_manager() {
    local saved=("${AUTH[@]}")
    AUTH=(-H "Authorization: Bearer $MANAGER_KEY")
    AUTH_NAME=MANAGER_KEY call "$@"
    AUTH=("${saved[@]}")
  }
  say "The manager makes a read-only key for its CI in its namespace (the tenant is its own) -> 201"
  as_manager 201 POST /v1/admin/api-keys -H 'Content-Type: application/json' \
    --data-binary "{\"name\": \"ci\", \"namespaces\": [\"$NS\"], \"scopes\": [\"objects:read\"]}"
  CI_ID=$(json_string id)
  say "It lists its tenant's keys (no secrets), reads one, renames it"
  as_manager 200 GET /v1/admin/api-keys
  as_manager 200 GET "/v1/admin/api-keys/$CI_ID"
  as_manager 200 PATCH "/v1/admin/api-keys/$CI_ID" -H 'Content-Type: application/json' \
    --data-binary '{"name": "ci-nightly"}'
  say "Escalations are refused: a * key, an admin key, a scope it lacks, lifting its own restriction -> 403"
  as_manager 403 POST /v1/admin/api-keys -H 'Content-Type: application/json' \
    --data-binary '{"tenant": "*", "scopes": ["objects:read"]}'
  as_manager 403 POST /v1/admin/api-keys -H 'Content-Type: application/json' \
    --data-binary '{"scopes": ["admin"]}'
  as_manager 403 POST /v1/admin/api-keys -H 'Content-Type: application/json' \
    --data-binary "{\"namespaces\": [\"$NS\"], \"scopes\": [\"objects:delete\"]}"
  as_manager 403 PATCH "/v1/admin/api-keys/$MANAGER_ID" -H 'Content-Type: application/json' \
    --data-binary '{"namespaces": null}'
  say "A namespace-restricted key lists its namespace (200), not another one (403)"
  as_manager 200 GET "/v1/objects?namespace=$NS"
  as_manager 403 GET "/v1/objects?namespace=$NS-elsewhere"
  say "The manager revokes the CI key -> 204"
  as_manager 204 DELETE "/v1/admin/api-keys/$CI_ID"
else
  printf '     (authentication is disabled on this server: the keys:manage steps are skipped)\n'
fi
say "The administrator revokes the manager -> 204"
call 204 DELETE "/v1/admin/api-keys/$MANAGER_ID"
# --- usage and quotas (docs/USAGE_AND_QUOTAS.md) ------------------------------------------------
USAGE_NS=$NS-usage
printf 'the same 30 bytes, stored twice' >"$WORK/twice.txt"
say "Usage: store one content twice in a fresh namespace, then read its stats (counters, not a scan)"
call 201 POST /v1/objects -H "X-Namespace: $USAGE_NS" -H "X-Tenant: $TENANT" --data-binary "@$WORK/twice.txt"
call 201 POST /v1/objects -H "X-Namespace: $USAGE_NS" -H "X-Tenant: $TENANT" --data-binary "@$WORK/twice.txt"
USAGE_ID=$(json_string id)
call 200 GET "/v1/namespaces/$USAGE_NS/stats?tenant_id=$TENANT"
grep -q '"objects":2,"logical_bytes":62,"physical_bytes":31' "$BODY" || {
  echo 'FAILED: expected 2 objects, 62 logical bytes, 31 physical (deduplicated) bytes' >&2
  exit 1
}
say "The tenant's usage over all its namespaces, by storage class"
call 200 GET "/v1/tenants/$TENANT/usage"

say "Quota (admin): at most 2 objects in that namespace; a third upload -> 403 quota_exceeded"
call 200 PUT "/v1/admin/quotas/$TENANT/$USAGE_NS" -H 'Content-Type: application/json' \
  --data-binary '{"max_bytes": null, "max_objects": 2}'
call 403 POST /v1/objects -H "X-Namespace: $USAGE_NS" -H "X-Tenant: $TENANT" --data-binary 'one too many'
say "A delete gives the space back at once; the upload now fits. Then remove the quota"
call 204 DELETE "/v1/objects/$USAGE_ID" -H "X-Tenant: $TENANT"
call 201 POST /v1/objects -H "X-Namespace: $USAGE_NS" -H "X-Tenant: $TENANT" --data-binary 'one too many'
call 200 GET "/v1/admin/quotas/$TENANT/$USAGE_NS"
call 204 DELETE "/v1/admin/quotas/$TENANT/$USAGE_NS"

# --- errors --------------------------------------------------------------------------------------
say "Unknown route -> 404, known route with a wrong method -> 405 (with Allow)"
call 404 GET /v1/nothing-here
call 405 PUT /v1/objects
expect_header Allow

# --- admin ---------------------------------------------------------------------------------------
say "Run one garbage-collection cycle now: the deleted objects' unreferenced blobs are removed"
call 200 POST /v1/admin/gc
grep -q '"deleted_blobs"' "$BODY" || {
  echo 'FAILED: expected GC counts' >&2
  exit 1
}

printf '\nAll %d steps passed.\n' "$step"
