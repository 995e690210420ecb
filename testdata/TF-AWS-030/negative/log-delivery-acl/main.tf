# Server access logs can only be delivered to SSE-S3 buckets.
resource "aws_s3_bucket" "access_logs" {
  bucket = "example-access-logs"
}

resource "aws_s3_bucket_acl" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id
  acl    = "log-delivery-write"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket" "legacy_logs" {
  bucket = "example-legacy-logs"
  acl    = "log-delivery-write"
}
