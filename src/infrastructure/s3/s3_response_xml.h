#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/error.h"
#include "domain/object.h"
#include "infrastructure/s3/s3_client.h"

namespace castor {

// Readers of the XML bodies S3 answers with, and the writer of the one castor sends
// (Amazon S3 API Reference, each operation's "Response Syntax"; pugixml). Namespaces are ignored
// (AWS sends xmlns="http://s3.amazonaws.com/doc/2006-03-01/", some servers none). Every reader
// returns Internal naming the operation when the body is not well-formed XML or lacks a required
// element. Pure functions.

// The <Error> body of a failed request: Code and Message (either may be empty).
struct S3ErrorBody {
  std::string code;
  std::string message;
};

// The Code and Message of `body` if its root element is <Error>; nullopt for anything else (an
// empty body, HTML from a proxy, a success document). CopyObject and CompleteMultipartUpload may
// answer 200 with such a body.
std::optional<S3ErrorBody> parse_s3_error(std::string_view body);

// ListObjectsV2: <ListBucketResult> with <Contents> (Key, Size, LastModified) and <IsTruncated>.
Result<S3ListPage> parse_list_objects_v2(std::string_view body);

// CreateMultipartUpload: <InitiateMultipartUploadResult><UploadId>.
Result<std::string> parse_initiate_multipart(std::string_view body);

// ListMultipartUploads: <ListMultipartUploadsResult> with <Upload> (Key, UploadId, Initiated).
Result<std::vector<S3MultipartUpload>> parse_list_multipart_uploads(std::string_view body);

// One page of ListParts: the latest <Part><LastModified>, and where the next page starts.
struct S3PartsPage {
  std::optional<Timestamp> last_modified;  // nullopt: no part on this page
  bool truncated = false;
  std::string next_marker;  // <NextPartNumberMarker>, when truncated
};
Result<S3PartsPage> parse_list_parts(std::string_view body);

// CopyObject (<CopyObjectResult>) and UploadPartCopy (<CopyPartResult>): the new ETag, quotes
// included as sent.
Result<std::string> parse_copy_result(std::string_view body);

// The CompleteMultipartUpload request body: <CompleteMultipartUpload> with one <Part>
// (PartNumber, ETag, escaped as XML text) per element of `parts`, in the given order.
std::string complete_multipart_xml(const std::vector<S3UploadedPart>& parts);

// ISO 8601 as S3 writes times in XML ("2009-10-12T17:50:30.000Z"; fractional seconds optional;
// "Z" or no zone means UTC). nullopt if malformed.
std::optional<Timestamp> parse_iso8601(std::string_view text);

}  // namespace castor
