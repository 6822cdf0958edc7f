#!/usr/bin/env bash
# rclone (Debian's) against castor, configured through the environment as an "Other" S3 provider
# (path style): mkdir, copy a tree, check (rclone compares sizes and MD5s: the ETag of single-part
# uploads, its own md5chksum metadata for multipart ones), lsf, sync both ways, a multipart file
# (5 MiB cutoff and chunks), ranged cat, a presigned link through curl, delete, purge.
# Environment: see run.sh.
# shellcheck source=tests/s3clients/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

bucket=$S3CLIENTS_BUCKET
# rclone's AWS SDK refuses a custom CA bundle with its own HTTP transport ("LoadCustomCABundleError");
# the endpoint is plain HTTP anyway.
unset AWS_CA_BUNDLE
export RCLONE_CONFIG=$HOME/rclone.conf
: >"$RCLONE_CONFIG"
export RCLONE_CONFIG_CASTOR_TYPE=s3
export RCLONE_CONFIG_CASTOR_PROVIDER=Other
export RCLONE_CONFIG_CASTOR_ENV_AUTH=false
export RCLONE_CONFIG_CASTOR_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID
export RCLONE_CONFIG_CASTOR_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY
export RCLONE_CONFIG_CASTOR_ENDPOINT=$S3_ENDPOINT
export RCLONE_CONFIG_CASTOR_REGION=us-east-1
export RCLONE_CONFIG_CASTOR_FORCE_PATH_STYLE=true
# One try per operation: a failure must show, not be retried away.
r() { rclone --retries 1 --low-level-retries 1 "$@"; }
remote=castor:$bucket

rclone version | sed -n 1p

step01() {
  r mkdir "$remote"
  expect_lines "lsd castor: lists the bucket" 1 " $bucket" r lsd castor:
}

step02() {
  make_tree tree
  r copy tree "$remote/tree"
  expect_eq "rclone check (sizes and MD5 ETags) after copy" 0 \
    "$(r check tree "$remote/tree" >check.out 2>&1 && echo 0 || echo 1)"
  expect_eq "lsf -R --files-only lists the tree" \
    "$(cd tree && find . -type f | sed 's|^\./||' | LC_ALL=C sort)" \
    "$(r lsf -R --files-only "$remote/tree" | LC_ALL=C sort)"
  expect_eq "lsf of the top level" "$(printf 'a/\ntop.bin\nwith space/\nz/')" \
    "$(r lsf "$remote/tree" | LC_ALL=C sort)"
  expect_eq "md5sum of a file is its MD5" "$(md5_of tree/a/b/two.bin)" \
    "$(r md5sum "$remote/tree/a/b/two.bin" | cut -d' ' -f1)"
  r copy "$remote/tree" tree.down
  expect_same_tree "copy back down" tree tree.down
}

step03() {
  rm tree/a/one.txt
  make_file tree/a/added.bin 4321
  make_file tree/top.bin 3001 # changed content and size
  r sync tree "$remote/tree"
  expect_eq "rclone check after sync" 0 "$(r check tree "$remote/tree" >check2.out 2>&1 && echo 0 || echo 1)"
  expect_lines "the deleted file is gone from the bucket" 0 one.txt r lsf "$remote/tree/a"
  r sync "$remote/tree" tree.down
  expect_same_tree "sync down mirrors the change" tree tree.down
}

step04() {
  make_file large.bin $((S3CLIENTS_LARGE_MIB * 1024 * 1024 + 4321))
  r copyto --s3-upload-cutoff 5M --s3-chunk-size 5M large.bin "$remote/large.bin"
  expect_eq "rclone check of the large file" 0 \
    "$(r check --include large.bin . "$remote" >check3.out 2>&1 && echo 0 || echo 1)"
  expect_eq "md5sum of the large file (rclone's md5chksum metadata)" "$(md5_of large.bin)" \
    "$(r md5sum "$remote/large.bin" | cut -d' ' -f1)"
  expect_eq "size of the large file" "$(stat -c %s large.bin)" \
    "$(r size --json "$remote/large.bin" | jq .bytes)"
  r copyto "$remote/large.bin" large.down
  expect_same_file "large file round trip" large.bin large.down
}

step05() {
  r cat --offset 1000000 --count 4096 "$remote/large.bin" >range.out
  slice large.bin 1000000 4096 >range.want
  expect_same_file "4096 bytes at offset 1000000" range.want range.out
}

step06() {
  url=$(r link --expire 10m "$remote/tree/top.bin")
  expect_match "link is a presigned URL" 'X-Amz-Signature=' "$url"
  curl -fsS -o link.down "$url"
  expect_same_file "GET of the presigned link" tree/top.bin link.down
}

step07() {
  r deletefile "$remote/tree/a/added.bin"
  expect_lines "deletefile removed the object" 0 added.bin r lsf "$remote/tree/a"
  r delete --include '*.bin' "$remote/tree"
  expect_eq "delete --include '*.bin' leaves the other files" \
    "$(printf 'with space/ünïcode é.txt\nz/empty')" "$(r lsf -R --files-only "$remote/tree" | LC_ALL=C sort)"
}

step08() {
  r purge "$remote"
  expect_lines "the bucket is gone" 0 " $bucket" r lsd castor:
}

run_step "mkdir (create the bucket)" step01
run_step "copy a tree, check, lsf" step02
run_step "sync after local changes" step03
run_step "a large file (multipart)" step04
run_step "ranged read (cat --offset --count)" step05
run_step "presigned link through curl" step06
run_step "delete" step07
run_step "purge (objects and bucket)" step08

finish
