#!/usr/bin/env bash
# awscli (Debian's aws v2) against castor: `aws s3` (mb, cp small and multipart, ls, sync both
# ways, presign, rm --recursive, rb) and `aws s3api` (ranges, metadata, conditional put,
# copy-object with REPLACE, delete-objects, list-objects-v2 with delimiter, prefix and paging,
# error codes). Path-style addressing, 5 MiB multipart threshold and chunk size.
# Environment: see run.sh.
# shellcheck source=tests/s3clients/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

bucket=$S3CLIENTS_BUCKET
export AWS_PAGER=""
# The private AWS_CONFIG_FILE run.sh names, as `aws configure set default.s3.… VALUE` writes it
# (written directly: each aws start costs a second or two). No retries: a failure must show.
cat >"$AWS_CONFIG_FILE" <<'EOF'
[default]
region = us-east-1
retry_mode = standard
max_attempts = 1
s3 =
    addressing_style = path
    multipart_threshold = 5MB
    multipart_chunksize = 5MB
EOF
part=$((5 * 1024 * 1024))

a() { aws --endpoint-url "$S3_ENDPOINT" "$@"; }
# head_field KEY QUERY [ARGS...]: one field of head-object, as text.
head_field() {
  a s3api head-object --bucket "$bucket" --key "$1" --query "$2" --output text "${@:3}"
}

aws --version

step01() {
  expect_eq "aws s3 mb prints make_bucket" "make_bucket: $bucket" "$(a s3 mb "s3://$bucket")"
  expect_eq "the bucket is in aws s3 ls" "$bucket" "$(a s3 ls | awk -v b="$bucket" '$3 == b { print $3 }')"
}

step02() {
  make_file small.bin 3000
  a s3 cp --no-progress small.bin "s3://$bucket/dir/small.bin"
  a s3 cp --no-progress "s3://$bucket/dir/small.bin" small.down
  expect_same_file "small file round trip" small.bin small.down
  expect_eq "small ETag is the MD5" "\"$(md5_of small.bin)\"" "$(head_field dir/small.bin ETag)"
  expect_eq "small ContentLength" 3000 "$(head_field dir/small.bin ContentLength)"
}

step03() {
  make_file large.bin $((S3CLIENTS_LARGE_MIB * 1024 * 1024 + 12345))
  a s3 cp --no-progress large.bin "s3://$bucket/large.bin"
  a s3 cp --no-progress "s3://$bucket/large.bin" large.down
  expect_same_file "large file round trip" large.bin large.down
  expect_eq "large file SHA-256" "$(sha256_of large.bin)" "$(sha256_of large.down)"
  expect_eq "multipart ETag is md5-of-part-md5s-N" "\"$(multipart_etag large.bin $part)\"" \
    "$(head_field large.bin ETag)"
}

step04() {
  listing=$(a s3 ls "s3://$bucket/")
  expect_match "ls shows the prefix dir/" "PRE dir/" "$listing"
  expect_match "ls shows large.bin with its size" \
    "[0-9:] +$(stat -c %s large.bin) large.bin" "$listing"
  expect_match "ls dir/ shows small.bin" "[0-9:] +3000 small.bin" "$(a s3 ls "s3://$bucket/dir/")"
}

step05() {
  out=$(a s3api get-object --bucket "$bucket" --key large.bin --range bytes=100-199 range.out \
    --query '[ContentRange,ContentLength]' --output text)
  expect_eq "Content-Range and length of bytes=100-199" \
    "$(printf 'bytes 100-199/%s\t100' "$(stat -c %s large.bin)")" "$out"
  slice large.bin 100 100 >range.want
  expect_same_file "bytes 100-199" range.want range.out
  a s3api get-object --bucket "$bucket" --key large.bin --range bytes=-1000 suffix.out >/dev/null
  tail -c 1000 large.bin >suffix.want
  expect_same_file "suffix range bytes=-1000" suffix.want suffix.out
  expect_fails_with "a range past the end" "InvalidRange" a s3api get-object --bucket "$bucket" \
    --key dir/small.bin --range bytes=5000-6000 unsatisfiable.out
}

step06() {
  make_file meta.txt 500
  a s3api put-object --bucket "$bucket" --key meta.txt --body meta.txt \
    --metadata color=blue,shape=round --content-type 'text/plain; charset=utf-8' \
    --cache-control max-age=60 --content-disposition 'attachment; filename="m.txt"' >/dev/null
  head=$(a s3api head-object --bucket "$bucket" --key meta.txt --output json)
  expect_eq "user metadata round trip" '{"color":"blue","shape":"round"}' \
    "$(jq -cS .Metadata <<<"$head")"
  expect_eq "Content-Type" 'text/plain; charset=utf-8' "$(jq -r .ContentType <<<"$head")"
  expect_eq "Cache-Control" 'max-age=60' "$(jq -r .CacheControl <<<"$head")"
  expect_eq "Content-Disposition" 'attachment; filename="m.txt"' \
    "$(jq -r .ContentDisposition <<<"$head")"
  expect_eq "ETag of put-object" "\"$(md5_of meta.txt)\"" "$(jq -r .ETag <<<"$head")"
}

step07() {
  crc=$(crc32_b64 meta.txt)
  out=$(a s3api put-object --bucket "$bucket" --key crc.txt --body meta.txt --checksum-algorithm CRC32 \
    --output json)
  expect_eq "put-object echoes the CRC32" "$crc" "$(jq -r .ChecksumCRC32 <<<"$out")"
  expect_eq "head-object --checksum-mode ENABLED returns it" "$crc" \
    "$(head_field crc.txt ChecksumCRC32 --checksum-mode ENABLED)"
}

step08() {
  if a s3api put-object help 2>/dev/null | grep -q -- '--if-none-match'; then
    a s3api put-object --bucket "$bucket" --key once.txt --body meta.txt --if-none-match '*' \
      >/dev/null
    expect_fails_with "second conditional create" "PreconditionFailed" a s3api put-object \
      --bucket "$bucket" --key once.txt --body small.bin --if-none-match '*'
    a s3api get-object --bucket "$bucket" --key once.txt once.down >/dev/null
    expect_same_file "the first conditional put's bytes stay" meta.txt once.down
  else
    # Debian bookworm's awscli (2.9) predates S3 conditional writes: boto3 (with the header added
    # through its event hooks) and the JS SDK cover them.
    echo "skip: this awscli has no put-object --if-none-match"
  fi
}

step09() {
  a s3api copy-object --bucket "$bucket" --key meta-copy.txt --copy-source "$bucket/meta.txt" \
    >/dev/null
  head=$(a s3api head-object --bucket "$bucket" --key meta-copy.txt --output json)
  expect_eq "COPY keeps the metadata" '{"color":"blue","shape":"round"}' \
    "$(jq -cS .Metadata <<<"$head")"
  expect_eq "COPY keeps the Content-Type" 'text/plain; charset=utf-8' "$(jq -r .ContentType <<<"$head")"
  a s3api copy-object --bucket "$bucket" --key meta-replaced.txt \
    --copy-source "$bucket/meta.txt" --metadata-directive REPLACE --metadata fresh=yes \
    --content-type application/x-castor-test >/dev/null
  head=$(a s3api head-object --bucket "$bucket" --key meta-replaced.txt --output json)
  expect_eq "REPLACE sets the new metadata only" '{"fresh":"yes"}' "$(jq -cS .Metadata <<<"$head")"
  expect_eq "REPLACE sets the Content-Type" application/x-castor-test "$(jq -r .ContentType <<<"$head")"
  expect_eq "the copy's ETag is the source's" "\"$(md5_of meta.txt)\"" "$(jq -r .ETag <<<"$head")"
  a s3 cp --no-progress "s3://$bucket/meta-replaced.txt" meta-replaced.down
  expect_same_file "copied bytes" meta.txt meta-replaced.down
}

step10() {
  make_tree tree
  a s3 sync --no-progress tree "s3://$bucket/tree/"
  a s3 sync --no-progress "s3://$bucket/tree/" tree.down
  expect_same_tree "sync up then down" tree tree.down
  expect_eq "a second sync up uploads nothing" "" \
    "$(out_of a s3 sync --no-progress tree "s3://$bucket/tree/")"
  make_file tree/a/new.bin 777
  expect_match "sync up after adding a file uploads just it" "^upload: tree/a/new.bin to " \
    "$(a s3 sync --no-progress tree "s3://$bucket/tree/")"
  a s3 sync --no-progress "s3://$bucket/tree/" tree.down
  expect_same_tree "sync down after the change" tree tree.down
}

step11() {
  out=$(a s3api list-objects-v2 --bucket "$bucket" --prefix tree/ --delimiter / --output json)
  expect_eq "CommonPrefixes under tree/" 'tree/a/ tree/with space/ tree/z/' \
    "$(jq -r '[.CommonPrefixes[].Prefix] | join(" ")' <<<"$out")"
  expect_eq "Contents under tree/" 'tree/top.bin' "$(jq -r '[.Contents[].Key] | join(" ")' <<<"$out")"
  out=$(a s3api list-objects-v2 --bucket "$bucket" --prefix tree/a/b/ --output json)
  expect_eq "every key under tree/a/b/" 'tree/a/b/c/three.bin tree/a/b/two.bin' \
    "$(jq -r '[.Contents[].Key] | join(" ")' <<<"$out")"
  expect_eq "sizes under tree/a/b/" '1 70000' "$(jq -r '[.Contents[].Size] | join(" ")' <<<"$out")"
}

step12() {
  mkdir -p pages
  for i in $(seq -w 0 29); do printf 'page %s\n' "$i" >"pages/k$i"; done
  a s3 cp --recursive --quiet pages "s3://$bucket/page/"
  want=$(for i in $(seq -w 0 29); do printf 'page/k%s\n' "$i"; done)
  # list_keys ARGS...: the keys list-objects-v2 (or v1) pages return, one per line; NextToken last
  # as "NextToken=..." when there is one. A failed call prints its error and the checks fail.
  list_keys() {
    local out
    out=$(a s3api "$@" --output json) || return 0
    jq -r '(.Contents // [])[].Key, (if .NextToken then "NextToken=" + .NextToken else empty end)' <<<"$out"
  }
  expect_eq "--page-size 7 walks all 30 keys in order" "$want" \
    "$(list_keys list-objects-v2 --bucket "$bucket" --prefix page/ --page-size 7)"
  out=$(list_keys list-objects-v2 --bucket "$bucket" --prefix page/ --max-items 10 --page-size 4)
  expect_eq "--max-items 10: the first 10" "$(head -n 10 <<<"$want")" "$(grep -v '^NextToken=' <<<"$out")"
  token=$(sed -n 's/^NextToken=//p' <<<"$out")
  expect_match "--max-items gives a NextToken" '.' "$token"
  out=$(list_keys list-objects-v2 --bucket "$bucket" --prefix page/ --max-items 10 --page-size 4 \
    --starting-token "$token")
  expect_eq "--starting-token: the next 10" "$(sed -n 11,20p <<<"$want")" "$(grep -v '^NextToken=' <<<"$out")"
  expect_eq "--start-after page/k25" "$(sed -n 27,30p <<<"$want")" \
    "$(list_keys list-objects-v2 --bucket "$bucket" --prefix page/ --start-after page/k25)"
  expect_eq "ListObjects v1 with Marker paging" "$want" \
    "$(list_keys list-objects --bucket "$bucket" --prefix page/ --page-size 9)"
}

step13() {
  url=$(a s3 presign "s3://$bucket/dir/small.bin" --expires-in 300)
  curl -fsS -o presigned.down "$url"
  expect_same_file "presigned GET" small.bin presigned.down
  expect_eq "a tampered presigned URL is refused" 403 \
    "$(curl -s -o /dev/null -w '%{http_code}' "${url/dir\/small.bin/large.bin}")"
}

step14() {
  out=$(a s3api delete-objects --bucket "$bucket" --delete \
    '{"Objects":[{"Key":"page/k00"},{"Key":"page/k01"},{"Key":"page/no-such-key"}]}' --output json)
  expect_eq "Deleted keys (a missing key counts as deleted)" 'page/k00 page/k01 page/no-such-key' \
    "$(jq -r '[.Deleted[].Key] | sort | join(" ")' <<<"$out")"
  expect_eq "no Errors" 0 "$(jq -r '.Errors // [] | length' <<<"$out")"
  expect_fails_with "head-object of a deleted key" "Not Found" a s3api head-object \
    --bucket "$bucket" --key page/k00
  expect_fails_with "get-object of a missing key" "NoSuchKey" a s3api get-object \
    --bucket "$bucket" --key page/k00 missing.out
  expect_eq "28 keys left under page/" 28 \
    "$(a s3api list-objects-v2 --bucket "$bucket" --prefix page/ --query KeyCount --output text --no-paginate)"
}

step15() {
  expect_fails_with "rb refuses a non-empty bucket" "BucketNotEmpty" a s3 rb "s3://$bucket"
}

step16() {
  a s3 rm --recursive --quiet "s3://$bucket/"
  expect_eq "the bucket is empty" 0 \
    "$(a s3api list-objects-v2 --bucket "$bucket" --query KeyCount --output text --no-paginate)"
  expect_eq "rb" "remove_bucket: $bucket" "$(a s3 rb "s3://$bucket")"
  expect_fails_with "head-bucket after rb" "404" a s3api head-bucket --bucket "$bucket"
  expect_fails_with "ls of the removed bucket" "NoSuchBucket" a s3 ls "s3://$bucket/"
}

run_step "mb" step01
run_step "cp small up and down" step02
run_step "cp large (multipart)" step03
run_step "ls" step04
run_step "get-object --range" step05
run_step "put-object with metadata, head-object" step06
run_step "put-object --checksum-algorithm CRC32, head-object --checksum-mode ENABLED" step07
run_step "put-object --if-none-match '*' (conditional create)" step08
run_step "copy-object (COPY and REPLACE)" step09
run_step "sync a tree up and down" step10
run_step "list-objects-v2: delimiter and prefix" step11
run_step "list-objects-v2: paging over 30 keys" step12
run_step "presigned GET through curl" step13
run_step "delete-objects" step14
run_step "rb of a bucket that is not empty" step15
run_step "rm --recursive, rb" step16

finish
