resource "aws_s3_bucket" "site" {
  bucket = "example-site"
  # rampart:ignore[TF-AWS-001]
  acl = "public-read"
}
