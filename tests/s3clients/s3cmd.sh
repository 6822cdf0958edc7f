#!/usr/bin/env bash
# s3cmd (Debian's) against castor, path style over plain HTTP with Signature V4: mb, put (small,
# and multipart in 5 MiB chunks), get (s3cmd checks the MD5), ls with prefixes, info, sync both
# ways, del, error codes, rb. (Its signurl makes Signature V2 URLs, which castor does not take:
# presigned URLs are covered by the other clients.)
# Environment: see run.sh.
# shellcheck source=tests/s3clients/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

bucket=$S3CLIENTS_BUCKET
hostport=${S3_ENDPOINT#http://}
cfg=$HOME/s3cfg
printf '[default]\naccess_key = %s\nsecret_key = %s\nmax_retries = 1\n' "$AWS_ACCESS_KEY_ID" \
  "$AWS_SECRET_ACCESS_KEY" >"$cfg"
s() {
  s3cmd -c "$cfg" --host="$hostport" --host-bucket="$hostport" --no-ssl --region=us-east-1 \
    --no-check-certificate "$@"
}

s3cmd --version

step01() {
  expect_eq "mb" "Bucket 's3://$bucket/' created" "$(s mb "s3://$bucket")"
  expect_lines "ls lists the bucket" 1 "s3://$bucket" s ls
}

step02() {
  make_file small.bin 2222
  s put --no-progress small.bin "s3://$bucket/small.bin"
  make_file large.bin $((S3CLIENTS_LARGE_MIB * 1024 * 1024 + 999))
  # --progress: s3cmd names the parts only in its progress lines.
  s put --progress --multipart-chunk-size-mb=5 large.bin "s3://$bucket/big/large.bin" |
    tr '\r' '\n' | grep -F '[part' >put.out
  cat put.out
  parts=$(((S3CLIENTS_LARGE_MIB * 1024 * 1024 + 999 + 5 * 1024 * 1024 - 1) / (5 * 1024 * 1024)))
  expect_match "the large put went in $parts parts" "\\[part $parts of $parts, " "$(cat put.out)"
}

step03() {
  s get --no-progress "s3://$bucket/small.bin" small.down
  expect_same_file "small round trip" small.bin small.down
  s get --no-progress "s3://$bucket/big/large.bin" large.down >get.out 2>&1 || {
    cat get.out
    false
  }
  cat get.out
  expect_same_file "large round trip" large.bin large.down
  expect_eq "no MD5 warning on the large get" "" "$(grep -i 'md5' get.out || true)"
}

step04() {
  listing=$(s ls "s3://$bucket")
  expect_match "ls shows the prefix big/" "DIR +s3://$bucket/big/" "$listing"
  expect_match "ls shows small.bin and its size" " 2222 +s3://$bucket/small.bin" "$listing"
  expect_match "ls big/ shows the large file's size" \
    " $(stat -c %s large.bin) +s3://$bucket/big/large.bin" "$(s ls "s3://$bucket/big/")"
  # info also asks for the object's ACL (castor answers the canned private one).
  expect_match "info shows the MD5" "MD5 sum: +$(md5_of small.bin)" "$(out_of s info "s3://$bucket/small.bin")"
  expect_match "la (all buckets) lists small.bin" "s3://$bucket/small.bin" "$(out_of s la)"
}

step05() {
  make_tree tree
  s sync --no-progress tree/ "s3://$bucket/tree/" >/dev/null
  s sync --no-progress "s3://$bucket/tree/" tree.down/ >/dev/null
  expect_same_tree "sync up then down" tree tree.down
}

step06() {
  expect_fails_with "get of a missing key" "does not exist" s get "s3://$bucket/no-such-key" missing.out
  expect_fails_with "rb of a non-empty bucket" "BucketNotEmpty" s rb "s3://$bucket"
}

step07() {
  expect_eq "del" "delete: 's3://$bucket/small.bin'" "$(s del "s3://$bucket/small.bin")"
  expect_lines "ls after del has no small.bin" 0 small.bin s ls "s3://$bucket"
  s del --recursive --force "s3://$bucket/" >/dev/null
  expect_eq "the bucket is empty" "" "$(out_of s ls --recursive "s3://$bucket")"
  expect_eq "rb" "Bucket 's3://$bucket/' removed" "$(s rb "s3://$bucket")"
  expect_lines "the bucket is gone" 0 "s3://$bucket" s ls
}

run_step "mb" step01
run_step "put small, put large (multipart)" step02
run_step "get (s3cmd verifies the MD5)" step03
run_step "ls and info" step04
run_step "sync up and down" step05
run_step "errors" step06
run_step "del, rb" step07

finish
