resource "aws_s3_bucket" "data" {
  bucket = "example-data"
}

# A rule without `apply_server_side_encryption_by_default` leaves S3's default, SSE-S3.
resource "aws_s3_bucket_server_side_encryption_configuration" "data" {
  bucket = aws_s3_bucket.data.id

  rule {
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket" "reports" {
  bucket = "example-reports"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "reports" {
  bucket = aws_s3_bucket.reports.bucket
  rule {}
}
