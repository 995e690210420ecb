resource "aws_s3_bucket" "legacy" {
  bucket = "example-legacy"

  server_side_encryption_configuration {
    rule {
      apply_server_side_encryption_by_default {
        sse_algorithm = "aws:kms"
      }
    }
  }
}
