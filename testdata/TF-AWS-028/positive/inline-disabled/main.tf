resource "aws_s3_bucket" "legacy" {
  bucket = "example-legacy"

  versioning {
    enabled = false
  }
}
